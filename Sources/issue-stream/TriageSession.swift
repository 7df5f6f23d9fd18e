import Foundation
import IssueStream
import Metrics
import MemoryGovernor
import Prometheus

/// The part of `triage` and `demo` that runs a triage: client, cache, metrics, progress, summary.
enum TriageSession {
    /// Runs and prints the summary to standard error; returns the exit code.
    static func run(
        configuration: GitHubClientConfiguration, options: TriageOptions, cacheDirectory: String?, cacheTTL: Double,
        metricsListen: ListenAddress?, clock: any IssueStreamClock
    ) async throws -> Int32 {
        var endpoint: MetricsEndpoint?
        var metrics = IssueStreamMetrics()
        if let metricsListen {
            let registry = PrometheusCollectorRegistry()
            let factory = PrometheusMetricsFactory(registry: registry)
            metrics = IssueStreamMetrics(factory: factory)
            endpoint = try await MetricsEndpoint.start(registry: registry, host: metricsListen.host, port: metricsListen.port)
            CommandOutput.note("metrics at http://\(metricsListen.host):\(endpoint!.port)/metrics")
        }
        let cache = try ResponseCache(directory: cacheDirectory.map { URL(fileURLWithPath: $0) }, ttl: cacheTTL)
        let client = try GitHubClient(configuration: configuration, clock: clock, cache: cache, metrics: metrics)
        let governor = try? MemoryGovernor.forThisProcess()
        governor?.registerCache("issue-stream.responses") { cache.dropMemory() }
        let bar = ProgressBar()
        let summary: TriageSummary
        do {
            summary = try await TriageRun.run(client: client, options: options, governor: governor) { bar.show($0) }
        } catch {
            bar.finish()
            try? await client.shutdown()
            await endpoint?.stop()
            throw error
        }
        bar.finish()
        try await client.shutdown()
        await endpoint?.stop()
        var text = "\(options.repo): \(summary.pages) pages (\(summary.pagesNotModified) not modified), \(summary.triaged) triaged, "
        text += "\(summary.skipped) pull requests skipped, \(summary.failed) not processed"
        if options.apply { text += ", \(summary.labelsAdded) labels and \(summary.commentsAdded) comments added, \(summary.applyFailed) apply failures" }
        text += String(format: "; per-issue latency p50 %.1f ms, p95 %.1f ms", summary.latency.percentile(50) * 1000, summary.latency.percentile(95) * 1000)
        CommandOutput.note(text)
        if summary.failed > 0 { CommandOutput.note("\(summary.failed) items could not be processed; their lines in \(options.outputPath ?? "the output") say why") }
        if let stopped = summary.stoppedBy {
            CommandOutput.error(stopped.description)
            return 1
        }
        return 0
    }
}

/// Lines for standard error.
enum CommandOutput {
    static func note(_ text: String) { FileHandle.standardError.write(Data(("issue-stream: " + text + "\n").utf8)) }
    static func error(_ text: String) { FileHandle.standardError.write(Data(("issue-stream: error: " + text + "\n").utf8)) }
}
