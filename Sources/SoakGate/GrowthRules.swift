import SoakGateBasics

/// What decided a verdict, in numbers a reader can check against the samples.
public struct Evidence: Sendable, Equatable, Codable {
    /// Which rule decided.
    public enum Kind: String, Sendable, Codable {
        /// The ladder's last step grew by no more than the threshold: no growth.
        case ladderFlat
        /// A confirmation window grew by no more than the threshold: the growth stopped.
        case growthStopped
        /// Every confirmation window grew: the growth goes on.
        case grewInEveryWindow
        /// Every window grew, but the last gained less than the one before: a cache still
        /// filling, ever more slowly.
        case growthFading
        /// Growth past the magnitude limit was still going on.
        case magnitude
    }

    public var kind: Kind
    /// The stretch of iterations the rule looked at, `(from, to]`.
    public var fromIteration: Int
    public var toIteration: Int
    /// Live bytes gained over that stretch.
    public var growthBytes: Int
    /// The most bytes the stretch could gain and still count as no growth.
    public var thresholdBytes: Double
    /// Confirmation windows completed when the rule fired.
    public var windowsCompleted: Int
    /// For a leak found by the windows: whether it grew between every two readings of the last
    /// two windows (a steady leak), rather than in steps.
    public var steady: Bool?

    /// One sentence for people.
    public var summary: String {
        let stretch = "iterations \(fromIteration)→\(toIteration)"
        let limit = ByteCount.format(thresholdBytes)
        switch kind {
        case .ladderFlat:
            return "no growth on the ladder: \(stretch) gained \(ByteCount.format(growthBytes)) (threshold \(limit))"
        case .growthStopped:
            return
                "growth stopped in confirmation window \(windowsCompleted): \(stretch) gained \(ByteCount.format(growthBytes)) (threshold \(limit))"
        case .grewInEveryWindow:
            let pace =
                steady == false
                ? ", in steps, each at least as large as the last" : ", between every two readings of the last two"
            return
                "grew in all \(windowsCompleted) confirmation windows\(pace): \(stretch) gained \(ByteCount.format(growthBytes))"
        case .growthFading:
            return
                "grew in all \(windowsCompleted) confirmation windows, in steps that did not keep pace: \(stretch) gained \(ByteCount.format(growthBytes))"
        case .magnitude:
            return
                "still growing past the \(ByteCount.format(Double(thresholdBytes))) limit: \(ByteCount.format(growthBytes)) retained at iteration \(toIteration)"
        }
    }
}

/// The harness's two outcomes for a measurement that ran to the end.
public enum GrowthDecision: Sendable, Equatable {
    case noLeak(Evidence)
    case leak(Evidence)

    public var evidence: Evidence {
        switch self {
        case .noLeak(let evidence), .leak(let evidence): return evidence
        }
    }
}

/// The rules that turn samples into a decision; the measuring process applies them after every
/// reading to know when to stop, and the report applies them again to the same samples.
///
/// 1. *Magnitude*: once live bytes exceed the first checkpoint's by the policy's limit and the
///    last stretch still grew, it is a leak (and the machine is spared the rest).
/// 2. *Ladder*: if the ladder's last step (100→1000 by default) grew by no more than
///    threshold × its length, there is no growth.
/// 3. *Windows*: otherwise windows follow, each twice as long as the one before. The first that
///    grows by no more than threshold × its length ends it with no leak: bounded caches stop,
///    leaks do not. Once the planned windows have all grown, it is a leak if the last window
///    kept pace (gained at least what the window before gained) and the heap grew between
///    every two readings of the last two windows. A cache that fills in steps (worker threads
///    arriving under load) or ever more slowly fails one of the two: then up to
///    `extraWindowsWhenSlowing` more windows run. After the last one, growth in steps is a
///    leak if each of the last two windows kept pace (an array doubling its buffer grows once
///    per window, each step twice the last); otherwise it is a cache still filling. A plan's
///    `decisionSeconds` makes any window end past that time count as the last.
public enum GrowthRules {
    /// The first decision the samples reach, in order, or nil if they reach none yet.
    /// Allocates nothing, so the measuring loop can call it between readings.
    public static func decide(samples: [HeapSample], plan: MeasurementPlan) -> GrowthDecision? {
        guard samples.count >= 2 else { return nil }
        let threshold = plan.policy.growthThreshold
        let first = samples[1].retainedBytes
        let top = plan.ladderTop
        let previousRung = plan.ladder[plan.ladder.count - 2]
        var windowsCompleted = 0
        for index in 1..<samples.count {
            let sample = samples[index]
            let before = samples[index - 1]
            let stepGrowth = sample.retainedBytes - before.retainedBytes
            let stepAllowance = threshold * Double(sample.iterations - before.iterations)
            if sample.retainedBytes - first >= plan.policy.magnitudeLimitBytes, Double(stepGrowth) > stepAllowance {
                return .leak(
                    Evidence(
                        kind: .magnitude, fromIteration: samples[1].iterations, toIteration: sample.iterations,
                        growthBytes: sample.retainedBytes, thresholdBytes: Double(plan.policy.magnitudeLimitBytes),
                        windowsCompleted: windowsCompleted, steady: nil))
            }
            if sample.iterations == top, let rung = samples.sample(at: previousRung) {
                let growth = sample.retainedBytes - rung.retainedBytes
                let allowance = threshold * Double(top - previousRung)
                if Double(growth) <= allowance {
                    return .noLeak(
                        Evidence(
                            kind: .ladderFlat, fromIteration: previousRung, toIteration: top, growthBytes: growth,
                            thresholdBytes: allowance, windowsCompleted: 0, steady: nil))
                }
            }
            guard sample.iterations > top, windowsCompleted < plan.maximumWindowCount else { continue }
            let window = plan.window(windowsCompleted)
            guard sample.iterations == window.end, let start = samples.sample(at: window.start) else { continue }
            windowsCompleted += 1
            let growth = sample.retainedBytes - start.retainedBytes
            let allowance = threshold * Double(window.end - window.start)
            if Double(growth) <= allowance {
                return .noLeak(
                    Evidence(
                        kind: .growthStopped, fromIteration: window.start, toIteration: window.end, growthBytes: growth,
                        thresholdBytes: allowance, windowsCompleted: windowsCompleted, steady: nil))
            }
            guard windowsCompleted >= plan.windowCount else { continue }
            // Window lengths double, so keeping pace means gaining at least what the previous
            // window gained.
            let keptPace =
                windowsCompleted < 2 || growth >= windowGrowth(samples, plan: plan, window: windowsCompleted - 2)
            let keptPaceBefore =
                windowsCompleted < 3
                || windowGrowth(samples, plan: plan, window: windowsCompleted - 2)
                    >= windowGrowth(samples, plan: plan, window: windowsCompleted - 3)
            let steady = grewAtEveryReading(
                samples, from: plan.window(max(windowsCompleted - 2, 0)).start, to: window.end, threshold: threshold)
            let outOfTime = plan.decisionSeconds.map { sample.elapsedSeconds >= $0 } ?? false
            let last = windowsCompleted == plan.maximumWindowCount || outOfTime
            // Steps count only at the end, and only if the last two windows both kept pace: an
            // array doubling its buffer does, a runtime cache filling erratically rarely does.
            if keptPace && (steady || (last && keptPaceBefore)) {
                return .leak(
                    Evidence(
                        kind: .grewInEveryWindow, fromIteration: top, toIteration: window.end,
                        growthBytes: sample.retainedBytes - (samples.sample(at: top)?.retainedBytes ?? 0),
                        thresholdBytes: allowance, windowsCompleted: windowsCompleted, steady: steady))
            }
            if last {
                return .noLeak(
                    Evidence(
                        kind: .growthFading, fromIteration: window.start, toIteration: window.end, growthBytes: growth,
                        thresholdBytes: allowance, windowsCompleted: windowsCompleted, steady: steady))
            }
        }
        return nil
    }

    /// Whether live bytes grew by more than `threshold` per iteration between every two
    /// consecutive readings in `(from, to]`. Allocates nothing.
    static func grewAtEveryReading(_ samples: [HeapSample], from: Int, to: Int, threshold: Double) -> Bool {
        var previous: HeapSample?
        for sample in samples where sample.iterations >= from && sample.iterations <= to {
            if let previous {
                let allowance = threshold * Double(sample.iterations - previous.iterations)
                if Double(sample.retainedBytes - previous.retainedBytes) <= allowance { return false }
            }
            previous = sample
        }
        return previous != nil
    }

    /// Live bytes gained over window `k` (0 if its readings are missing).
    static func windowGrowth(_ samples: [HeapSample], plan: MeasurementPlan, window k: Int) -> Int {
        let bounds = plan.window(k)
        guard let start = samples.sample(at: bounds.start), let end = samples.sample(at: bounds.end) else { return 0 }
        return end.retainedBytes - start.retainedBytes
    }
}
