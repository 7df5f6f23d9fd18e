import GitHubTestServer
import IssueStream
import XCTest

final class PaginationTests: XCTestCase {
    func testFollowsLinkHeadersAndListsEveryIssueOnceInOrder() async throws {
        let github = try await LocalGitHub.start([SeededRepository(owner: "o", name: "r", issueCount: 250)])
        let (summary, lines) = try await github.triage(TriageOptions(repo: "o/r"))
        try await github.stop()
        XCTAssertEqual(summary.pages, 3)
        assertEachNumberOnce(lines, count: 250)
        XCTAssertNil(summary.stoppedBy)
        let log = await github.server.requestLog()
        XCTAssertEqual(log.count, 3)
        XCTAssertTrue(
            log[1].target.contains("page=2"), "the second request is the server's own next link: \(log[1].target)")
        XCTAssertTrue(log.allSatisfy { $0.target.contains("per_page=100") && $0.target.contains("state=all") })
    }

    func testPullRequestsAreListedAsSkippedUnlessAsked() async throws {
        let github = try await LocalGitHub.start([
            SeededRepository(owner: "o", name: "r", issueCount: 30, pullRequestEvery: 5)
        ])
        let (summary, lines) = try await github.triage(TriageOptions(repo: "o/r"))
        XCTAssertEqual(summary.skipped, 6)
        XCTAssertEqual(lines.filter { $0.skipped != nil }.compactMap(\.number), [5, 10, 15, 20, 25, 30])
        let (withPRs, _) = try await github.triage(TriageOptions(repo: "o/r", includePullRequests: true))
        try await github.stop()
        XCTAssertEqual(withPRs.skipped, 0)
        XCTAssertEqual(withPRs.triaged, 30)
    }

    func testSinceListsOnlyIssuesUpdatedAfterIt() async throws {
        let github = try await LocalGitHub.start([SeededRepository(owner: "o", name: "r", issueCount: 100)])
        // Issue n is created at 1_700_000_000 + 60 n and updated within the hour after.
        let (_, lines) = try await github.triage(TriageOptions(repo: "o/r", since: "2023-11-14T23:30:00Z"))
        try await github.stop()
        let numbers = lines.compactMap(\.number)
        XCTAssertFalse(numbers.isEmpty)
        XCTAssertTrue(numbers.count < 100)
        XCTAssertFalse(numbers.contains(1), "issue 1 was updated before --since")
        XCTAssertEqual(numbers, numbers.sorted())
    }

    func testTouchedIssueShowsUpInTheNextIncrementalRun() async throws {
        let github = try await LocalGitHub.start([SeededRepository(owner: "o", name: "r", issueCount: 50)])
        try await github.clock.sleep(seconds: 86_400 * 365 * 5)
        let now = github.clock.now()
        await github.server.touch(repo: "o/r", number: 7)
        let since = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: now - 1))
        let (_, lines) = try await github.triage(TriageOptions(repo: "o/r", since: since))
        try await github.stop()
        XCTAssertEqual(lines.compactMap(\.number), [7])
    }
}
