import CommandTestSupport
import Foundation
import GitHubTestServer
import XCTest

/// The `issue-stream` executable, run as a user would.
final class CommandTests: XCTestCase {
    func testTriageWritesTheOutputFileAndExitsZero() async throws {
        let server = try await GitHubTestServer.start(
            GitHubServerConfiguration(
                repositories: [SeededRepository(owner: "o", name: "r", issueCount: 150)], tokens: ["t0k"],
                hourlyLimit: 5000))
        let directory = try Command.temporaryDirectory(self)
        let out = directory + "/decisions.jsonl"
        let outcome = try Command.run(
            "issue-stream",
            ["triage", "--api-url", server.baseURL, "--repo", "o/r", "--out", out, "--token-env", "MY_TOKEN"],
            environment: ["MY_TOKEN": "t0k"])
        await server.stop()
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 150)
        XCTAssertFalse(outcome.standardError.contains("t0k"), "the token is never printed")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter {
            $0.contains(".partial-")
        }
        XCTAssertEqual(leftovers, [], "the temporary file was renamed into place")
    }

    func testUnknownRepositoryExitsOneWithOneClearLine() async throws {
        let server = try await GitHubTestServer.start(GitHubServerConfiguration(repositories: []))
        let directory = try Command.temporaryDirectory(self)
        let outcome = try Command.run(
            "issue-stream",
            ["triage", "--api-url", server.baseURL, "--repo", "o/nope", "--out", directory + "/x.jsonl"])
        await server.stop()
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(outcome.standardError.contains("error: repository o/nope not found"), outcome.standardError)
    }

    func testBadRepoArgumentSaysWhatToType() throws {
        let outcome = try Command.run(
            "issue-stream", ["triage", "--api-url", "http://127.0.0.1:1", "--repo", "justaname"])
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(outcome.standardError.contains("try --repo"), outcome.standardError)
    }

    func testDemoRunsOfflineAndTheSecondRunAddsNothing() throws {
        let directory = try Command.temporaryDirectory(self)
        let outcome = try Command.run("issue-stream", ["demo", "--issues", "80", "--out", directory + "/demo.jsonl"])
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        XCTAssertTrue(outcome.standardError.contains("0 labels and 0 comments added"), outcome.standardError)
        XCTAssertEqual(
            try String(contentsOfFile: directory + "/demo.jsonl", encoding: .utf8).split(separator: "\n").count, 80)
    }
}
