#if LivePage
import Foundation
import Prometheus
import SoakGate
import SoakGateHTTP
import Synchronization

/// What a running soak shows on its live page and at `/metrics`: the latest reading of each
/// workload, a bounded timeline, and Prometheus metrics (swift-prometheus).
public final class SoakLiveState: Sendable {
    /// Points kept per workload; when full, every other point is dropped, so the timeline
    /// always spans the whole soak at halving resolution.
    static let timelineLimit = 1200

    private struct Workload {
        var points: [(seconds: Double, retained: Double)] = []
        var segment = -1
        var carried = 0.0
        var firstLive = 0
        var lastIterations = 0
        var latest: SoakSample?
        var bytesPerHour: Double?
        var alerts: [String] = []
    }

    private struct WorkloadMetrics: Sendable {
        var live: Gauge, retained: Gauge, resident: Gauge, processResident: Gauge, rate: Gauge
        var iterations: Counter, samples: Counter
    }

    public let registry = PrometheusCollectorRegistry()
    private let manifest: SoakManifest
    private let elapsed: Gauge
    private let metrics: [String: WorkloadMetrics]
    private let state = Mutex<[String: Workload]>([:])

    /// `soakgate_soak_<metric>_<unit>`, with its help text.
    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "soakgate", subsystem: "soak", metricName: metric, unitName: unit, helpText: help)
    }

    public init(manifest: SoakManifest) {
        self.manifest = manifest
        registry.makeGauge(descriptor: Self.name("duration", "seconds", "Planned length of the soak."), labels: []).set(
            to: manifest.durationSeconds)
        elapsed = registry.makeGauge(
            descriptor: Self.name("elapsed", "seconds", "Soak time reached by the latest reading."), labels: [])
        var metrics: [String: WorkloadMetrics] = [:]
        for name in manifest.workloads {
            let labels = [("workload", name)]
            metrics[name] = WorkloadMetrics(
                live: registry.makeGauge(
                    descriptor: Self.name("live", "bytes", "jemalloc stats.allocated of the soaking process."),
                    labels: labels),
                retained: registry.makeGauge(
                    descriptor: Self.name("retained", "bytes", "Live bytes gained since the soak began."),
                    labels: labels),
                resident: registry.makeGauge(
                    descriptor: Self.name("allocator_resident", "bytes", "jemalloc stats.resident."), labels: labels),
                processResident: registry.makeGauge(
                    descriptor: Self.name("process_resident", "bytes", "Resident set size of the soaking process."),
                    labels: labels),
                rate: registry.makeGauge(
                    descriptor: Self.name("bytes_per", "hour", "Theil-Sen growth rate over the alert window."),
                    labels: labels),
                iterations: registry.makeCounter(
                    descriptor: Self.name("iterations", "total", "Iterations completed."), labels: labels),
                samples: registry.makeCounter(
                    descriptor: Self.name("samples", "total", "Readings taken."), labels: labels))
        }
        self.metrics = metrics
    }

    /// Takes in readings already on disk (a resumed soak), without counting them as new.
    public func prime(with samples: [SoakSample]) {
        for sample in samples { record(sample, bytesPerHour: nil, alerts: []) }
    }

    /// Records a reading that is on disk.
    public func record(_ sample: SoakSample, bytesPerHour: Double?, alerts: [SoakAlertMonitor.Alert]) {
        let (retained, newIterations) = state.withLock { all -> (Double, Int) in
            var workload = all[sample.workload] ?? Workload()
            if sample.segment != workload.segment {
                workload.carried = workload.points.last?.retained ?? 0
                workload.firstLive = sample.liveBytes
                workload.segment = sample.segment
            }
            let retained = workload.carried + Double(sample.liveBytes - workload.firstLive)
            workload.points.append((sample.elapsedSeconds, retained))
            if workload.points.count > Self.timelineLimit {
                workload.points = workload.points.enumerated().filter {
                    $0.offset % 2 == 0 || $0.offset == workload.points.count - 1
                }.map(\.element)
            }
            let added = max(0, sample.iterations - workload.lastIterations)
            workload.lastIterations = sample.iterations
            workload.latest = sample
            if let bytesPerHour { workload.bytesPerHour = bytesPerHour }
            workload.alerts.append(contentsOf: alerts.map(\.message))
            all[sample.workload] = workload
            return (retained, added)
        }
        guard let metrics = metrics[sample.workload] else { return }
        elapsed.set(to: sample.elapsedSeconds)
        metrics.live.set(to: Double(sample.liveBytes))
        metrics.retained.set(to: retained)
        metrics.resident.set(to: Double(sample.residentBytes))
        metrics.processResident.set(to: Double(sample.processResidentBytes))
        if let bytesPerHour { metrics.rate.set(to: bytesPerHour) }
        metrics.iterations.increment(by: Int64(newIterations))
        metrics.samples.increment()
        for alert in alerts {
            registry.makeCounter(
                descriptor: Self.name("alerts", "total", "Alerts raised."),
                labels: [("workload", alert.workload), ("kind", alert.kind.rawValue)]
            ).increment()
        }
    }

    /// The answer to a GET of `path`.
    public func response(for path: String) -> LoopbackHTTPServer.Response {
        switch path {
        case "/metrics":
            return LoopbackHTTPServer.Response(
                status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: registry.emitToBuffer())
        case "/timeline.json":
            return LoopbackHTTPServer.Response(status: 200, contentType: "application/json", body: timelineJSON())
        case "/", "/index.html":
            return LoopbackHTTPServer.Response(
                status: 200, contentType: "text/html; charset=utf-8", body: Array(LivePage.html.utf8))
        default:
            return .text(404, "not found; try /, /metrics or /timeline.json\n")
        }
    }

    struct Timeline: Encodable {
        struct Entry: Encodable {
            var name: String
            var points: [[Double]]
            var liveBytes: Int?
            var retainedBytes: Double?
            var iterations: Int?
            var bytesPerHour: Double?
            var alerts: [String]
        }
        var durationSeconds: Double
        var elapsedSeconds: Double
        var intervalSeconds: Double
        var workloads: [Entry]
    }

    func timelineJSON() -> [UInt8] {
        let timeline = state.withLock { all in
            Timeline(
                durationSeconds: manifest.durationSeconds,
                elapsedSeconds: all.values.compactMap { $0.latest?.elapsedSeconds }.max() ?? 0,
                intervalSeconds: manifest.intervalSeconds,
                workloads: manifest.workloads.map { name in
                    let workload = all[name]
                    return Timeline.Entry(
                        name: name, points: workload?.points.map { [$0.seconds, $0.retained] } ?? [],
                        liveBytes: workload?.latest?.liveBytes, retainedBytes: workload?.points.last?.retained,
                        iterations: workload?.latest?.iterations, bytesPerHour: workload?.bytesPerHour,
                        alerts: workload?.alerts.suffix(5).map { $0 } ?? [])
                })
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return Array((try? encoder.encode(timeline)) ?? Data("{}".utf8))
    }
}
#endif
