/// Turns a measurement into a verdict with its evidence, fits and figures.
public enum WorkloadAnalysis {
    /// Analyses the samples of one measurement. The verdict comes from ``GrowthRules`` applied
    /// to the same samples the measuring process stopped on; the fits and the seed rule are
    /// reported beside it.
    public static func analyze(_ record: MeasurementRecord, summary: String, plan: MeasurementPlan) -> WorkloadResult {
        let samples = record.samples
        let decision =
            GrowthRules.decide(samples: samples, plan: plan, stop: record.stop)
            ?? GrowthRules.undecided(samples[...], plan: plan, from: plan.ladderTop, windows: 0)
        let measured = samples.filter { $0.iterations > 0 }
        let fits = GrowthFits.fit(
            x: measured.map { Double($0.iterations) }, y: measured.map { Double($0.retainedBytes) })
        let windows = windowGrowths(samples, plan: plan)
        let tail = tailSamples(samples, plan: plan)
        let theilSen = TheilSenSlope.fit(
            x: tail.map { Double($0.iterations) }, y: tail.map { Double($0.retainedBytes) })
        let exponent = PowerFit.fit(
            x: tail.map { Double($0.iterations) }, y: tail.map { Double($0.retainedBytes) })

        let evidence = decision.evidence
        let verdict: Verdict
        let growth: GrowthClass
        let rate: Double
        switch decision {
        case .noLeak:
            verdict = .pass
            growth = .none
            rate = Double(evidence.growthBytes) / Double(max(1, evidence.toIteration - evidence.fromIteration))
        case .leak:
            verdict = .leak
            growth = growthClass(samples, windows: windows, plan: plan, fits: fits, exponent: exponent)
            if evidence.kind != .magnitude, let theilSen {
                rate = theilSen.slope
            } else {
                rate = lastStepRate(samples)
            }
        case .inconclusive:
            verdict = .inconclusive
            growth = .none
            rate = theilSen?.slope ?? lastStepRate(samples)
        }
        let ladder = plan.ladder.compactMap { rung in
            samples.sample(at: rung).map { LadderRung(iterations: rung, retainedBytes: $0.retainedBytes) }
        }
        var result = WorkloadResult(
            name: record.workload, summary: summary, verdict: verdict, growth: growth, bytesPerIteration: rate,
            bytesPerIterationLowerBound: verdict == .leak ? theilSen?.lowerBound95 : nil, evidence: evidence,
            ladder: ladder, samples: samples, windows: windows, fits: fits, theilSen: theilSen,
            seedRule: seedRule(samples, verdict: verdict), sizeClasses: sizeClassGrowth(record),
            iterationsRun: record.iterationsRun, durationSeconds: record.durationSeconds,
            jemallocVersion: record.jemallocVersion, failure: nil)
        result.section = record.section
        result.stop = record.stop
        result.growthExponent = exponent
        return result
    }

    /// How a leak grows, from the exponent fitted over the whole run past the ladder:
    /// `superlinear` at 1.5 or more, `sublinear` at 0.75 or less, else `linear`. Where no
    /// exponent can be fitted (too few readings), `superlinear` if the growth accelerates
    /// (below), else `linear`. The exponent, not the window rates, decides where it can: an
    /// array that doubles its buffer grows in steps whose last, cut short by the magnitude
    /// limit, looks like acceleration to a comparison of rates.
    static func growthClass(
        _ samples: [HeapSample], windows: [WindowGrowth], plan: MeasurementPlan, fits: GrowthFits?, exponent: PowerFit?
    ) -> GrowthClass {
        guard let exponent else {
            return accelerates(samples, windows: windows, plan: plan, fits: fits) ? .superlinear : .linear
        }
        if exponent.exponent >= 1.5 { return .superlinear }
        if exponent.exponent <= 0.75 { return .sublinear }
        return .linear
    }

    /// The readings past the ladder if there are at least three, else the ladder's last decade.
    static func tailSamples(_ samples: [HeapSample], plan: MeasurementPlan) -> [HeapSample] {
        let windowed = samples.filter { $0.iterations >= plan.ladderTop }
        if windowed.count >= 3 { return windowed }
        return samples.filter { $0.iterations >= max(1, plan.ladderTop / 10) }
    }

    static func windowGrowths(_ samples: [HeapSample], plan: MeasurementPlan) -> [WindowGrowth] {
        var result: [WindowGrowth] = []
        for k in 0..<MeasurementPlan.maximumWindows {
            let window = plan.window(k)
            guard let start = samples.sample(at: window.start), let end = samples.sample(at: window.end) else { break }
            let growth = end.retainedBytes - start.retainedBytes
            let length = Double(window.end - window.start)
            result.append(
                WindowGrowth(
                    window: k + 1, fromIteration: window.start, toIteration: window.end, growthBytes: growth,
                    bytesPerIteration: Double(growth) / length,
                    grew: Double(growth) > plan.policy.allowance(iterations: window.end - window.start)))
        }
        return result
    }

    /// Superlinear needs both: the quadratic model wins with a positive curvature, and the rate
    /// itself rises by half or more from the first stretch to the last (windows if there are
    /// two, else the ladder's last two steps). The second guards against a staircase (an array
    /// doubling its buffer) that a parabola happens to fit.
    static func accelerates(_ samples: [HeapSample], windows: [WindowGrowth], plan: MeasurementPlan, fits: GrowthFits?)
        -> Bool
    {
        guard let fits, fits.chosenDegree == 2, fits.quadratic.coefficients[2] > 0 else { return false }
        var rates = windows.map(\.bytesPerIteration)
        if let last = samples.last, let lastWindowEnd = windows.last?.toIteration ?? Optional(plan.ladderTop),
            last.iterations > lastWindowEnd, let from = samples.sample(at: lastWindowEnd)
        {
            rates.append(Double(last.retainedBytes - from.retainedBytes) / Double(last.iterations - lastWindowEnd))
        }
        if rates.count < 2 {
            let rungs = plan.ladder.compactMap { samples.sample(at: $0) }
            guard rungs.count >= 3 else { return false }
            let a = rungs[rungs.count - 3]
            let b = rungs[rungs.count - 2]
            let c = rungs[rungs.count - 1]
            rates = [
                Double(b.retainedBytes - a.retainedBytes) / Double(b.iterations - a.iterations),
                Double(c.retainedBytes - b.retainedBytes) / Double(c.iterations - b.iterations),
            ]
        }
        guard let first = rates.first, let last = rates.last, first > 0 else { return false }
        return last >= 1.5 * first
    }

    static func lastStepRate(_ samples: [HeapSample]) -> Double {
        guard samples.count >= 2 else { return 0 }
        let a = samples[samples.count - 2]
        let b = samples[samples.count - 1]
        return Double(b.retainedBytes - a.retainedBytes) / Double(max(1, b.iterations - a.iterations))
    }

    /// The seed procedure's 1× vs 10× reading. Within 2× of the first iteration's growth reads
    /// as a start-up cost, 5× or more as a leak.
    static func seedRule(_ samples: [HeapSample], verdict: Verdict) -> SeedRule? {
        guard let one = samples.sample(at: 1), let ten = samples.sample(at: 10) else { return nil }
        let r1 = one.retainedBytes
        let r10 = ten.retainedBytes
        let ratio: Double? = r1 > 0 ? Double(r10) / Double(r1) : nil
        let reading: String
        if r1 <= 0 && r10 <= 0 {
            reading = "no growth"
        } else if let ratio, ratio <= 2 {
            reading = "start-up cost"
        } else if let ratio, ratio >= 5 {
            reading = "leak"
        } else {
            reading = "inconclusive"
        }
        let agrees: Bool?
        switch reading {
        case "no growth", "start-up cost": agrees = verdict == .pass
        case "leak": agrees = verdict == .leak
        default: agrees = nil
        }
        return SeedRule(retainedAt1: r1, retainedAt10: r10, ratio: ratio, reading: reading, agreesWithVerdict: agrees)
    }

    static func sizeClassGrowth(_ record: MeasurementRecord) -> [SizeClassGrowth] {
        var rows: [SizeClassGrowth] = []
        for (index, sizeClass) in record.sizeClasses.enumerated()
        where index < record.liveObjectsAtBaseline.count && index < record.liveObjectsAtEnd.count {
            let before = record.liveObjectsAtBaseline[index]
            let after = record.liveObjectsAtEnd[index]
            guard before != after else { continue }
            rows.append(
                SizeClassGrowth(
                    size: sizeClass.size, kind: sizeClass.kind, countAtBaseline: before, countAtEnd: after,
                    countDelta: after - before, bytesDelta: (after - before) * sizeClass.size))
        }
        return rows.sorted { (abs($0.bytesDelta), $1.size) > (abs($1.bytesDelta), $0.size) }
    }
}
