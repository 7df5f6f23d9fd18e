import GitHubTestServer
import IssueStream
import XCTest

/// Every fault the local server can inject, on the second list request: the run recovers and
/// each issue is written exactly once.
final class FaultTests: XCTestCase {
    func recovers(from fault: ServerFault, readTimeout: Double = 30, file: StaticString = #filePath, line: UInt = #line)
        async throws
    {
        let github = try await LocalGitHub.start(
            [SeededRepository(owner: "o", name: "r", issueCount: 250)], hourlyLimit: 5000,
            faults: FaultPlan(scheduled: [2: fault]), stallSeconds: 5
        ) { $0.readTimeout = readTimeout }
        let (summary, lines) = try await github.triage(TriageOptions(repo: "o/r"))
        let log = await github.server.requestLog()
        try await github.stop()
        XCTAssertNil(summary.stoppedBy, "\(fault)", file: file, line: line)
        assertEachNumberOnce(lines, count: 250, file: file, line: line)
        XCTAssertEqual(log.filter { $0.fault == fault }.count, 1, "the fault was injected", file: file, line: line)
        XCTAssertEqual(log.filter { $0.method == "GET" }.count, 4, "one retry", file: file, line: line)
    }

    func testRetries500() async throws { try await recovers(from: .status(500)) }
    func testRetries502() async throws { try await recovers(from: .status(502)) }
    func testRetries503() async throws { try await recovers(from: .status(503)) }
    func testRetries504() async throws { try await recovers(from: .status(504)) }
    func testRetriesTruncatedJSON() async throws { try await recovers(from: .truncatedJSON) }
    func testRetriesConnectionReset() async throws { try await recovers(from: .connectionReset) }
    func testRetriesStalledBodyAfterReadTimeout() async throws {
        try await recovers(from: .stalledBody, readTimeout: 0.5)
    }
    func testRetriesNoAnswerAfterReadTimeout() async throws { try await recovers(from: .noAnswer, readTimeout: 0.5) }
    func testRetriesSecondaryLimitWithRetryAfter() async throws {
        try await recovers(from: .secondaryLimit(status: 403, retryAfter: 30))
    }
    func testRetriesSecondaryLimitWithoutRetryAfter() async throws {
        try await recovers(from: .secondaryLimit(status: 429, retryAfter: nil))
    }

    func testSlowBodyIsReadWhole() async throws {
        let github = try await LocalGitHub.start(
            [SeededRepository(owner: "o", name: "r", issueCount: 150)],
            faults: FaultPlan(scheduled: [1: .slowBody(millisecondsPerChunk: 50)]))
        let (summary, lines) = try await github.triage(TriageOptions(repo: "o/r"))
        try await github.stop()
        XCTAssertNil(summary.stoppedBy)
        assertEachNumberOnce(lines, count: 150)
    }

    func testRandomFaultsOnEveryKindLoseNoIssue() async throws {
        let faults: [ServerFault] = [
            .status(500), .status(502), .status(503), .status(504), .truncatedJSON, .connectionReset,
            .secondaryLimit(status: 403, retryAfter: nil), .secondaryLimit(status: 429, retryAfter: 2),
        ]
        let github = try await LocalGitHub.start(
            [SeededRepository(owner: "o", name: "r", issueCount: 1000)], hourlyLimit: 5000,
            faults: FaultPlan(randomRate: 0.3, randomFaults: faults, seed: 99)
        ) { $0.maxRetries = 8 }
        let (summary, lines) = try await github.triage(TriageOptions(repo: "o/r", perPage: 25))
        let log = await github.server.requestLog()
        try await github.stop()
        XCTAssertNil(summary.stoppedBy)
        assertEachNumberOnce(lines, count: 1000)
        XCTAssertGreaterThan(log.filter { $0.fault != nil }.count, 5)
    }
}
