import Metrics

/// The engine's metrics, made through a swift-metrics factory (Prometheus in the CLI; a test's
/// own factory in tests), so nothing here touches the process-global metrics system.
public struct IssueStreamMetrics: Sendable {
    let factory: any MetricsFactory

    /// Metrics made by `factory` (by default the bootstrapped global one).
    public init(factory: any MetricsFactory = MetricsSystem.factory) { self.factory = factory }

    func request(status: String) {
        Counter(label: "issue_stream_requests_total", dimensions: [("status", status)], factory: factory).increment()
    }
    func notModified() { Counter(label: "issue_stream_not_modified_total", factory: factory).increment() }
    func cacheHit(tier: CacheTier) {
        Counter(label: "issue_stream_cache_hits_total", dimensions: [("tier", tier.rawValue)], factory: factory)
            .increment()
    }
    func cacheMiss() { Counter(label: "issue_stream_cache_misses_total", factory: factory).increment() }
    func rateLimitRemaining(_ value: Int) {
        Gauge(label: "issue_stream_rate_limit_remaining", factory: factory).record(value)
    }
    func limitError(primary: Bool) {
        Counter(
            label: "issue_stream_rate_limit_errors_total", dimensions: [("limit", primary ? "primary" : "secondary")],
            factory: factory
        ).increment()
    }
    func issueProcessed(outcome: String) {
        Counter(label: "issue_stream_issues_processed_total", dimensions: [("outcome", outcome)], factory: factory)
            .increment()
    }
    func issueLatency(nanoseconds: Int64) {
        Timer(label: "issue_stream_issue_latency_seconds", factory: factory).recordNanoseconds(nanoseconds)
    }
}
