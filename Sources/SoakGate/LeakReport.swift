import HeapProbe

/// `leak-report.json`: one run of `soakgate check`. The one Codable model of the report;
/// other writers (HTML, JUnit, Markdown, the gate) read this and nothing else.
public struct LeakReport: Sendable, Equatable, Codable {
    /// Bumped when a field changes meaning or disappears; readers refuse newer versions.
    public static let currentSchemaVersion = 2

    public var schemaVersion: Int
    public var tool: Tool
    /// The Swift compiler the harness was built with (major.minor).
    public var swiftVersion: String
    /// When the run started, ISO 8601 in UTC: the report's only timestamp.
    public var startedAt: String
    public var host: Host
    /// jemalloc options the measuring processes ran with.
    public var mallocConf: String
    public var plan: MeasurementPlan
    /// The timed runs' plan, when the check ran with `--bench`; nil otherwise.
    public var bench: BenchPlan?
    public var workloads: [WorkloadResult]
    /// Which share of the selection this run measured (`check --shard I/N`); nil otherwise.
    public var shard: ShardStamp?
    /// The shards a merged report joins (`soakgate merge`); nil for a report of one run.
    public var shards: [ShardRun]?

    public struct Tool: Sendable, Equatable, Codable {
        public var name: String
        public var version: String
        public init(name: String, version: String) {
            self.name = name
            self.version = version
        }
    }

    public struct Host: Sendable, Equatable, Codable {
        public var operatingSystem: String
        public var processorCount: Int
        public var physicalMemoryBytes: Int
        public init(operatingSystem: String, processorCount: Int, physicalMemoryBytes: Int) {
            self.operatingSystem = operatingSystem
            self.processorCount = processorCount
            self.physicalMemoryBytes = physicalMemoryBytes
        }
    }

    public init(
        tool: Tool, startedAt: String, host: Host, mallocConf: String, plan: MeasurementPlan,
        workloads: [WorkloadResult]
    ) {
        self.schemaVersion = Self.currentSchemaVersion
        self.tool = tool
        self.swiftVersion = SwiftCompilerVersion.current
        self.startedAt = startedAt
        self.host = host
        self.mallocConf = mallocConf
        self.plan = plan
        self.workloads = workloads
    }

    /// The exit code `soakgate check` gives for this report: 3 if a workload crashed or timed
    /// out, else 1 if one leaked, else 4 if one was inconclusive, else 0.
    public var exitCode: Int32 {
        if workloads.contains(where: { $0.verdict == .crashed }) { return 3 }
        if workloads.contains(where: { $0.verdict == .leak }) { return 1 }
        if workloads.contains(where: { $0.verdict == .inconclusive }) { return 4 }
        return 0
    }
}

/// The harness's verdict on one workload.
public enum Verdict: String, Sendable, Codable {
    case pass
    case leak
    /// The budget ended while the workload still grew, neither steadily nor without slowing:
    /// a cache still filling cannot be told from a leak yet.
    case inconclusive
    /// The measuring process crashed, threw, or ran past its time limit.
    case crashed
}

/// How retained bytes grow with iterations.
public enum GrowthClass: String, Sendable, Codable {
    case none
    /// Unbounded, but slower than linear: the fitted exponent is 0.75 or less.
    case sublinear
    case linear
    case superlinear
}

/// One workload's result: the verdict, the evidence behind it, and the figures.
public struct WorkloadResult: Sendable, Equatable, Codable {
    public var name: String
    public var summary: String
    public var verdict: Verdict
    public var growth: GrowthClass
    /// The growth rate over the stretch that decided the verdict (the confirmation windows for
    /// a leak); nil when the workload crashed.
    public var bytesPerIteration: Double?
    /// One-sided 95 % lower bound of the Theil–Sen slope over the same stretch.
    public var bytesPerIterationLowerBound: Double?
    public var evidence: Evidence?
    /// `evidence` in one sentence.
    public var evidenceSummary: String?
    /// The ladder rungs: retained bytes at each count of the ladder that was reached.
    public var ladder: [LadderRung]
    /// Every reading, the baseline first.
    public var samples: [HeapSample]
    public var windows: [WindowGrowth]
    public var fits: GrowthFits?
    public var theilSen: TheilSenSlope?
    public var seedRule: SeedRule?
    /// Size classes whose live object count changed, largest byte change first.
    public var sizeClasses: [SizeClassGrowth]
    public var iterationsRun: Int
    public var durationSeconds: Double
    public var jemallocVersion: String?
    public var failure: Failure?
    /// For a leak: the allocation sites that grew, from a separate profiled run.
    public var allocationSites: AllocationAttribution?
    /// The workload's own table, if it gives one (the memory governor's usage report, say).
    public var section: ReportSection?
    /// Where the measurement stopped: whether the budget ran short, and where its final
    /// stretch began. Nil for a crash and in reports of schema 1.
    public var stop: MeasurementStop?
    /// `offset + coefficient · iterations^exponent` over the readings past the ladder: the
    /// growth class's evidence.
    public var growthExponent: PowerFit?
    /// What one iteration handles, when the workload says (then the slope is also per unit).
    public var unit: WorkloadUnit?
    /// The leak's slope per unit of work: bytes per issue, per node, per draw.
    public var bytesPerUnit: Double? {
        guard let unit, let rate = bytesPerIteration else { return nil }
        return rate / unit.perIteration
    }
    /// The benchmark half (`check --bench`): its figures, or why there are none.
    public var bench: BenchResult?

    public init(
        name: String, summary: String, verdict: Verdict, growth: GrowthClass, bytesPerIteration: Double?,
        bytesPerIterationLowerBound: Double?, evidence: Evidence?, ladder: [LadderRung], samples: [HeapSample],
        windows: [WindowGrowth], fits: GrowthFits?, theilSen: TheilSenSlope?, seedRule: SeedRule?,
        sizeClasses: [SizeClassGrowth], iterationsRun: Int, durationSeconds: Double, jemallocVersion: String?,
        failure: Failure?
    ) {
        self.name = name
        self.summary = summary
        self.verdict = verdict
        self.growth = growth
        self.bytesPerIteration = bytesPerIteration
        self.bytesPerIterationLowerBound = bytesPerIterationLowerBound
        self.evidence = evidence
        self.evidenceSummary = evidence?.summary
        self.ladder = ladder
        self.samples = samples
        self.windows = windows
        self.fits = fits
        self.theilSen = theilSen
        self.seedRule = seedRule
        self.sizeClasses = sizeClasses
        self.iterationsRun = iterationsRun
        self.durationSeconds = durationSeconds
        self.jemallocVersion = jemallocVersion
        self.failure = failure
    }

    /// A result for a workload whose measuring process did not finish.
    public static func crashed(name: String, summary: String, failure: Failure) -> WorkloadResult {
        WorkloadResult(
            name: name, summary: summary, verdict: .crashed, growth: .none, bytesPerIteration: nil,
            bytesPerIterationLowerBound: nil, evidence: nil, ladder: [], samples: [], windows: [], fits: nil,
            theilSen: nil, seedRule: nil, sizeClasses: [], iterationsRun: 0, durationSeconds: failure.seconds,
            jemallocVersion: nil, failure: failure)
    }
}

/// Retained bytes at one rung of the ladder.
public struct LadderRung: Sendable, Equatable, Codable {
    public var iterations: Int
    public var retainedBytes: Int
}

/// Growth over one confirmation window.
public struct WindowGrowth: Sendable, Equatable, Codable {
    /// 1-based window number.
    public var window: Int
    public var fromIteration: Int
    public var toIteration: Int
    public var growthBytes: Int
    public var bytesPerIteration: Double
    /// Whether the window grew by more than the threshold.
    public var grew: Bool
}

/// The seed procedure's rule of thumb: growth after 10 iterations against growth after 1.
/// About 1× is a start-up cost, about 10× a leak. Shown beside the fit, never deciding.
public struct SeedRule: Sendable, Equatable, Codable {
    public var retainedAt1: Int
    public var retainedAt10: Int
    /// retainedAt10 / retainedAt1, nil when nothing was retained after 1 iteration.
    public var ratio: Double?
    /// `start-up cost`, `leak`, `no growth` or `inconclusive`.
    public var reading: String
    /// Whether the reading agrees with the verdict; nil when inconclusive.
    public var agreesWithVerdict: Bool?
}

/// How the live count of one size class changed between the baseline and the last reading.
public struct SizeClassGrowth: Sendable, Equatable, Codable {
    public var size: Int
    public var kind: SizeClass.Kind
    public var countAtBaseline: Int
    public var countAtEnd: Int
    public var countDelta: Int
    public var bytesDelta: Int
}

/// Why a measuring process produced no measurement.
public struct Failure: Sendable, Equatable, Codable {
    /// One line: what happened.
    public var reason: String
    public var exitStatus: Int32?
    public var signal: Int32?
    public var timedOut: Bool
    /// The last lines the process printed.
    public var outputTail: [String]
    public var seconds: Double

    public init(
        reason: String, exitStatus: Int32?, signal: Int32?, timedOut: Bool, outputTail: [String], seconds: Double
    ) {
        self.reason = reason
        self.exitStatus = exitStatus
        self.signal = signal
        self.timedOut = timedOut
        self.outputTail = outputTail
        self.seconds = seconds
    }
}
