import GitHubTestServer
import IssueStream
import Prometheus
import XCTest

final class MetricsTests: XCTestCase {
    func testRunCountsRequestsNotModifiedAndIssuesAndServesThemAtSlashMetrics() async throws {
        let github = try await LocalGitHub.start(
            [SeededRepository(owner: "o", name: "r", issueCount: 120, pullRequestEvery: 0)], hourlyLimit: 5000)
        let registry = PrometheusCollectorRegistry()
        let metrics = IssueStreamMetrics(factory: PrometheusMetricsFactory(registry: registry))
        let client = try GitHubClient(
            configuration: GitHubClientConfiguration(apiURL: github.server.baseURL, token: LocalGitHub.token),
            clock: github.clock,
            cache: try ResponseCache(), metrics: metrics)
        _ = try await github.triage(TriageOptions(repo: "o/r"), client: client)
        _ = try await github.triage(TriageOptions(repo: "o/r"), client: client)
        let endpoint = try await MetricsEndpoint.start(registry: registry, host: "127.0.0.1", port: 0)
        let served = try await client.get("http://127.0.0.1:\(endpoint.port)/metrics", bypassCache: true)
        await endpoint.stop()
        try await client.shutdown()
        try await github.stop()
        let text = String(decoding: served.body, as: UTF8.self)
        XCTAssertTrue(text.contains(#"issue_stream_requests_total{status="200"} 2"#), text)
        XCTAssertTrue(text.contains(#"issue_stream_requests_total{status="304"} 2"#), text)
        XCTAssertTrue(text.contains("issue_stream_not_modified_total 2"), text)
        XCTAssertTrue(text.contains(#"issue_stream_cache_hits_total{tier="memory"} 2"#), text)
        XCTAssertTrue(text.contains(#"issue_stream_issues_processed_total{outcome="triaged"} 240"#), text)
        XCTAssertTrue(text.contains("issue_stream_rate_limit_remaining 4998"), text)
        XCTAssertTrue(text.contains("issue_stream_issue_latency_seconds_count 240"), text)
    }
}
