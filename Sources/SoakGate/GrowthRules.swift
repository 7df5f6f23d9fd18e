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
    /// For a leak found by the windows: whether the last window grew at least half as fast as
    /// the one before (a steady leak), rather than still growing but slowing down.
    public var rateHeld: Bool?

    /// One sentence for people.
    public var summary: String {
        let stretch = "iterations \(fromIteration)→\(toIteration)"
        let limit = ByteCount.format(thresholdBytes)
        switch kind {
        case .ladderFlat:
            return "no growth on the ladder: \(stretch) gained \(ByteCount.format(growthBytes)) (threshold \(limit))"
        case .growthStopped:
            return "growth stopped in confirmation window \(windowsCompleted): \(stretch) gained \(ByteCount.format(growthBytes)) (threshold \(limit))"
        case .grewInEveryWindow:
            let pace = rateHeld == false ? ", more slowly in each of the last windows" : " at a steady rate"
            return "grew in all \(windowsCompleted) confirmation windows\(pace): \(stretch) gained \(ByteCount.format(growthBytes))"
        case .magnitude:
            return "still growing past the \(ByteCount.format(Double(thresholdBytes))) limit: \(ByteCount.format(growthBytes)) retained at iteration \(toIteration)"
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
///    leaks do not. If every planned window grew and the last grew at least half as fast as the
///    one before, it is a leak. If the rate fell by more than half, up to
///    `extraWindowsWhenSlowing` more windows run, and a leak is called only if they grow too.
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
                return .leak(Evidence(
                    kind: .magnitude, fromIteration: samples[1].iterations, toIteration: sample.iterations,
                    growthBytes: sample.retainedBytes, thresholdBytes: Double(plan.policy.magnitudeLimitBytes),
                    windowsCompleted: windowsCompleted, rateHeld: nil))
            }
            if sample.iterations == top, let rung = samples.sample(at: previousRung) {
                let growth = sample.retainedBytes - rung.retainedBytes
                let allowance = threshold * Double(top - previousRung)
                if Double(growth) <= allowance {
                    return .noLeak(Evidence(
                        kind: .ladderFlat, fromIteration: previousRung, toIteration: top, growthBytes: growth,
                        thresholdBytes: allowance, windowsCompleted: 0, rateHeld: nil))
                }
            }
            guard sample.iterations > top, windowsCompleted < plan.maximumWindowCount else { continue }
            let window = plan.window(windowsCompleted)
            guard sample.iterations == window.end, let start = samples.sample(at: window.start) else { continue }
            windowsCompleted += 1
            let growth = sample.retainedBytes - start.retainedBytes
            let allowance = threshold * Double(window.end - window.start)
            if Double(growth) <= allowance {
                return .noLeak(Evidence(
                    kind: .growthStopped, fromIteration: window.start, toIteration: window.end, growthBytes: growth,
                    thresholdBytes: allowance, windowsCompleted: windowsCompleted, rateHeld: nil))
            }
            guard windowsCompleted >= plan.windowCount else { continue }
            // Window lengths double, so a steady rate means this window's growth is at least
            // the previous window's.
            var held = true
            if windowsCompleted >= 2, let earlier = samples.sample(at: plan.window(windowsCompleted - 2).start) {
                held = growth >= start.retainedBytes - earlier.retainedBytes
            }
            if held || windowsCompleted == plan.maximumWindowCount {
                return .leak(Evidence(
                    kind: .grewInEveryWindow, fromIteration: top, toIteration: window.end,
                    growthBytes: sample.retainedBytes - (samples.sample(at: top)?.retainedBytes ?? 0),
                    thresholdBytes: allowance, windowsCompleted: windowsCompleted, rateHeld: held))
            }
        }
        return nil
    }
}
