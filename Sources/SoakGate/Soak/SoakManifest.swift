import Foundation
import HeapProbe
import SoakGateBasics

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
    /// Which share of the selection this soak runs (`soak --shard I/N`); nil otherwise.
    public var shard: ShardStamp?

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

    /// A setting of a soak, named the way `soak.json` names it; a new soak's flags and an edited
    /// `soak.json` are checked by the same ``validate(naming:)``, each naming its own source.
    public enum Setting: String, Sendable, CaseIterable {
        case workloads, durationSeconds, intervalSeconds, checkpointSeconds, settleSeconds, warmupIterations
        case alertBytesPerHour = "alerts.bytesPerHour"
        case alertLiveBytes = "alerts.liveBytes"
        case alertWindowSeconds = "alerts.windowSeconds"
        case stepThresholdBytes, toleratedBytesPerHour, sizeClasses
    }

    /// A combination of settings that cannot run, as one line.
    public struct Problem: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Checks every setting, throwing the first that cannot run: a `CheckedNumber.RangeError` for a
    /// number outside ``SoakLimits``, a ``Problem`` for settings that contradict each other.
    /// `name` says where a setting came from (`--interval` for a new soak, `DIR/soak.json:
    /// intervalSeconds` for a resumed one), so a resumed soak gets exactly the checks a new one does.
    public func validate(naming name: (Setting) -> String) throws {
        if workloads.isEmpty || workloads.contains(where: \.isEmpty) {
            throw Problem(description: "\(name(.workloads)) names no workload")
        }
        let seconds = SoakLimits.minimumIntervalSeconds...SoakLimits.maximumDurationSeconds
        let bytes = 0...SoakLimits.maximumBytes
        try CheckedNumber.checked(durationSeconds, in: seconds, source: name(.durationSeconds), unit: "seconds")
        try CheckedNumber.checked(intervalSeconds, in: seconds, source: name(.intervalSeconds), unit: "seconds")
        guard intervalSeconds <= durationSeconds else {
            throw Problem(
                description:
                    "\(name(.intervalSeconds)) \(SoakDuration.format(intervalSeconds)) is longer than \(name(.durationSeconds)) \(SoakDuration.format(durationSeconds)); choose an interval of at most a tenth of it"
            )
        }
        try CheckedNumber.checked(checkpointSeconds, in: seconds, source: name(.checkpointSeconds), unit: "seconds")
        guard checkpointSeconds >= intervalSeconds else {
            throw Problem(
                description:
                    "\(name(.checkpointSeconds)) \(SoakDuration.format(checkpointSeconds)) is shorter than \(name(.intervalSeconds)) \(SoakDuration.format(intervalSeconds))"
            )
        }
        try CheckedNumber.checked(
            settleSeconds, in: 0...SoakLimits.maximumDurationSeconds, source: name(.settleSeconds), unit: "seconds")
        guard settleSeconds < checkpointSeconds else {
            throw Problem(description: "\(name(.settleSeconds)) must be shorter than \(name(.checkpointSeconds))")
        }
        try CheckedNumber.checked(
            warmupIterations, in: 0...SoakLimits.maximumWarmupIterations, source: name(.warmupIterations),
            unit: "iterations")
        if let rate = alerts.bytesPerHour {
            try CheckedNumber.checked(
                rate, in: 0...Double(SoakLimits.maximumBytes), source: name(.alertBytesPerHour), unit: "bytes per hour")
        }
        if let live = alerts.liveBytes {
            try CheckedNumber.checked(live, in: bytes, source: name(.alertLiveBytes), unit: "bytes")
        }
        try CheckedNumber.checked(alerts.windowSeconds, in: seconds, source: name(.alertWindowSeconds), unit: "seconds")
        try CheckedNumber.checked(
            stepThresholdBytes, in: 1...SoakLimits.maximumBytes, source: name(.stepThresholdBytes), unit: "bytes")
        try CheckedNumber.checked(
            toleratedBytesPerHour, in: 0...Double(SoakLimits.maximumBytes), source: name(.toleratedBytesPerHour),
            unit: "bytes per hour")
        try CheckedNumber.checked(
            sizeClasses.count, in: 0...SoakLimits.maximumSizeClasses, source: name(.sizeClasses), unit: "size classes")
        // jemalloc's largest classes come near Int.max; no sum is taken over them.
        for sizeClass in sizeClasses {
            try CheckedNumber.checked(
                sizeClass.size, in: 0...Int.max, source: name(.sizeClasses) + " size", unit: "bytes")
        }
    }
}

/// The bounds every soak setting and every number read back from a soak's files must keep:
/// wide enough for any real soak, narrow enough that no conversion or product of them can trap.
public enum SoakLimits {
    /// The shortest interval: below it the readings (each synced to disk) would be the workload.
    public static let minimumIntervalSeconds = 0.1
    /// A year and a day.
    public static let maximumDurationSeconds = 366.0 * 86400
    /// Soak time a reading may carry: the duration plus the grace a process gets to end.
    public static let maximumElapsedSeconds = maximumDurationSeconds + 86400
    /// 1 PiB: more than any process holds; keeps byte sums and rates far from overflow.
    public static let maximumBytes = 1 << 50
    /// Iterations a reading may count.
    public static let maximumIterations = 1 << 60
    /// Iterations a warm-up may run before the first reading.
    public static let maximumWarmupIterations = 1_000_000_000
    /// jemalloc has a few hundred size classes.
    public static let maximumSizeClasses = 4096
    /// Segments (one per start or resume).
    public static let maximumSegments = 1_000_000
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

    public init(
        bytesPerHour: Double? = nil, liveBytes: Int? = nil, stopOnAlert: Bool = false, windowSeconds: Double = 600
    ) {
        self.bytesPerHour = bytesPerHour
        self.liveBytes = liveBytes
        self.stopOnAlert = stopOnAlert
        self.windowSeconds = windowSeconds
    }
}
