import Foundation
import IssueStream
import Metrics
import MemoryGovernor
import Prometheus
import Synchronization

/// The part of `triage` and `demo` that runs a triage: client, cache, metrics, progress, summary.
enum TriageSession {
    /// Runs and prints the summary to standard error (one line for a run that stopped); returns
    /// the exit code. Throws, before any request, for a setting the client or run refuses.
    static func run(
        configuration: GitHubClientConfiguration, options: TriageOptions, cacheDirectory: String?, cacheTTL: Double,
        metricsListen: ListenAddress?, metricsPublicly: Bool = false, clock: any IssueStreamClock
    ) async throws -> Int32 {
        if let token = configuration.token { CommandOutput.hide(token) }
        let cache = try ResponseCache(directory: cacheDirectory.map { URL(fileURLWithPath: $0) }, ttl: cacheTTL)
        var metrics = IssueStreamMetrics()
        var registry: PrometheusCollectorRegistry?
        if metricsListen != nil {
            let made = PrometheusCollectorRegistry()
            registry = made
            metrics = IssueStreamMetrics(factory: PrometheusMetricsFactory(registry: made))
        }
        // The client first: it refuses a bad URL or setting before the endpoint starts serving.
        let client = try GitHubClient(configuration: configuration, clock: clock, cache: cache, metrics: metrics)
        var endpoint: MetricsEndpoint?
        if let metricsListen, let registry {
            do {
                let started = try await MetricsEndpoint.start(
                    registry: registry, host: metricsListen.host, port: metricsListen.port, publicly: metricsPublicly)
                endpoint = started
                CommandOutput.note("metrics at http://\(ListenAddress(host: metricsListen.host, port: started.port).authority)/metrics")
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
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
        let items = summary.triaged + summary.skipped + summary.failed
        if let stopped = summary.stoppedBy {
            // One line: what stopped the run, then where it got to and where its lines are.
            var text = "\(stopped.description) [after \(summary.pages) pages and \(items) items"
            if let path = options.outputPath {
                text += summary.earlierOutputKept ? "; \(path) from an earlier run left as it was" : "; their lines and the run_error line are in \(path)"
            }
            CommandOutput.error(text + "]")
            return 1
        }
        var text = "\(options.repo): \(summary.pages) pages (\(summary.pagesNotModified) not modified), \(summary.triaged) triaged, "
        text += "\(summary.skipped) pull requests skipped, \(summary.failed) not processed"
        if options.apply { text += ", \(summary.labelsAdded) labels and \(summary.commentsAdded) comments added, \(summary.applyFailed) apply failures" }
        text += String(format: "; per-issue latency p50 %.1f ms, p95 %.1f ms", summary.latency.percentile(50) * 1000, summary.latency.percentile(95) * 1000)
        CommandOutput.note(text)
        if summary.failed > 0 { CommandOutput.note("\(summary.failed) items could not be processed; their lines in \(options.outputPath ?? "the output") say why") }
        return 0
    }
}

/// Lines for standard error. Every line is made one line (control characters become spaces)
/// and has the token hidden, whatever a server or a file put into it.
enum CommandOutput {
    /// Secrets never printed. Global because every line of the process goes through here;
    /// set once, before the first request.
    private static let hidden = Mutex<[String]>([])

    /// Hides `secret` from every later line.
    static func hide(_ secret: String) {
        guard !secret.isEmpty else { return }
        hidden.withLock { $0.append(secret) }
    }

    static func note(_ text: String) { write("issue-stream: " + text) }
    static func error(_ text: String) { write("issue-stream: error: " + text) }
    /// A bad flag, file or setting (exit 2).
    static func usage(_ text: String) { write("issue-stream: " + text) }

    private static func write(_ line: String) {
        var text = String(String.UnicodeScalarView(line.unicodeScalars.map { scalar in
            scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029 ? " " : scalar
        }))
        for secret in hidden.withLock({ $0 }) where text.contains(secret) { text = text.replacing(secret, with: "***") }
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
