import GitHubTestServer
import IssueStream
import XCTest

final class PacingTests: XCTestCase {
    /// A repository that needs more requests than an hour's budget: the pacer must use nearly
    /// all of it and never meet the primary limit.
    func testUsesTheBudgetWithoutPrimaryLimitErrors() async throws {
        let github = try await LocalGitHub.start(
            [SeededRepository(owner: "o", name: "r", issueCount: 900)], hourlyLimit: 60
        ) { $0.maxRetries = 0 }
        let start = github.clock.now()
        let (summary, lines) = try await github.triage(TriageOptions(repo: "o/r", perPage: 5))
        let log = await github.server.requestLog()
        try await github.stop()
        XCTAssertNil(summary.stoppedBy)
        assertEachNumberOnce(lines, count: 900)
        XCTAssertEqual(log.filter { $0.status == 403 }.count, 0, "no primary-limit answers")
        let firstHour = log.filter { $0.time < start + 3600 && $0.spentBudget }.count
        XCTAssertGreaterThanOrEqual(Double(firstHour) / 60, 0.95, "used \(firstHour) of 60 in the first hour")
        XCTAssertEqual(log.count, 180)
    }

    func testSecondaryLimitsWithAndWithoutRetryAfterLoseNothing() async throws {
        let github = try await LocalGitHub.start(
            [SeededRepository(owner: "o", name: "r", issueCount: 400)], hourlyLimit: 5000,
            secondary: SecondaryLimits(concurrentRequests: 100, requestsPerMinute: 5, omitRetryAfterEvery: 2)
        ) { $0.requestsPerMinute = 0 }
        let (summary, lines) = try await github.triage(TriageOptions(repo: "o/r", perPage: 20))
        let log = await github.server.requestLog()
        try await github.stop()
        XCTAssertNil(summary.stoppedBy)
        assertEachNumberOnce(lines, count: 400)
        XCTAssertTrue(log.contains { $0.status == 429 }, "the test must meet the secondary limit")
    }

    func testWritesAreAtLeastOneSecondApart() async throws {
        let github = try await LocalGitHub.start([SeededRepository(owner: "o", name: "r", issueCount: 20)])
        _ = try await github.triage(TriageOptions(repo: "o/r", apply: true))
        let writes = await github.server.requestLog().filter { $0.method == "POST" }
        try await github.stop()
        XCTAssertGreaterThan(writes.count, 5)
        for (a, b) in zip(writes, writes.dropFirst()) { XCTAssertGreaterThanOrEqual(b.time - a.time, 1.0) }
    }
}
