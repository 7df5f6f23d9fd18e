import SoakGateBasics

/// What decided a verdict, in numbers a reader can check against the samples.
public struct Evidence: Sendable, Equatable, Codable {
    /// Which rule decided.
    public enum Kind: String, Sendable, Codable {
        /// The ladder's last step grew by no more than the threshold: no growth.
        case ladderFlat
        /// A confirmation window grew by no more than the threshold: the growth stopped.
        case growthStopped
        /// The latter half of the final stretch grew by no more than the threshold: the growth
        /// stopped while the budget ran out.
        case stoppedInFinalStretch
        /// The sequential rule: over the second half of the readings the growth rate is below
        /// the threshold at the rule's confidence.
        case flatAtEnd
        /// Growth past the magnitude limit was still going on.
        case magnitude
        /// At the end of the budget the growth went on at a steady rate: over the whole tail and
        /// over its second half the rate's lower bound is above the threshold.
        case steadyToBudget
        /// At the end of the budget the growth went on, slowing but never stopping: each of the
        /// last three windows gained at least what the one before gained.
        case unboundedToBudget
        /// At the end of the budget the growth went on but neither steadily nor without
        /// slowing: no decision.
        case undecided
        /// Schema 1 only: every confirmation window grew.
        case grewInEveryWindow
        /// Schema 1 only: every window grew, each less than the one before.
        case growthFading
    }

    public var kind: Kind
    /// The stretch of iterations the rule looked at, `(from, to]`.
    public var fromIteration: Int
    public var toIteration: Int
    /// Live bytes gained over that stretch.
    public var growthBytes: Int
    /// The most bytes the stretch could gain and still count as no growth; for the sequential
    /// rule's kinds (`flatAtEnd`, `steadyToBudget`, `unboundedToBudget`, `undecided`), the
    /// threshold rate in bytes per iteration its bounds are compared with; for `magnitude`, the
    /// limit in bytes.
    public var thresholdBytes: Double
    /// Confirmation windows completed when the rule fired.
    public var windowsCompleted: Int
    /// For a leak found by the windows: whether it grew between every two readings of the last
    /// two windows (a steady leak), rather than in steps. Schema 1 only.
    public var steady: Bool?
    /// How far the measurement followed the workload: the iterations of the last reading.
    public var followedToIteration: Int?
    /// For growth that stopped: the live bytes it settled at, over the baseline.
    public var boundBytes: Int?
    /// The time budget, when it ended the measurement.
    public var budgetSeconds: Double?
    /// For the sequential rule: the rate's bounds (bytes per iteration) and their one-sided
    /// confidence, over the stretch the rule names.
    public var rateLowerBound: Double?
    public var rateUpperBound: Double?
    public var confidence: Double?

    public init(
        kind: Kind, fromIteration: Int, toIteration: Int, growthBytes: Int, thresholdBytes: Double,
        windowsCompleted: Int, steady: Bool? = nil, followedToIteration: Int? = nil, boundBytes: Int? = nil,
        budgetSeconds: Double? = nil, rateLowerBound: Double? = nil, rateUpperBound: Double? = nil,
        confidence: Double? = nil
    ) {
        self.kind = kind
        self.fromIteration = fromIteration
        self.toIteration = toIteration
        self.growthBytes = growthBytes
        self.thresholdBytes = thresholdBytes
        self.windowsCompleted = windowsCompleted
        self.steady = steady
        self.followedToIteration = followedToIteration
        self.boundBytes = boundBytes
        self.budgetSeconds = budgetSeconds
        // A bound too few readings cannot give is infinite; the report leaves it out.
        self.rateLowerBound = rateLowerBound.flatMap { $0.isFinite ? $0 : nil }
        self.rateUpperBound = rateUpperBound.flatMap { $0.isFinite ? $0 : nil }
        self.confidence = confidence
    }

    /// One sentence for people.
    public var summary: String {
        let stretch = "iterations \(count(fromIteration))→\(count(toIteration))"
        let limit = ByteCount.format(thresholdBytes)
        let gained = ByteCount.format(growthBytes)
        let bound = boundBytes.map { ": a bound of \(ByteCount.format($0))" } ?? ""
        let budget = budgetSeconds.map { ", when the \(String(format: "%g", $0)) s budget ended" } ?? ""
        let level = confidence.map { String(format: "%.2f %%", 100 * $0) } ?? "?"
        switch kind {
        case .ladderFlat:
            return "no growth on the ladder: \(stretch) gained \(gained) (threshold \(limit))\(bound)"
        case .growthStopped:
            return
                "growth stopped by \(count(fromIteration)) iterations\(bound) (window \(windowsCompleted), \(stretch), gained \(gained); threshold \(limit))"
        case .stoppedInFinalStretch:
            return
                "growth stopped by \(count(fromIteration)) iterations, in the budget's last stretch\(bound) (\(stretch) gained \(gained); threshold \(limit))"
        case .flatAtEnd:
            return
                "no growth over \(stretch): at most \(ByteCount.rate(rateUpperBound ?? 0)) at \(level) confidence, within the \(ByteCount.rate(thresholdBytes)) threshold\(bound)"
        case .magnitude:
            return
                "still growing past the \(ByteCount.format(thresholdBytes)) limit: gained \(gained) from iteration \(count(fromIteration)) to \(count(toIteration))"
        case .steadyToBudget:
            return
                "grew steadily up to \(count(toIteration)) iterations\(budget): \(stretch) gained \(gained), at least \(ByteCount.rate(rateLowerBound ?? 0)) over the whole stretch and over its second half (\(level) confidence)"
        case .unboundedToBudget:
            return
                "grew up to \(count(toIteration)) iterations\(budget), more slowly but never stopping: each of the last 3 windows gained at least what the one before did; \(stretch) gained \(gained)"
        case .undecided:
            return
                "still growing at \(count(toIteration)) iterations\(budget), but neither steadily nor without slowing (\(stretch) gained \(gained)): a cache still filling or a slowing leak; give it more time with --budget"
        case .grewInEveryWindow:
            return "grew in all \(windowsCompleted) confirmation windows: \(stretch) gained \(gained)"
        case .growthFading:
            return
                "grew in all \(windowsCompleted) confirmation windows, in steps that did not keep pace: \(stretch) gained \(gained)"
        }
    }

    private func count(_ n: Int) -> String { ByteCount.grouped(n) }
}

/// The harness's outcomes for a measurement that ran to the end.
public enum GrowthDecision: Sendable, Equatable {
    case noLeak(Evidence)
    case leak(Evidence)
    /// The budget ended before the rules could tell a filling cache from a leak.
    case inconclusive(Evidence)

    public var evidence: Evidence {
        switch self {
        case .noLeak(let evidence), .leak(let evidence), .inconclusive(let evidence): return evidence
        }
    }
}

/// Where the measuring loop was when it took its readings: what the rules need to know beyond
/// the readings themselves. Recorded with the measurement, so the report applies the rules to
/// the same facts the loop stopped on.
public struct MeasurementStop: Sendable, Equatable, Codable {
    /// The iterations of the last reading before the final stretch began; nil if the
    /// measurement decided before its budget ran short.
    public var finalStretchFrom: Int?
    /// Whether the last reading was the final stretch's last: the sequential rule's last look.
    public var budgetEnded: Bool

    public init(finalStretchFrom: Int? = nil, budgetEnded: Bool = false) {
        self.finalStretchFrom = finalStretchFrom
        self.budgetEnded = budgetEnded
    }
}

/// The rules that turn samples into a decision; the measuring process applies them after every
/// reading to know when to stop, and the report applies them again to the same samples.
///
/// 1. *Magnitude*: once live bytes exceed the first checkpoint's by the policy's limit and the
///    last stretch still grew, it is a leak (and the machine is spared the rest).
/// 2. *Ladder*: if the ladder's last step (100→1000 by default) grew by no more than the
///    allowance for its length, there is no growth.
/// 3. *Windows*: otherwise windows follow, each twice as long as the one before, for as long as
///    the budget allows. The first that grows by no more than its allowance ends it with no
///    leak: bounded caches stop, leaks do not. Growth alone decides nothing before the budget
///    ends: a cache bounded at thousands of entries grows steadily for as long as it fills.
/// 4. *The final stretch* (when the next window would not end inside the budget): the rest of
///    the budget, read ``MeasurementPlan/finalReadings`` times. At every reading (a *look*),
///    its latter half growing by no more than its allowance, or the sequential rule's upper
///    bound over the tail's second half at or below the threshold, ends it with no leak. At
///    the last look, steady growth (lower bounds above the threshold over the whole tail and
///    its second half, the second half's rate at least half the first's) or growth that never
///    slows to a stop (each of the last three windows gaining at least the one before, the
///    stretch's latter half still gaining) is a leak; anything else is inconclusive.
public enum GrowthRules {
    /// The first decision the samples reach, in order, or nil if they reach none yet.
    /// Allocates only inside the final stretch's looks, and frees what it allocates before it
    /// returns, so the measuring loop can call it between readings.
    ///
    /// The sequential rule looks at every reading of the final stretch. The measuring loop,
    /// which calls this after each reading and stops at the first decision, passes
    /// `newestOnly` so that only the newest reading is looked at (the earlier looks decided
    /// nothing, or it would have stopped); the report replays every look.
    public static func decide(
        samples: [HeapSample], plan: MeasurementPlan, stop: MeasurementStop = MeasurementStop(),
        newestOnly: Bool = false
    ) -> GrowthDecision? {
        guard samples.count >= 2 else { return nil }
        let policy = plan.policy
        let first = samples[1]
        let top = plan.ladderTop
        let previousRung = plan.ladder[plan.ladder.count - 2]
        var nextWindow = 0
        for index in 1..<samples.count {
            let sample = samples[index]
            let before = samples[index - 1]
            let stepGrowth = sample.retainedBytes - before.retainedBytes
            let stepAllowance = policy.allowance(iterations: sample.iterations - before.iterations)
            if sample.retainedBytes - first.retainedBytes >= policy.magnitudeLimitBytes,
                Double(stepGrowth) > stepAllowance
            {
                return .leak(
                    Evidence(
                        kind: .magnitude, fromIteration: first.iterations, toIteration: sample.iterations,
                        growthBytes: sample.retainedBytes - first.retainedBytes,
                        thresholdBytes: Double(policy.magnitudeLimitBytes), windowsCompleted: nextWindow,
                        followedToIteration: sample.iterations))
            }
            if sample.iterations == top, let rung = samples.sample(at: previousRung) {
                let growth = sample.retainedBytes - rung.retainedBytes
                let allowance = policy.allowance(iterations: top - previousRung)
                if Double(growth) <= allowance {
                    return .noLeak(
                        Evidence(
                            kind: .ladderFlat, fromIteration: previousRung, toIteration: top, growthBytes: growth,
                            thresholdBytes: allowance, windowsCompleted: 0, followedToIteration: top,
                            boundBytes: sample.retainedBytes))
                }
            }
            if sample.iterations > top, nextWindow < MeasurementPlan.maximumWindows {
                let window = plan.window(nextWindow)
                if sample.iterations == window.end, let start = samples.sample(at: window.start) {
                    nextWindow += 1
                    let growth = sample.retainedBytes - start.retainedBytes
                    let allowance = policy.allowance(iterations: window.end - window.start)
                    if Double(growth) <= allowance {
                        return .noLeak(
                            Evidence(
                                kind: .growthStopped, fromIteration: window.start, toIteration: window.end,
                                growthBytes: growth, thresholdBytes: allowance, windowsCompleted: nextWindow,
                                followedToIteration: window.end, boundBytes: sample.retainedBytes))
                    }
                }
            }
            if let from = stop.finalStretchFrom, sample.iterations > from, !newestOnly || index == samples.count - 1 {
                let last = stop.budgetEnded && index == samples.count - 1
                if let decision = look(
                    samples[0...index], plan: plan, finalStretchFrom: from, windowsCompleted: nextWindow, last: last)
                {
                    return decision
                }
            }
        }
        return nil
    }

    /// One look of the sequential rule at the readings so far (the last is the newest).
    static func look(
        _ samples: ArraySlice<HeapSample>, plan: MeasurementPlan, finalStretchFrom from: Int,
        windowsCompleted: Int, last: Bool
    ) -> GrowthDecision? {
        let policy = plan.policy
        let threshold = policy.growthThreshold
        let end = samples[samples.endIndex - 1]
        let budget = plan.budgetSeconds > 0 ? plan.budgetSeconds : nil

        // The final stretch's flat end: the readings since some point of the stretch gained no
        // more than their allowance. After growth in steps (the last window grew, but not
        // between every two of its readings) that says nothing until the flat part is as long
        // as all the windows before it, as a flat window (W, 2W] is: steps that keep pace come
        // once a window. After growth at every reading, four flat readings and a first window's
        // length say the growth stopped.
        let stretch = samples.filter { $0.iterations >= from }
        let steps = grewInSteps(samples, plan: plan, windowsCompleted: windowsCompleted)
        func flatLongEnough(since anchor: HeapSample) -> Bool {
            let length = end.iterations - anchor.iterations
            if length >= max(plan.firstWindowLength, anchor.iterations - plan.ladderTop) { return true }
            let flatReadings = stretch.filter { $0.iterations > anchor.iterations }.count
            return !steps && flatReadings >= 4 && length >= plan.firstWindowLength
        }
        if stretch.count >= 3,
            let anchor = stretch.first(where: {
                Double(end.retainedBytes - $0.retainedBytes)
                    <= policy.allowance(iterations: end.iterations - $0.iterations)
            }), flatLongEnough(since: anchor)
        {
            let growth = end.retainedBytes - anchor.retainedBytes
            return .noLeak(
                Evidence(
                    kind: .stoppedInFinalStretch, fromIteration: anchor.iterations, toIteration: end.iterations,
                    growthBytes: growth,
                    thresholdBytes: policy.allowance(iterations: end.iterations - anchor.iterations),
                    windowsCompleted: windowsCompleted, followedToIteration: end.iterations,
                    boundBytes: end.retainedBytes))
        }

        // The tail: from the ladder's top once the windows began, else the last 90 % of the run.
        let tailStart = from >= plan.ladderTop ? plan.ladderTop : max(1, end.iterations / 10)
        let tail = thinned(samples.filter { $0.iterations >= tailStart }, to: 48)
        let confidence = 1 - plan.sequentialErrorRate / Double(plan.finalReadings)
        let z = NormalDistribution.quantile(confidence)
        guard tail.count >= 4, let whole = TheilSenSlope.fit(points: tail, z: z) else {
            return last ? undecided(samples, plan: plan, from: tailStart, windows: windowsCompleted) : nil
        }
        let middle = (tailStart + end.iterations) / 2
        var secondHalf = tail.filter { $0.iterations >= middle }
        if secondHalf.count < 4 { secondHalf = Array(tail.suffix(4)) }
        let firstHalf = tail.filter { $0.iterations <= secondHalf[0].iterations }
        guard let second = TheilSenSlope.fit(points: secondHalf, z: z) else {
            return last ? undecided(samples, plan: plan, from: tailStart, windows: windowsCompleted) : nil
        }
        let unbounded = growsWithoutStopping(
            samples, plan: plan, stretch: stretch, windowsCompleted: windowsCompleted, trend: whole)
        // The pass needs: two readings into the stretch at least, so that growth that goes on,
        // however slowly, has had the chance to show in the stretch's latter half; no more than
        // the noise cap gained over the second half (over millions of iterations a rate below
        // the floor can still be kilobytes); after growth in steps, a flat part long enough.
        let secondGain = end.retainedBytes - secondHalf[0].retainedBytes
        let secondSpan = Double(end.iterations - secondHalf[0].iterations)
        let quiet =
            Double(secondGain) <= policy.toleratedBytesPerIteration * secondSpan + Double(policy.noiseCapBytes)
        let stepsAllowPass = !steps || flatLongEnough(since: secondHalf[0])
        if !unbounded, stretch.count >= 3, quiet, stepsAllowPass, second.upperBound95 <= threshold {
            return .noLeak(
                Evidence(
                    kind: .flatAtEnd, fromIteration: secondHalf[0].iterations, toIteration: end.iterations,
                    growthBytes: end.retainedBytes - secondHalf[0].retainedBytes, thresholdBytes: threshold,
                    windowsCompleted: windowsCompleted, followedToIteration: end.iterations,
                    boundBytes: end.retainedBytes, rateLowerBound: second.lowerBound95,
                    rateUpperBound: second.upperBound95, confidence: confidence))
        }
        guard last else { return nil }
        let firstRate = TheilSenSlope.fit(points: firstHalf, z: z)?.slope ?? whole.slope
        let gained = end.retainedBytes - tail[0].retainedBytes
        if whole.lowerBound95 > threshold, second.lowerBound95 > threshold, second.slope >= 0.5 * firstRate {
            return .leak(
                Evidence(
                    kind: .steadyToBudget, fromIteration: tail[0].iterations, toIteration: end.iterations,
                    growthBytes: gained, thresholdBytes: threshold, windowsCompleted: windowsCompleted,
                    followedToIteration: end.iterations, budgetSeconds: budget,
                    rateLowerBound: min(whole.lowerBound95, second.lowerBound95), rateUpperBound: whole.upperBound95,
                    confidence: confidence))
        }
        if unbounded {
            return .leak(
                Evidence(
                    kind: .unboundedToBudget, fromIteration: tail[0].iterations, toIteration: end.iterations,
                    growthBytes: gained, thresholdBytes: threshold, windowsCompleted: windowsCompleted,
                    followedToIteration: end.iterations, budgetSeconds: budget, rateLowerBound: whole.lowerBound95,
                    rateUpperBound: whole.upperBound95, confidence: confidence))
        }
        return undecided(samples, plan: plan, from: tailStart, windows: windowsCompleted)
    }

    /// Growth that slows but does not stop: the last three completed windows each grew past
    /// their allowance, each by at least what the one before gained (so each window's rate is
    /// at least half the one before's); the final stretch's latter half still grew past its
    /// allowance, and the stretch's rate is at least half the last window's; and the trend over
    /// the tail is above zero at the look's confidence. √n growth keeps about 0.7 of the rate
    /// from one doubling to the next; a cache approaching its bound falls below a half.
    static func growsWithoutStopping(
        _ samples: ArraySlice<HeapSample>, plan: MeasurementPlan, stretch: [HeapSample], windowsCompleted: Int,
        trend: SlopeBounds
    ) -> Bool {
        guard windowsCompleted >= 3, trend.lowerBound95 > 0, stretch.count >= 3 else { return false }
        var previous = Int.min
        for k in (windowsCompleted - 3)..<windowsCompleted {
            let bounds = plan.window(k)
            guard let start = samples.first(where: { $0.iterations == bounds.start }),
                let end = samples.first(where: { $0.iterations == bounds.end })
            else { return false }
            let growth = end.retainedBytes - start.retainedBytes
            guard Double(growth) > plan.policy.allowance(iterations: bounds.end - bounds.start), growth >= previous
            else { return false }
            previous = growth
        }
        let anchor = stretch[max(0, stretch.count - 1 - plan.finalReadings / 2)]
        let end = stretch[stretch.count - 1]
        guard
            Double(end.retainedBytes - anchor.retainedBytes)
                > plan.policy.allowance(iterations: end.iterations - anchor.iterations)
        else { return false }
        // Keeping up as the windows did: a window twice as long gaining as much is half the
        // rate, so the stretch's rate must be at least half the last window's.
        let lastWindow = plan.window(windowsCompleted - 1)
        let windowRate = Double(previous) / Double(lastWindow.end - lastWindow.start)
        let start = stretch[0]
        let stretchRate =
            Double(end.retainedBytes - start.retainedBytes) / Double(max(1, end.iterations - start.iterations))
        return stretchRate >= 0.5 * windowRate
    }

    /// Whether the last completed window grew in steps: past its allowance as a whole, but not
    /// between every two of its readings.
    static func grewInSteps(_ samples: ArraySlice<HeapSample>, plan: MeasurementPlan, windowsCompleted: Int) -> Bool {
        guard windowsCompleted > 0 else { return false }
        let bounds = plan.window(windowsCompleted - 1)
        var previous: HeapSample?
        for sample in samples where sample.iterations >= bounds.start && sample.iterations <= bounds.end {
            if let previous {
                let allowance = plan.policy.allowance(iterations: sample.iterations - previous.iterations)
                if Double(sample.retainedBytes - previous.retainedBytes) <= allowance { return true }
            }
            previous = sample
        }
        return false
    }

    static func undecided(_ samples: ArraySlice<HeapSample>, plan: MeasurementPlan, from: Int, windows: Int)
        -> GrowthDecision
    {
        let end = samples[samples.endIndex - 1]
        let start = samples.first { $0.iterations >= from } ?? end
        return .inconclusive(
            Evidence(
                kind: .undecided, fromIteration: start.iterations, toIteration: end.iterations,
                growthBytes: end.retainedBytes - start.retainedBytes, thresholdBytes: plan.policy.growthThreshold,
                windowsCompleted: windows, followedToIteration: end.iterations,
                budgetSeconds: plan.budgetSeconds > 0 ? plan.budgetSeconds : nil))
    }

    /// At most `limit` readings, evenly spread, the first and the last kept.
    static func thinned(_ readings: [HeapSample], to limit: Int) -> [HeapSample] {
        guard readings.count > limit else { return readings }
        var result: [HeapSample] = []
        result.reserveCapacity(limit)
        for j in 0..<limit {
            let index = (j * (readings.count - 1) + (limit - 1) / 2) / (limit - 1)
            if result.last?.iterations != readings[index].iterations { result.append(readings[index]) }
        }
        return result
    }
}
