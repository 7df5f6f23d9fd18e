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
    /// Growth past this many bytes (beyond the first checkpoint) that is still going on ends
    /// the measurement with a leak, to protect the machine.
    public var magnitudeLimitBytes: Int

    public init(
        toleratedBytesPerIteration: Double = 0,
        floorBytesPerIteration: Double = 0.05,
        magnitudeLimitBytes: Int = 64 << 20
    ) {
        self.toleratedBytesPerIteration = toleratedBytesPerIteration
        self.floorBytesPerIteration = floorBytesPerIteration
        self.magnitudeLimitBytes = magnitudeLimitBytes
    }

    /// The rate above which a stretch counts as growing.
    public var growthThreshold: Double { toleratedBytesPerIteration + floorBytesPerIteration }
}

/// Where the heap is read and when the harness stops.
///
/// The ladder (1, 10, 100, 1000 by default) is read with denser checkpoints in between, so the
/// models have points to fit. If the ladder's last step grew, confirmation windows follow, each
/// twice as long as the one before, until one window stops growing (no leak) or every window has
/// grown (a leak).
public struct MeasurementPlan: Sendable, Equatable, Codable {
    /// Iteration counts at which the seed procedure reads the heap, strictly increasing.
    public var ladder: [Int]
    /// Iterations run before the baseline is read.
    public var warmupIterations: Int
    /// Confirmation windows that must all grow before a leak is called.
    public var windowCount: Int
    /// Further windows run when every window grew but the last one's rate fell below half the
    /// one before: a cache that is still filling gets the chance to stop.
    public var extraWindowsWhenSlowing: Int
    /// Length of the first window; each later one is twice as long. Defaults to the ladder's top.
    public var firstWindowLength: Int
    /// Readings inside each window (the last at its end).
    public var checkpointsPerWindow: Int
    /// Seconds after which the extra windows are cut short: once the planned windows have all
    /// grown and this much time has passed, the next window end decides as the last one would.
    /// Keeps a slow workload's step-wise leak from running into the timeout. Nil: no limit.
    public var decisionSeconds: Double?
    public var policy: GrowthPolicy

    public static let defaultLadder = [1, 10, 100, 1000]

    public init(
        ladder: [Int] = MeasurementPlan.defaultLadder,
        warmupIterations: Int = 0,
        windowCount: Int = 5,
        extraWindowsWhenSlowing: Int = 3,
        firstWindowLength: Int? = nil,
        checkpointsPerWindow: Int = 4,
        decisionSeconds: Double? = nil,
        policy: GrowthPolicy = GrowthPolicy()
    ) throws {
        guard let top = ladder.last, ladder.first! > 0 else { throw PlanError.emptyLadder }
        guard zip(ladder, ladder.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw PlanError.ladderNotIncreasing(ladder)
        }
        guard ladder.count >= 2 else { throw PlanError.ladderTooShort(ladder) }
        guard warmupIterations >= 0 else { throw PlanError.negative("warm-up iterations", warmupIterations) }
        guard windowCount >= 1 else { throw PlanError.negative("window count", windowCount) }
        guard extraWindowsWhenSlowing >= 0 else { throw PlanError.negative("extra windows", extraWindowsWhenSlowing) }
        guard checkpointsPerWindow >= 1 else {
            throw PlanError.negative("checkpoints per window", checkpointsPerWindow)
        }
        let window = firstWindowLength ?? top
        guard window >= 1 else { throw PlanError.negative("first window length", window) }
        self.ladder = ladder
        self.warmupIterations = warmupIterations
        self.windowCount = windowCount
        self.extraWindowsWhenSlowing = extraWindowsWhenSlowing
        self.firstWindowLength = window
        self.checkpointsPerWindow = checkpointsPerWindow
        self.decisionSeconds = decisionSeconds
        self.policy = policy
    }

    /// The most windows a measurement can run.
    public var maximumWindowCount: Int { windowCount + extraWindowsWhenSlowing }

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

    /// Window `k` (from 0) covers iterations `(start, end]`.
    public func window(_ k: Int) -> WindowBounds {
        var start = ladderTop
        var length = firstWindowLength
        for _ in 0..<k {
            start += length
            length *= 2
        }
        return WindowBounds(start: start, end: start + length)
    }

    /// Readings inside window `k`, evenly spaced, ending at its end.
    public func windowCheckpoints(_ k: Int) -> [Int] {
        let bounds = window(k)
        let length = bounds.end - bounds.start
        return (1...checkpointsPerWindow).map { bounds.start + length * $0 / checkpointsPerWindow }
            .reduce(into: [Int]()) { if $0.last != $1 { $0.append($1) } }
    }

    /// Every reading the plan can take, in order.
    public var allCheckpoints: [Int] {
        ladderCheckpoints + (0..<maximumWindowCount).flatMap { windowCheckpoints($0) }
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
