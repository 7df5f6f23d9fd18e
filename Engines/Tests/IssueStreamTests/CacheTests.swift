import GitHubTestServer
import IssueStream
import XCTest

final class CacheTests: XCTestCase {
    func testSecondRunIsAllNotModifiedAndSpendsNoBudget() async throws {
        let github = try await LocalGitHub.start(
            [SeededRepository(owner: "o", name: "r", issueCount: 250)], hourlyLimit: 5000)
        let (first, firstLines) = try await github.triage(TriageOptions(repo: "o/r"))
        let usedAfterFirst = await github.server.budget(token: LocalGitHub.token)?.used
        let (second, secondLines) = try await github.triage(TriageOptions(repo: "o/r"))
        let usedAfterSecond = await github.server.budget(token: LocalGitHub.token)?.used
        let log = await github.server.requestLog()
        try await github.stop()
        XCTAssertEqual(first.pagesNotModified, 0)
        XCTAssertEqual(second.pagesNotModified, 3)
        XCTAssertEqual(usedAfterFirst, 3)
        XCTAssertEqual(usedAfterSecond, 3, "304s are free")
        XCTAssertEqual(log.suffix(3).map(\.status), [304, 304, 304])
        XCTAssertTrue(log.suffix(3).allSatisfy(\.conditional))
        XCTAssertEqual(firstLines, secondLines)
    }

    func testChangedDataGetsANewETagAndIsFetchedAgain() async throws {
        let github = try await LocalGitHub.start(
            [SeededRepository(owner: "o", name: "r", issueCount: 150)], hourlyLimit: 5000)
        _ = try await github.triage(TriageOptions(repo: "o/r"))
        await github.server.touch(repo: "o/r", number: 3)
        let (summary, _) = try await github.triage(TriageOptions(repo: "o/r"))
        try await github.stop()
        XCTAssertEqual(summary.pagesNotModified, 0)
    }

    func testDiskTierLetsANewClientRevalidateInsteadOfDownloading() async throws {
        let github = try await LocalGitHub.start(
            [SeededRepository(owner: "o", name: "r", issueCount: 120)], hourlyLimit: 5000, cacheDirectory: true)
        _ = try await github.triage(TriageOptions(repo: "o/r"))
        let fresh = try github.secondClient(cacheDirectory: true)
        let (summary, lines) = try await github.triage(TriageOptions(repo: "o/r"), client: fresh)
        try await fresh.shutdown()
        try await github.stop()
        XCTAssertEqual(summary.pagesNotModified, 2)
        assertEachNumberOnce(lines, count: 120)
    }

    func testMemoryTierStaysUnderItsBound() throws {
        let cache = try ResponseCache(memoryLimitBytes: 10_000)
        for i in 0..<100 {
            cache.store(
                "k\(i)",
                CachedResponse(
                    etag: "e", lastModified: nil, link: nil, storedAt: 0, body: Data(repeating: 1, count: 1000)))
        }
        XCTAssertLessThanOrEqual(cache.memoryBytes, 10_000)
        XCTAssertNotNil(cache.lookup("k99"), "the newest entry is kept")
        XCTAssertNil(cache.lookup("k0"), "the oldest entry was evicted")
    }
}
