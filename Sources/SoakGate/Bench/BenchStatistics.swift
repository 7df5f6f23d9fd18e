#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The distribution-free statistics of the benchmark half: quantiles, the median's interval,
/// and the Mann–Whitney rank test the gate asks whether a workload got slower with.
public enum BenchStatistics {
    /// The `q` quantile of sorted values, interpolating between neighbours (R's type 7, numpy's
    /// default). NaN for no values.
    public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let position = q * Double(sorted.count - 1)
        let below = Int(position.rounded(.down))
        let above = Swift.min(below + 1, sorted.count - 1)
        let fraction = position - Double(below)
        return sorted[below] + (sorted[above] - sorted[below]) * fraction
    }

    /// The median's 95 % interval from order statistics: the values of rank
    /// ⌊n/2 − 1.96·√n/2⌋ and ⌈1 + n/2 + 1.96·√n/2⌉ (1-based), clamped to the sample. Needs no
    /// assumption about the distribution's shape, which a benchmark's (skewed, with a long right
    /// tail) never meets.
    public static func medianInterval95(_ sorted: [Double]) -> ClosedRange<Double> {
        guard let first = sorted.first, let last = sorted.last else { return Double.nan...Double.nan }
        let n = Double(sorted.count)
        let spread = 1.959_963_984_540_054 * n.squareRoot() / 2
        let low = Swift.max(1, Int((n / 2 - spread).rounded(.down)))
        let high = Swift.min(sorted.count, Int((1 + n / 2 + spread).rounded(.up)))
        guard sorted.count >= 3 else { return first...last }
        return sorted[low - 1]...sorted[high - 1]
    }

    /// The one-sided p-value of the Mann–Whitney U test that values in `current` tend to be
    /// larger than in `baseline`, by the normal approximation with the correction for ties and
    /// for continuity. Small means `current` is very likely larger (slower).
    public static func mannWhitneyGreater(current: [Double], baseline: [Double]) -> Double {
        let n1 = Double(current.count)
        let n2 = Double(baseline.count)
        guard n1 > 0, n2 > 0 else { return 1 }
        // Rank the pooled values, ties sharing their mean rank.
        var pooled = current.map { ($0, true) } + baseline.map { ($0, false) }
        pooled.sort { $0.0 < $1.0 }
        var rankSumCurrent = 0.0
        var tieTerm = 0.0
        var start = 0
        while start < pooled.count {
            var end = start
            while end + 1 < pooled.count && pooled[end + 1].0 == pooled[start].0 { end += 1 }
            let rank = Double(start + end) / 2 + 1
            let tied = Double(end - start + 1)
            tieTerm += tied * tied * tied - tied
            for index in start...end where pooled[index].1 { rankSumCurrent += rank }
            start = end + 1
        }
        let u = rankSumCurrent - n1 * (n1 + 1) / 2
        let mean = n1 * n2 / 2
        let n = n1 + n2
        let variance = n1 * n2 / 12 * ((n + 1) - tieTerm / (n * (n - 1)))
        guard variance > 0 else { return u > mean ? 0 : 1 }
        let z = (u - mean - 0.5) / variance.squareRoot()
        return 0.5 * erfc(z / 2.0.squareRoot())
    }
}
