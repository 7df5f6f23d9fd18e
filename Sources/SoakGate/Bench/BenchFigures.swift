/// What one iteration of a workload handles, when it says: so many issues, nodes, draws or
/// files. Every benchmark figure is then also given per unit, and a leak's slope too.
public struct WorkloadUnit: Sendable, Equatable, Codable {
    /// The unit's name, plural: `issues`, `nodes`, `draws`, `files`.
    public var name: String
    /// How many units one iteration handles; positive.
    public var perIteration: Double

    public init(_ name: String, perIteration: Double) {
        precondition(perIteration > 0 && perIteration.isFinite, "a unit count per iteration must be positive")
        self.name = name
        self.perIteration = perIteration
    }
}

/// How the timed run samples a workload: samples of a fixed number of iterations, more of them
/// until the median's 95 % interval is narrow enough or the time budget ends.
public struct BenchPlan: Sendable, Equatable, Codable {
    /// Seconds the timed run of one workload may take after its warm-up.
    public var budgetSeconds: Double
    /// Seconds of warm-up before the first sample (at least one iteration).
    public var warmupSeconds: Double
    /// Stop when the median's 95 % interval is within ± this share of the median (0.02: ±2 %).
    public var targetRelativeInterval: Double
    /// Samples taken before the interval is looked at, and the fewest a gate compares.
    public var minimumSamples: Int
    public var maximumSamples: Int
    /// The shortest a sample may take: iterations per sample double until one does.
    public var minimumSampleSeconds: Double

    public static let defaultBudgetSeconds = 10.0

    public init(
        budgetSeconds: Double = BenchPlan.defaultBudgetSeconds, warmupSeconds: Double = 0.5,
        targetRelativeInterval: Double = 0.02, minimumSamples: Int = 30, maximumSamples: Int = 2000,
        minimumSampleSeconds: Double = 0.005
    ) {
        self.budgetSeconds = budgetSeconds
        self.warmupSeconds = warmupSeconds
        self.targetRelativeInterval = targetRelativeInterval
        self.minimumSamples = minimumSamples
        self.maximumSamples = maximumSamples
        self.minimumSampleSeconds = minimumSampleSeconds
    }
}

/// A distribution of per-iteration figures, one value per sample.
public struct BenchDistribution: Sendable, Equatable, Codable {
    public var median: Double
    /// The median's distribution-free 95 % interval (order statistics).
    public var medianLow95: Double
    public var medianHigh95: Double
    public var p90: Double
    public var p99: Double
    public var min: Double
    public var max: Double

    public init(_ values: [Double]) {
        let sorted = values.sorted()
        median = BenchStatistics.quantile(sorted, 0.5)
        let interval = BenchStatistics.medianInterval95(sorted)
        medianLow95 = interval.lowerBound
        medianHigh95 = interval.upperBound
        p90 = BenchStatistics.quantile(sorted, 0.9)
        p99 = BenchStatistics.quantile(sorted, 0.99)
        min = sorted.first ?? .nan
        max = sorted.last ?? .nan
    }

    /// The interval's half-width as a share of the median.
    public var relativeInterval: Double {
        median > 0 ? (medianHigh95 - medianLow95) / 2 / median : .infinity
    }
}

/// What the timed run read, before any summary: one wall and one CPU figure per sample.
public struct BenchTiming: Sendable, Equatable, Codable {
    public var warmupIterations: Int
    public var iterationsPerSample: Int
    /// Wall-clock nanoseconds per iteration, one per sample, in the order taken.
    public var wallNanoseconds: [Double]
    /// Process CPU nanoseconds (user and system, every thread) per iteration, one per sample.
    public var cpuNanoseconds: [Double]
    /// The process's peak resident set after the run (getrusage's maxrss).
    public var peakResidentBytes: Int
    public var threadCacheEnabled: Bool
    /// Why sampling stopped, in a few words.
    public var stoppedBecause: String
}

/// What the counting run read: allocations over blocks of iterations, thread cache off, so
/// that jemalloc counts every one.
public struct BenchAllocations: Sendable, Equatable, Codable {
    /// Iterations in each counted block.
    public var iterationsPerBlock: Int
    /// Allocations (malloc, calloc, realloc that moved, aligned allocations) in each block.
    public var allocationsPerBlock: [Int]
    /// Bytes allocated in each block, in jemalloc's size classes (what the allocator handed out).
    public var bytesPerBlock: [Int]

    /// The fewest allocations per iteration over the blocks: other threads of the runtime can
    /// only add allocations to a block, never take the workload's away.
    public var allocationsPerIteration: Double {
        Double(allocationsPerBlock.min() ?? 0) / Double(max(1, iterationsPerBlock))
    }

    public var bytesPerIteration: Double {
        Double(bytesPerBlock.min() ?? 0) / Double(max(1, iterationsPerBlock))
    }
}

/// One workload's benchmark figures, as the report gives them.
public struct BenchFigures: Sendable, Equatable, Codable {
    public var timing: BenchTiming
    public var allocations: BenchAllocations
    /// Wall nanoseconds per iteration.
    public var wall: BenchDistribution
    /// CPU nanoseconds per iteration.
    public var cpu: BenchDistribution
    public var allocationsPerIteration: Double
    public var allocatedBytesPerIteration: Double
    /// Iterations per second at the median wall time.
    public var iterationsPerSecond: Double
    public var unit: WorkloadUnit?
    /// The same figures per unit, when the workload declares one.
    public var perUnit: PerUnit?

    public struct PerUnit: Sendable, Equatable, Codable {
        public var wallMedianNanoseconds: Double
        public var cpuMedianNanoseconds: Double
        public var allocations: Double
        public var allocatedBytes: Double
        public var unitsPerSecond: Double
    }

    public init(timing: BenchTiming, allocations: BenchAllocations, unit: WorkloadUnit?) {
        self.timing = timing
        self.allocations = allocations
        wall = BenchDistribution(timing.wallNanoseconds)
        cpu = BenchDistribution(timing.cpuNanoseconds)
        allocationsPerIteration = allocations.allocationsPerIteration
        allocatedBytesPerIteration = allocations.bytesPerIteration
        iterationsPerSecond = wall.median > 0 ? 1e9 / wall.median : 0
        self.unit = unit
        perUnit = unit.map { unit in
            PerUnit(
                wallMedianNanoseconds: wall.median / unit.perIteration,
                cpuMedianNanoseconds: cpu.median / unit.perIteration,
                allocations: allocationsPerIteration / unit.perIteration,
                allocatedBytes: allocatedBytesPerIteration / unit.perIteration,
                unitsPerSecond: iterationsPerSecond * unit.perIteration)
        }
    }
}

/// One workload in a benchmark report: its figures, or why there are none.
public struct BenchResult: Sendable, Equatable, Codable {
    public var name: String
    public var summary: String
    public var figures: BenchFigures?
    public var failure: Failure?

    public init(name: String, summary: String, figures: BenchFigures?, failure: Failure?) {
        self.name = name
        self.summary = summary
        self.figures = figures
        self.failure = failure
    }
}
