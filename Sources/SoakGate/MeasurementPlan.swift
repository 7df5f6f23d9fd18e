/// How much growth counts, in bytes per iteration.
///
/// The default tolerates nothing: a workload passes only if its growth stops. The floor is
/// the smallest rate the harness treats as growth at all; it exists because runtimes release
/// and take small amounts long after their caches have filled (see docs/method.md, where the
/// figures that set it are measured).
public struct GrowthPolicy: Sendable, Equatable, Codable {
    /// Bytes per iteration a workload may keep growing by and still pass.
    public var toleratedBytesPerIteration: Double
    /// Growth below this many bytes per iteration over a stretch counts as no growth.
    public var floorBytesPerIteration: Double
    /// The most the floor allows over one stretch, however long. The floor stands for the
    /// runtime's give and take, which is a matter of bytes, not bytes per iteration; without a
    /// cap, a window of millions of iterations would let tens of kilobytes of slowing growth
    /// through as "no growth".
    public var noiseCapBytes: Int
    /// Growth past this many bytes (beyond the first checkpoint) that is still going on ends
    /// the measurement with a leak, to protect the machine.
    public var magnitudeLimitBytes: Int

    public init(
        toleratedBytesPerIteration: Double = 0,
        floorBytesPerIteration: Double = 0.05,
        noiseCapBytes: Int = 4096,
        magnitudeLimitBytes: Int = 64 << 20
    ) {
        self.toleratedBytesPerIteration = toleratedBytesPerIteration
        self.floorBytesPerIteration = floorBytesPerIteration
        self.noiseCapBytes = noiseCapBytes
        self.magnitudeLimitBytes = magnitudeLimitBytes
    }

    /// The rate above which a stretch counts as growing.
    public var growthThreshold: Double { toleratedBytesPerIteration + floorBytesPerIteration }

    /// The most a stretch of `iterations` may gain and still count as no growth: the tolerated
    /// rate over it, plus the floor's rate capped at ``noiseCapBytes``.
    public func allowance(iterations: Int) -> Double {
        let n = Double(iterations)
        return toleratedBytesPerIteration * n + min(floorBytesPerIteration * n, Double(noiseCapBytes))
    }

    private enum CodingKeys: String, CodingKey {
        case toleratedBytesPerIteration, floorBytesPerIteration, noiseCapBytes, magnitudeLimitBytes
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        toleratedBytesPerIteration = try c.decode(Double.self, forKey: .toleratedBytesPerIteration)
        floorBytesPerIteration = try c.decode(Double.self, forKey: .floorBytesPerIteration)
        magnitudeLimitBytes = try c.decode(Int.self, forKey: .magnitudeLimitBytes)
        // Reports of schema 1 had no cap: the floor grew with the stretch.
        noiseCapBytes = try c.decodeIfPresent(Int.self, forKey: .noiseCapBytes) ?? Int.max
    }
}

/// Where the heap is read and when the harness stops.
///
/// The ladder (1, 10, 100, 1000 by default) is read with denser checkpoints in between, so the
/// models have points to fit. If the ladder's last step grew, confirmation windows follow, each
/// twice as long as the one before, for as long as growth goes on and the time budget allows.
/// When the next window would not end inside the budget, a final stretch uses what is left,
/// read ``finalReadings`` times, and the sequential rule decides (see ``GrowthRules``).
public struct MeasurementPlan: Sendable, Equatable, Codable {
    /// Iteration counts at which the seed procedure reads the heap, strictly increasing.
    public var ladder: [Int]
    /// Iterations run before the baseline is read.
    public var warmupIterations: Int
    /// Length of the first window; each later one is twice as long. Defaults to the ladder's top.
    public var firstWindowLength: Int
    /// Readings inside each window (the last at its end).
    public var checkpointsPerWindow: Int
    /// Seconds from the baseline by which a measurement decides. 0 only in reports of schema 1,
    /// which had no budget.
    public var budgetSeconds: Double
    /// Readings in the final stretch, each a look of the sequential rule.
    public var finalReadings: Int
    /// The sequential rule's error rate over all its looks: each look tests at
    /// `sequentialErrorRate / finalReadings` (see docs/method.md).
    public var sequentialErrorRate: Double
    public var policy: GrowthPolicy

    public static let defaultLadder = [1, 10, 100, 1000]
    public static let defaultBudgetSeconds = 60.0
    /// Windows past which a plan does not go, budget or not: 2^40 iterations and more.
    public static let maximumWindows = 40
    /// The share of the budget the ladder and the windows may use: a window starts only if it
    /// can end by then, so the final stretch has at least the rest (a fifth of the budget).
    public static let windowShareOfBudget = 0.8
    /// Where the final stretch aims to end, as a share of the budget: short of it by a margin,
    /// so that a reading's own cost and a slightly slower last step still end inside the budget.
    public static let finalStretchTarget = 0.99

    public init(
        ladder: [Int] = MeasurementPlan.defaultLadder,
        warmupIterations: Int = 0,
        firstWindowLength: Int? = nil,
        checkpointsPerWindow: Int = 4,
        budgetSeconds: Double = MeasurementPlan.defaultBudgetSeconds,
        finalReadings: Int = 32,
        sequentialErrorRate: Double = 0.01,
        policy: GrowthPolicy = GrowthPolicy()
    ) throws {
        guard let top = ladder.last, ladder.first! > 0 else { throw PlanError.emptyLadder }
        guard zip(ladder, ladder.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw PlanError.ladderNotIncreasing(ladder)
        }
        guard ladder.count >= 2 else { throw PlanError.ladderTooShort(ladder) }
        guard warmupIterations >= 0 else { throw PlanError.negative("warm-up iterations", warmupIterations) }
        guard checkpointsPerWindow >= 1 else {
            throw PlanError.negative("checkpoints per window", checkpointsPerWindow)
        }
        guard finalReadings >= 1 else { throw PlanError.negative("final readings", finalReadings) }
        guard budgetSeconds.isFinite, budgetSeconds > 0 else { throw PlanError.budget(budgetSeconds) }
        guard sequentialErrorRate > 0, sequentialErrorRate < 0.5 else {
            throw PlanError.errorRate(sequentialErrorRate)
        }
        let window = firstWindowLength ?? top
        guard window >= 1 else { throw PlanError.negative("first window length", window) }
        self.ladder = ladder
        self.warmupIterations = warmupIterations
        self.firstWindowLength = window
        self.checkpointsPerWindow = checkpointsPerWindow
        self.budgetSeconds = budgetSeconds
        self.finalReadings = finalReadings
        self.sequentialErrorRate = sequentialErrorRate
        self.policy = policy
    }

    private enum CodingKeys: String, CodingKey {
        case ladder, warmupIterations, firstWindowLength, checkpointsPerWindow, budgetSeconds, finalReadings
        case sequentialErrorRate, policy
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ladder = try c.decode([Int].self, forKey: .ladder)
        warmupIterations = try c.decode(Int.self, forKey: .warmupIterations)
        firstWindowLength = try c.decode(Int.self, forKey: .firstWindowLength)
        checkpointsPerWindow = try c.decode(Int.self, forKey: .checkpointsPerWindow)
        // Schema 1 plans (windows, no budget) still read, so an old report can be a baseline.
        budgetSeconds = try c.decodeIfPresent(Double.self, forKey: .budgetSeconds) ?? 0
        finalReadings = try c.decodeIfPresent(Int.self, forKey: .finalReadings) ?? 32
        sequentialErrorRate = try c.decodeIfPresent(Double.self, forKey: .sequentialErrorRate) ?? 0.01
        policy = try c.decode(GrowthPolicy.self, forKey: .policy)
        guard let first = ladder.first, first > 0, ladder.count >= 2, firstWindowLength >= 1,
            checkpointsPerWindow >= 1, finalReadings >= 1
        else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: c.codingPath, debugDescription: "the plan's ladder or windows are out of range"))
        }
    }

    /// The ladder's top: the iteration count where confirmation starts.
    public var ladderTop: Int { ladder[ladder.count - 1] }

    /// The ladder's points plus 2, 3, 5 and 7 times each power of ten in between, sorted.
    public var ladderCheckpoints: [Int] {
        var points = Set(ladder)
        var decade = 1
        while decade <= ladderTop {
            for factor in [1, 2, 3, 5, 7] where factor * decade <= ladderTop {
                points.insert(factor * decade)
            }
            decade *= 10
        }
        return points.sorted()
    }

    /// Window `k` (from 0) covers iterations `(start, end]`. Lengths stop doubling at 2^52
    /// iterations, far past any budget, so the arithmetic cannot overflow.
    public func window(_ k: Int) -> WindowBounds {
        let cap = 1 << 52
        var start = ladderTop
        var length = min(firstWindowLength, cap)
        for _ in 0..<k {
            start = min(start + length, cap)
            length = min(length * 2, cap)
        }
        return WindowBounds(start: start, end: start + length)
    }

    /// Reading `j` (1-based, up to ``checkpointsPerWindow``) of window `k`. Readings that fall
    /// on the same iteration (a window shorter than its readings) are one reading.
    public func windowCheckpoint(_ k: Int, reading j: Int) -> Int {
        let bounds = window(k)
        return bounds.start + (bounds.end - bounds.start) * j / checkpointsPerWindow
    }

    /// Readings inside window `k`, evenly spaced, ending at its end.
    public func windowCheckpoints(_ k: Int) -> [Int] {
        (1...checkpointsPerWindow).map { windowCheckpoint(k, reading: $0) }
            .reduce(into: [Int]()) { if $0.last != $1 { $0.append($1) } }
    }

    /// The window whose end is `iterations`, if any.
    public func windowEnding(at iterations: Int) -> Int? {
        var k = 0
        while k < Self.maximumWindows {
            let end = window(k).end
            if end == iterations { return k }
            if end > iterations { return nil }
            k += 1
        }
        return nil
    }

    /// The largest number of readings a measurement can take: the ladder's, every window's,
    /// the final stretch's, and the baseline.
    public var maximumReadings: Int {
        ladderCheckpoints.count + Self.maximumWindows * checkpointsPerWindow + finalReadings + 1
    }

    /// Parses `1,10,100,1000`.
    public static func parseLadder(_ text: String) throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        var ladder: [Int] = []
        for part in parts {
            let trimmed = part.trimmingSpaces
            guard let value = Int(trimmed), value > 0, value <= 100_000_000 else {
                throw PlanError.malformedLadder(text)
            }
            ladder.append(value)
        }
        guard ladder.count >= 2 else { throw PlanError.ladderTooShort(ladder) }
        guard zip(ladder, ladder.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw PlanError.ladderNotIncreasing(ladder)
        }
        return ladder
    }

    /// A plan that cannot be run.
    public enum PlanError: Error, CustomStringConvertible, Equatable {
        case emptyLadder
        case ladderTooShort([Int])
        case ladderNotIncreasing([Int])
        case malformedLadder(String)
        case negative(String, Int)
        case budget(Double)
        case errorRate(Double)

        public var description: String {
            switch self {
            case .emptyLadder:
                return "the iteration ladder is empty; give at least two counts, e.g. --iterations 1,10,100,1000"
            case .ladderTooShort(let ladder):
                return
                    "the iteration ladder \(ladder.map(String.init).joined(separator: ",")) has fewer than two counts; give e.g. --iterations 1,10,100,1000"
            case .ladderNotIncreasing(let ladder):
                return
                    "the iteration ladder \(ladder.map(String.init).joined(separator: ",")) is not strictly increasing; give e.g. --iterations 1,10,100,1000"
            case .malformedLadder(let text):
                return
                    "--iterations '\(text)' is not a comma-separated list of whole numbers from 1 to 100000000; write it like 1,10,100,1000"
            case .budget(let seconds):
                return "the time budget must be a positive number of seconds, not \(seconds); give e.g. --budget 60"
            case .errorRate(let rate):
                return "the sequential rule's error rate must be above 0 and below 0.5, not \(rate)"
            case .negative(let what, let value):
                return
                    "the \(what) must be at least \(what == "warm-up iterations" || what == "extra windows" ? 0 : 1), not \(value)"
            }
        }
    }
}

/// The iterations `(start, end]` of one confirmation window. A struct rather than a tuple:
/// labelled tuple metadata is built by the runtime on first use, which would be counted.
public struct WindowBounds: Sendable, Equatable {
    public var start: Int
    public var end: Int
}

extension Substring {
    var trimmingSpaces: Substring {
        var result = self
        while result.first == " " { result = result.dropFirst() }
        while result.last == " " { result = result.dropLast() }
        return result
    }
}
