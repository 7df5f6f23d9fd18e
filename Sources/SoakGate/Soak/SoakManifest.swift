import Foundation
import HeapProbe

/// `soak.json`: what a soak was asked to do, written when it starts and read by `--resume` and
/// `soakgate report`. A resume continues exactly this soak or refuses.
public struct SoakManifest: Sendable, Equatable, Codable {
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    /// Always `soakgate-soak`: tells a soak directory from any other.
    public var kind: String
    /// Workloads soaked, sorted.
    public var workloads: [String]
    public var durationSeconds: Double
    public var intervalSeconds: Double
    public var checkpointSeconds: Double
    public var settleSeconds: Double
    public var warmupIterations: Int
    public var alerts: SoakAlertPolicy
    /// The smallest jump of live bytes reported as a step.
    public var stepThresholdBytes: Int
    /// Growth a workload may show and still pass, in bytes per hour.
    public var toleratedBytesPerHour: Double
    /// jemalloc options of the soaking processes.
    public var mallocConf: String
    /// When the soak first started, ISO 8601 UTC.
    public var startedAt: String
    /// jemalloc's size classes, which the samples' `sizeClassCounts` index.
    public var sizeClasses: [SizeClass]

    public init(
        workloads: [String], durationSeconds: Double, intervalSeconds: Double, checkpointSeconds: Double,
        settleSeconds: Double, warmupIterations: Int, alerts: SoakAlertPolicy, stepThresholdBytes: Int,
        toleratedBytesPerHour: Double, mallocConf: String, startedAt: String,
        sizeClasses: [SizeClass]
    ) {
        self.schemaVersion = Self.currentSchemaVersion
        self.kind = "soakgate-soak"
        self.workloads = workloads.sorted()
        self.durationSeconds = durationSeconds
        self.intervalSeconds = intervalSeconds
        self.checkpointSeconds = checkpointSeconds
        self.settleSeconds = settleSeconds
        self.warmupIterations = warmupIterations
        self.alerts = alerts
        self.stepThresholdBytes = stepThresholdBytes
        self.toleratedBytesPerHour = toleratedBytesPerHour
        self.mallocConf = mallocConf
        self.startedAt = startedAt
        self.sizeClasses = sizeClasses
    }

    /// One-line reasons a manifest cannot run, or an empty list.
    public func problems() -> [String] {
        var problems: [String] = []
        if workloads.isEmpty { problems.append("no workload is named") }
        if !(durationSeconds > 0 && durationSeconds.isFinite) { problems.append("the duration must be positive") }
        if !(intervalSeconds > 0) { problems.append("the interval must be positive") }
        if intervalSeconds > durationSeconds {
            problems.append("the interval (\(SoakDuration.format(intervalSeconds))) is longer than the duration (\(SoakDuration.format(durationSeconds)))")
        }
        if !(checkpointSeconds >= intervalSeconds) {
            problems.append("the checkpoint period (\(SoakDuration.format(checkpointSeconds))) is shorter than the interval (\(SoakDuration.format(intervalSeconds)))")
        }
        if !(settleSeconds >= 0 && settleSeconds < checkpointSeconds) {
            problems.append("the settle pause must be 0 or more and shorter than the checkpoint period")
        }
        if !(toleratedBytesPerHour >= 0 && toleratedBytesPerHour.isFinite) { problems.append("the tolerated growth must be 0 or more bytes per hour") }
        if stepThresholdBytes <= 0 { problems.append("the step threshold must be positive") }
        if warmupIterations < 0 { problems.append("the warm-up must be 0 or more iterations") }
        return problems
    }
}

/// When a soak warns, and whether a warning ends it.
public struct SoakAlertPolicy: Sendable, Equatable, Codable {
    /// Warn when live bytes grow faster than this over the recent window.
    public var bytesPerHour: Double?
    /// Warn when a workload's process holds more live bytes than this.
    public var liveBytes: Int?
    /// End the soak (exit 1) at the first warning.
    public var stopOnAlert: Bool
    /// Seconds of recent readings the growth rate is estimated over.
    public var windowSeconds: Double

    public init(bytesPerHour: Double? = nil, liveBytes: Int? = nil, stopOnAlert: Bool = false, windowSeconds: Double = 600) {
        self.bytesPerHour = bytesPerHour
        self.liveBytes = liveBytes
        self.stopOnAlert = stopOnAlert
        self.windowSeconds = windowSeconds
    }
}
