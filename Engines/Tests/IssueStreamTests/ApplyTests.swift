import GitHubTestServer
import IssueStream
import XCTest

final class ApplyTests: XCTestCase {
    func testApplyAddsLabelsAndOneMarkedCommentAndARerunAddsNothing() async throws {
        let github = try await LocalGitHub.start([SeededRepository(owner: "o", name: "r", issueCount: 60)])
        let (first, lines) = try await github.triage(TriageOptions(repo: "o/r", apply: true))
        let openIssues = lines.filter { $0.state == "open" && $0.kind != nil }
        XCTAssertGreaterThan(first.commentsAdded, 0)
        XCTAssertEqual(first.commentsAdded, openIssues.count)
        for line in openIssues.prefix(10) {
            let labels = await github.server.labels(repo: "o/r", number: line.number!)
            XCTAssertTrue(Set(line.labels!).isSubset(of: Set(labels)), "#\(line.number!): \(labels)")
            let comments = await github.server.comments(repo: "o/r", number: line.number!)
            XCTAssertEqual(comments.count, 1)
            XCTAssertTrue(comments[0].hasPrefix(IssueApplier.marker))
        }
        let postsAfterFirst = await github.server.requestLog().filter { $0.method == "POST" }.count
        let (second, secondLines) = try await github.triage(TriageOptions(repo: "o/r", apply: true))
        let postsAfterSecond = await github.server.requestLog().filter { $0.method == "POST" }.count
        try await github.stop()
        XCTAssertEqual(second.labelsAdded, 0)
        XCTAssertEqual(second.commentsAdded, 0)
        XCTAssertEqual(postsAfterSecond, postsAfterFirst, "a rerun writes nothing")
        XCTAssertTrue(secondLines.allSatisfy { $0.commented != true })
    }

    func testClosedIssuesArePassedOverByApply() async throws {
        let github = try await LocalGitHub.start([SeededRepository(owner: "o", name: "r", issueCount: 40)])
        let (_, lines) = try await github.triage(TriageOptions(repo: "o/r", apply: true))
        for line in lines where line.state == "closed" {
            let comments = await github.server.comments(repo: "o/r", number: line.number!)
            XCTAssertTrue(comments.isEmpty)
        }
        try await github.stop()
        XCTAssertTrue(lines.contains { $0.state == "closed" })
    }

    func testApplyToAMissingRepositoryFailsWith404() async throws {
        let github = try await LocalGitHub.start([
            SeededRepository(owner: "o", name: "r", issueCount: 3, pullRequestEvery: 0)
        ]) {
            $0.maxRetries = 0
        }
        // Writes to a repository the server lacks fail with 404.
        let applier = IssueApplier(client: github.client, repo: "o/gone")
        let issue = GitHubIssue(
            number: 1, title: "Crash", body: nil, state: "open", labels: [], comments: 0, pull_request: nil)
        do {
            _ = try await applier.apply(issue, TriageLine(number: 1, kind: "bug", priority: 50, labels: ["kind/bug"]))
            XCTFail("writing to a missing repository must fail")
        } catch {
            XCTAssertTrue("\(error)".contains("404"), "\(error)")
        }
        try await github.stop()
    }
}
