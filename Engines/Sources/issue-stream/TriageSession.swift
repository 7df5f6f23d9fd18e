import EngineCommandLine
import Foundation
import IssueStream
import MemoryGovernor
import Metrics
import Prometheus
import SoakGateBasics
import Synchronization

/// The part of `triage` and `demo` that runs a triage: governor, client, cache, metrics,
/// progress, summary, and the governor's report.
enum TriageSession {
    /// A governor and where its report goes, made once per process (the demo's two runs share it).
    struct Governed {
        let governor: MemoryGovernor
        let memory: MemoryOptions
        /// The `/metrics` registry the governor's gauges are in, when `--metrics-listen` was given.
        let registry: PrometheusCollectorRegistry?

        /// Makes the governor first, before any file, cache directory or connection, so a budget it
        /// refuses touches nothing; with `metricsListen`, its gauges go to the registry `/metrics` serves.
        init(memory: MemoryOptions, metricsListen: ListenAddress?) throws {
            let registry = metricsListen.map { _ in PrometheusCollectorRegistry() }
            self.registry = registry
            self.memory = memory
            governor = try memory.makeGovernor(
                metrics: registry.map { PrometheusMetricsFactory(registry: $0) } ?? MetricsSystem.factory)
        }

        /// Runs `body` and writes the report however the run ends (finished, stopped, failed); a
        /// report that cannot be written turns a success into exit 1. A bad flag or file found
        /// before the run started (exit 2) writes nothing, the report included.
        func reporting(_ body: () async throws -> Int32) async throws -> Int32 {
            let code: Int32
            do { code = try await body() } catch {
                if !IssueStreamCommand.isUsage(error) { _ = memory.writeReport(governor) }
                throw error
            }
            let written = memory.writeReport(governor)
            return code == 0 && !written ? 1 : code
        }
    }

    /// Runs and prints the summary to standard error (one line for a run that stopped); returns
    /// the exit code. Throws, before any request, for a setting the client or run refuses.
    /// `resumeCommand` is what to type to complete a run that stopped.
    static func run(
        configuration: GitHubClientConfiguration, options: TriageOptions, cacheDirectory: String?, cacheTTL: Double,
        metricsListen: ListenAddress?, metricsPublicly: Bool = false, clock: any IssueStreamClock, governed: Governed,
        resumeCommand: @autoclosure () -> String
    ) async throws -> Int32 {
        if let token = configuration.token { CommandOutput.hide(token) }
        let cache = try ResponseCache(directory: cacheDirectory.map { URL(fileURLWithPath: $0) }, ttl: cacheTTL)
        let metrics =
            governed.registry.map { IssueStreamMetrics(factory: PrometheusMetricsFactory(registry: $0)) }
            ?? IssueStreamMetrics()
        // The client first: it refuses a bad URL or setting before the endpoint starts serving.
        let client = try GitHubClient(configuration: configuration, clock: clock, cache: cache, metrics: metrics)
        var endpoint: MetricsEndpoint?
        if let metricsListen, let registry = governed.registry {
            do {
                let started = try await MetricsEndpoint.start(
                    registry: registry, host: metricsListen.host, port: metricsListen.port, publicly: metricsPublicly)
                endpoint = started
                CommandOutput.note(
                    "metrics at http://\(ListenAddress(host: metricsListen.host, port: started.port).authority)/metrics"
                )
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
        let governor = governed.governor
        // Dropped by the governor when pressure first reaches throttle, and again at emergency.
        governor.registerCache("issue-stream.responses") { cache.dropMemory() }
        // Only on a terminal: elsewhere standard error holds the run's own lines alone. The total
        // is not known before the last page, so it counts pages without a bar.
        let bar = ProgressBar(unit: "pages", plainLines: .none)
        let summary: TriageSummary
        do {
            summary = try await TriageRun.run(client: client, options: options, governor: governor) { progress in
                bar.update(
                    done: progress.pages, total: nil,
                    detail: "\(progress.items) items"
                        + (progress.rateLimitRemaining.map { ", rate limit left \($0)" } ?? ""))
            }
        } catch let error as AdmissionError {
            bar.finish()
            try? await client.shutdown()
            await endpoint?.stop()
            // As for a budget below the starting usage: room for what is in use below the warning
            // level, plus 16 MiB of work.
            let needed = Int((Double(error.usageBytes) / governor.thresholds.warn).rounded(.up)) + (16 << 20)
            throw CommandFailure.usage(
                "--memory-budget \(governed.memory.memoryBudget.map { "\($0)" } ?? "not given"): \(error); give at least \((needed + (1 << 20) - 1) >> 20) MiB"
            )
        } catch {
            bar.finish()
            try? await client.shutdown()
            await endpoint?.stop()
            throw error
        }
        bar.finish()
        try await client.shutdown()
        await endpoint?.stop()
        if let stopped = summary.stoppedBy {
            // One line: what stopped the run, where it got to, where its lines are, what to type.
            CommandOutput.error(
                "\(stopped.description) [\(whereItGot(summary, stoppedBy: stopped, options: options, resumeCommand: resumeCommand()))]"
            )
            return 1
        }
        var text =
            "\(options.repo): \(summary.pages) pages (\(summary.pagesNotModified) not modified), \(summary.triaged) triaged, "
        text += "\(summary.skipped) pull requests skipped, \(summary.failed) not processed"
        if options.apply {
            text +=
                ", \(summary.labelsAdded) labels and \(summary.commentsAdded) comments added, \(summary.applyFailed) apply failures"
        }
        if let resumed = summary.resumedFrom {
            text += "; resumed after the \(summary.linesKept) lines kept from \(resumed)"
        }
        text += String(
            format: "; per-issue latency p50 %.1f ms, p95 %.1f ms", summary.latency.percentile(50) * 1000,
            summary.latency.percentile(95) * 1000)
        CommandOutput.note(text)
        if summary.failed > 0 {
            CommandOutput.note(
                "\(summary.failed) items could not be processed; their lines in \(options.outputPath ?? "the output") say why"
            )
        }
        return 0
    }

    /// The bracketed part of a stop line: how far the run got, where its lines are, and the
    /// command that completes it.
    static func whereItGot(
        _ summary: TriageSummary, stoppedBy: IssueStreamError, options: TriageOptions, resumeCommand: String
    ) -> String {
        var text =
            "after \(summary.pages) page\(summary.pages == 1 ? "" : "s"); \(summary.linesWritten) lines written by this run"
        if summary.resumedFrom != nil { text += " after the \(summary.linesKept) kept" }
        // The governor's stop is completed by the same budget; any other is, once its cause is fixed.
        let complete: String
        if case .memoryStop = stoppedBy {
            complete = "to complete it, type:"
        } else {
            complete = "once that is fixed, this completes it:"
        }
        guard let path = options.outputPath else {
            guard summary.linesWritten > 0 else { return text }
            return text + " are on standard output; save them in a file FILE, then \(complete) \(resumeCommand)"
        }
        if let file = summary.linesFile {
            text += "; all lines so far and the run_error line are in \(file)"
            if file != path { text += " (\(path) from an earlier run left as it was)" }
        } else if summary.earlierOutputKept {
            text += "; \(summary.resumedFrom ?? path) left as it was"
        }
        // Every stop leaves lines a rerun can continue, whatever stopped it.
        guard summary.linesWritten + summary.linesKept > 0 else { return text }
        return text + "; \(complete) \(resumeCommand)"
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

    /// Writes `line` as one line, with every hidden secret shown as `***`.
    static func write(_ line: String) {
        var text = StandardError.oneLine(line)
        for secret in hidden.withLock({ $0 }) where text.contains(secret) { text = text.replacing(secret, with: "***") }
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
