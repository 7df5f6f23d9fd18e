import GitHubTestServer
import IssueStream
import XCTest

final class BadInputTests: XCTestCase {
    func testUnknownRepositoryStopsWithA404Error() async throws {
        let github = try await LocalGitHub.start([SeededRepository(owner: "o", name: "r", issueCount: 5)])
        let (summary, lines) = try await github.triage(TriageOptions(repo: "o/missing"))
        try await github.stop()
        XCTAssertEqual(summary.stoppedBy, .repositoryNotFound(repo: "o/missing", apiURL: github.server.baseURL))
        XCTAssertEqual(lines.count, 1)
        XCTAssertTrue(lines[0].runError?.contains("o/missing not found") == true)
    }

    func testBadTokenStopsWith401AndNeverShowsTheToken() async throws {
        let secret = "ghp_secret_value_123"
        let github = try await LocalGitHub.start(
            [SeededRepository(owner: "o", name: "r", issueCount: 5)], token: secret)
        let (summary, lines) = try await github.triage(TriageOptions(repo: "o/r"))
        try await github.stop()
        guard case .badCredentials? = summary.stoppedBy else {
            return XCTFail("expected 401, got \(String(describing: summary.stoppedBy))")
        }
        XCTAssertFalse(summary.stoppedBy!.description.contains(secret))
        XCTAssertTrue(summary.stoppedBy!.description.contains("$TEST_TOKEN"))
        XCTAssertFalse(lines.contains { ($0.runError ?? "").contains(secret) })
    }

    func testElementsThatAreNotIssuesAreRecordedNotSkipped() async throws {
        let github = try await LocalGitHub.start([
            SeededRepository(owner: "o", name: "r", issueCount: 40, malformedIssues: [4, 17])
        ])
        let (summary, lines) = try await github.triage(TriageOptions(repo: "o/r"))
        try await github.stop()
        XCTAssertEqual(summary.failed, 2)
        XCTAssertEqual(lines.count, 40)
        let failures = lines.filter { $0.error != nil }
        XCTAssertEqual(failures.compactMap(\.id), [1_000_004, 1_000_017])
        XCTAssertTrue(failures.allSatisfy { $0.error!.contains("not a GitHub issue") })
    }

    func testAnObjectInsteadOfAListStopsTheRun() async throws {
        var repository = SeededRepository(owner: "o", name: "r", issueCount: 5)
        repository.listAnswersObject = true
        let github = try await LocalGitHub.start([repository])
        let (summary, _) = try await github.triage(TriageOptions(repo: "o/r"))
        try await github.stop()
        guard case .notGitHubJSON? = summary.stoppedBy else {
            return XCTFail("got \(String(describing: summary.stoppedBy))")
        }
    }

    func testMultiMegabyteBodyIsRecordedAsNotProcessed() async throws {
        let github = try await LocalGitHub.start([
            SeededRepository(owner: "o", name: "r", issueCount: 30, hugeBodies: [12: 5 << 20])
        ])
        let (summary, lines) = try await github.triage(TriageOptions(repo: "o/r"))
        try await github.stop()
        XCTAssertNil(summary.stoppedBy)
        XCTAssertEqual(lines.count, 30)
        XCTAssertTrue(lines[11].error?.contains("over the 1048576-byte limit") == true, "\(lines[11])")
    }

    func testAServerThatNeverAnswersStopsAfterTheRetries() async throws {
        let github = try await LocalGitHub.start(
            [SeededRepository(owner: "o", name: "r", issueCount: 30)],
            faults: FaultPlan(randomRate: 1, randomFaults: [.noAnswer]),
            stallSeconds: 3
        ) {
            $0.readTimeout = 0.3
            $0.maxRetries = 2
        }
        let (summary, lines) = try await github.triage(TriageOptions(repo: "o/r"))
        try await github.stop()
        guard case .unreachable(_, let attempts, _)? = summary.stoppedBy else {
            return XCTFail("got \(String(describing: summary.stoppedBy))")
        }
        XCTAssertEqual(attempts, 3)
        XCTAssertNotNil(lines.last?.runError)
    }

    func testRulesFileWithAnUnknownFieldIsRejectedByName() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rules-\(UUID().uuidString).json").path
        try Data(#"{"kindz": {}}"#.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertThrowsError(try TriageRules.load(path: path)) { error in
            XCTAssertTrue("\(error)".contains("unknown field kindz"), "\(error)")
        }
    }

    func testRulesFileOverridesOnlyWhatItNames() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rules-\(UUID().uuidString).json").path
        try Data(#"{"highPriorityAt": 90, "areas": {"networking": ["socket"]}}"#.utf8).write(
            to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let rules = try TriageRules.load(path: path)
        XCTAssertEqual(rules.highPriorityAt, 90)
        XCTAssertEqual(rules.areas, ["networking": ["socket"]])
        XCTAssertEqual(rules.kinds, TriageRules.defaults.kinds)
    }
}
