import GitHubTestServer
import IssueStream
import XCTest

final class StreamingTests: XCTestCase {
    func testPrefetchesExactlyOnePageAhead() async throws {
        let github = try await LocalGitHub.start([SeededRepository(owner: "o", name: "r", issueCount: 500)])
        let first = "\(github.server.baseURL)/repos/o/r/issues?state=all&per_page=100"
        let iterator = IssuePages(client: github.client, firstURL: first, repo: "o/r").makeAsyncIterator()
        let page = try await iterator.next()
        XCTAssertEqual(page?.index, 1)
        // The consumer holds page 1; give the prefetch time to finish, then check nothing more went out.
        var requests = 0
        for _ in 0..<50 {
            try await Task.sleep(for: .milliseconds(20))
            requests = await github.server.requestLog().count
            if requests >= 2 { break }
        }
        try await Task.sleep(for: .milliseconds(100))
        requests = await github.server.requestLog().count
        XCTAssertEqual(requests, 2, "page 1 and the prefetched page 2, no more")
        let second = try await iterator.next()
        XCTAssertEqual(second?.index, 2)
        XCTAssertEqual(second?.url.contains("page=2"), true)
        try await github.stop()
    }
}
