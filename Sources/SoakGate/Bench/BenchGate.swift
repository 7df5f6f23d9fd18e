import Foundation
import SoakGateBasics

/// The policy's rules for benchmark figures (`"bench"` in the policy file).
///
/// Allocations are exact, so any rise beyond `allocationsTolerance` (default 0) is rejected.
/// Wall and CPU time are noisy, so they are judged at the fast end of the samples, the
/// `effectQuantile` (default 0.01: the 1st percentile), and regress only when both hold: that
/// quantile rose by more than the metric's minimum, `minimumEffect` for wall time (default
/// 0.05, 5 %) and `cpuMinimumEffect` for CPU time (default 0.10), **and** the rise is shown:
/// the bootstrap's lower bound of the ratio of the two quantiles at `confidence` (default 0.99)
/// is above 1. Peak RSS is compared only when `peakResidentTolerance` (a share: 0.25 is 25 %)
/// is given.
///
/// Why the fast end and not the median: another process on the machine only ever adds time to
/// a sample, so the fastest samples are the ones it touched least. Between two runs of the same
/// code while a build ran here, the median wall time moved by up to 60 % and a rank test over
/// all samples called 12 of 50 such pairs slower; the 1st percentile stayed within 2.5 % in 49
/// of 51 runs (docs/benchmarks.md). Process CPU time moves less, but a whole run's could sit 5–6 %
/// higher than the run before (the other core's load slows this one), hence its own minimum.
public struct BenchRule: Sendable, Equatable, Codable {
    public var allocationsTolerance: Double?
    public var minimumEffect: Double?
    public var cpuMinimumEffect: Double?
    public var effectQuantile: Double?
    public var confidence: Double?
    public var peakResidentTolerance: Double?
    /// Which of `wall`, `cpu`, `allocations` and `peakResident` are gated (default all but
    /// peakResident, which needs its tolerance).
    public var metrics: [BenchMetric]?

    public init(
        allocationsTolerance: Double? = nil, minimumEffect: Double? = nil, cpuMinimumEffect: Double? = nil,
        effectQuantile: Double? = nil, confidence: Double? = nil, peakResidentTolerance: Double? = nil,
        metrics: [BenchMetric]? = nil
    ) {
        self.allocationsTolerance = allocationsTolerance
        self.minimumEffect = minimumEffect
        self.cpuMinimumEffect = cpuMinimumEffect
        self.effectQuantile = effectQuantile
        self.confidence = confidence
        self.peakResidentTolerance = peakResidentTolerance
        self.metrics = metrics
    }

    public static let defaultMinimumEffect = 0.05
    public static let defaultCPUMinimumEffect = 0.10
    public static let defaultEffectQuantile = 0.01
    public static let defaultConfidence = 0.99

    var gated: Set<BenchMetric> {
        Set(metrics ?? (peakResidentTolerance == nil ? [.wall, .cpu, .allocations] : BenchMetric.allCases))
    }
}

/// A figure the bench gate can compare.
public enum BenchMetric: String, Sendable, Codable, CaseIterable {
    case wall
    case cpu
    case allocations
    case peakResident
}

extension Gate {
    /// The gate on benchmark figures: each workload's against the baseline's of the same name.
    /// A workload that failed is `crashed`; one without a baseline is accepted and says so.
    public static func evaluateBench(_ current: [BenchResult], baseline: [BenchResult], rule: BenchRule)
        -> [GateDecision]
    {
        current.map { result in
            func decision(_ outcome: GateDecision.Outcome, _ reason: String) -> GateDecision {
                GateDecision(workload: result.name, verdict: .pass, outcome: outcome, reason: "bench: " + reason)
            }
            guard let now = result.figures else {
                return decision(.crashed, result.failure?.reason ?? "no figures")
            }
            guard let before = baseline.first(where: { $0.name == result.name })?.figures else {
                return decision(.accepted, "no baseline figures to compare; " + describe(now))
            }
            let comparison = BenchComparison(current: now, baseline: before, rule: rule)
            if let regression = comparison.regressions.first {
                let others = comparison.regressions.dropFirst().map { "; " + $0 }.joined()
                return decision(.rejected, regression + others)
            }
            return decision(.accepted, comparison.summary)
        }
    }

    static func describe(_ figures: BenchFigures) -> String {
        "median \(BenchText.duration(figures.wall.median)), \(BenchText.count(figures.allocationsPerIteration)) allocations per iteration"
    }
}

/// One workload's figures against its baseline's: every rule's finding.
public struct BenchComparison: Sendable {
    /// One sentence per regression the rules find, wall first.
    public var regressions: [String] = []
    /// The deltas in one line, for an accepted workload.
    public var summary: String

    public init(current: BenchFigures, baseline: BenchFigures, rule: BenchRule) {
        let gated = rule.gated
        let quantile = rule.effectQuantile ?? BenchRule.defaultEffectQuantile
        let confidence = rule.confidence ?? BenchRule.defaultConfidence
        let at = "p" + String(format: "%g", 100 * quantile)
        var deltas: [String] = []
        for (metric, name, now, before, effect) in [
            (
                BenchMetric.wall, "wall time", current.timing.wallNanoseconds, baseline.timing.wallNanoseconds,
                rule.minimumEffect ?? BenchRule.defaultMinimumEffect
            ),
            (
                .cpu, "CPU time", current.timing.cpuNanoseconds, baseline.timing.cpuNanoseconds,
                rule.cpuMinimumEffect ?? BenchRule.defaultCPUMinimumEffect
            ),
        ] {
            let sortedNow = now.sorted()
            let sortedBefore = before.sorted()
            let fastNow = BenchStatistics.quantile(sortedNow, quantile)
            let fastBefore = BenchStatistics.quantile(sortedBefore, quantile)
            let change = fastBefore > 0 ? fastNow / fastBefore - 1 : 0
            deltas.append("\(metric.rawValue) \(BenchText.percent(change)) at \(at)")
            guard gated.contains(metric), change > effect else { continue }
            let bound = BenchStatistics.quantileRatioLowerBound(
                current: now, baseline: before, q: quantile, confidence: confidence)
            if bound > 1 {
                let percent = BenchText.trimmingZeros(String(format: "%.4f", 100 * confidence))
                regressions.append(
                    "\(name) per iteration rose \(BenchText.percent(change)) at its fast end, over the \(BenchText.percent(effect)) minimum (\(at) \(BenchText.duration(fastNow)) against \(BenchText.duration(fastBefore)), at least \(BenchText.percent(bound - 1)) at \(percent) % confidence; median \(BenchText.duration(BenchStatistics.quantile(sortedNow, 0.5))) against \(BenchText.duration(BenchStatistics.quantile(sortedBefore, 0.5))))"
                )
            }
        }
        let tolerance = rule.allocationsTolerance ?? 0
        let allocationsRise = current.allocationsPerIteration - baseline.allocationsPerIteration
        deltas.append(
            "allocations \(BenchText.count(baseline.allocationsPerIteration)) → \(BenchText.count(current.allocationsPerIteration))"
        )
        if gated.contains(.allocations), allocationsRise > tolerance {
            regressions.append(
                "allocations per iteration rose from \(BenchText.count(baseline.allocationsPerIteration)) to \(BenchText.count(current.allocationsPerIteration)) (tolerance \(BenchText.count(tolerance)))"
            )
        }
        if gated.contains(.peakResident), let tolerance = rule.peakResidentTolerance {
            let before = Double(baseline.timing.peakResidentBytes)
            let now = Double(current.timing.peakResidentBytes)
            if before > 0, now > before * (1 + tolerance) {
                regressions.append(
                    "peak RSS rose from \(ByteCount.format(Int(before))) to \(ByteCount.format(Int(now))) (tolerance \(BenchText.percent(tolerance)))"
                )
            }
        }
        summary = "within the policy: " + deltas.joined(separator: ", ")
    }
}

/// How benchmark figures read, the same in the gate's sentences and in every report: durations,
/// counts and rates to three significant digits, which is as much as a ±2 % interval supports.
public enum BenchText {
    /// A time per iteration to three significant digits: `812 ns`, `4.21 µs`, `13.0 ms`, `1.52 s`.
    public static func duration(_ nanoseconds: Double) -> String {
        guard nanoseconds.isFinite else { return "–" }
        let units: [(name: String, scale: Double)] = [("ns", 1), ("µs", 1e3), ("ms", 1e6), ("s", 1e9)]
        for (index, unit) in units.enumerated() {
            let value = significant(nanoseconds / unit.scale)
            // 999.7 ns rounds to 1000 ns, which reads better as 1.00 µs.
            if abs(value) < 1000 || index == units.count - 1 { return digits(value) + " " + unit.name }
        }
        return "–"
    }

    /// Allocations per iteration: `3` or `95,094` when whole, else up to three decimals (`2.333`); a rate too
    /// small for three decimals keeps three significant digits (`0.000244`) rather than read 0.
    public static func count(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        if value == value.rounded() && abs(value) < 1e15 { return ByteCount.grouped(Int(value)) }
        if abs(value) < 0.0005 { return String(format: "%.3g", value) }
        return trimmingZeros(String(format: "%.3f", value))
    }

    /// A signed share as a percentage: `+10.3 %`, `-1.2 %`.
    public static func percent(_ share: Double) -> String {
        String(format: "%+.1f %%", 100 * share)
    }

    /// `value` rounded to three significant digits.
    public static func significant(_ value: Double) -> Double {
        guard value != 0, value.isFinite else { return value }
        let exponent = Int(floor(log10(abs(value))))
        // Scaling by an exact power of ten, never by its reciprocal, keeps 1,180,000 from
        // coming back as 1,179,999.9999.
        if exponent >= 2 {
            let scale = pow(10, Double(exponent - 2))
            return (value / scale).rounded() * scale
        }
        let scale = pow(10, Double(2 - exponent))
        return (value * scale).rounded() / scale
    }

    /// A value already rounded to three significant digits, with as many decimals as they need.
    public static func digits(_ value: Double) -> String {
        guard value != 0 else { return "0" }
        let decimals = max(0, 2 - Int(floor(log10(abs(value)))))
        return String(format: "%.\(decimals)f", value)
    }

    /// `2.500` → `2.5`, `3.000` → `3`.
    public static func trimmingZeros(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var result = Substring(text)
        while result.hasSuffix("0") { result = result.dropLast() }
        if result.hasSuffix(".") { result = result.dropLast() }
        return String(result)
    }
}
