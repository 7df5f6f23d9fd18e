#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The distribution-free statistics of the benchmark half: quantiles, the median's interval the
/// sampler stops by, and the bootstrap bound on a ratio of quantiles the gate judges time by.
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
    /// ⌊n/2 − 1.96·√n/2⌋ and ⌈1 + n/2 + 1.96·√n/2⌉ (1-based), clamped to the sample. It needs no
    /// assumption about the distribution's shape, which a benchmark's (skewed, with a long right
    /// tail) never meets.
    public static func medianInterval95(_ sorted: [Double]) -> ClosedRange<Double> {
        guard !sorted.isEmpty else { return Double.nan...Double.nan }
        let n = Double(sorted.count)
        let spread = 1.959_963_984_540_054 * n.squareRoot() / 2
        let low = Swift.min(sorted.count, Swift.max(1, Int((n / 2 - spread).rounded(.down))))
        let high = Swift.max(low, Swift.min(sorted.count, Int((1 + n / 2 + spread).rounded(.up))))
        return sorted[low - 1]...sorted[high - 1]
    }

    /// A lower bound, at `confidence`, of the ratio of the `q` quantiles of two samples
    /// (`current`'s over `baseline`'s), by the percentile bootstrap: `resamples` times, each
    /// sample is drawn again with replacement and the ratio of the two quantiles taken; the bound
    /// is the ratios' (1 − confidence) quantile. Above 1 means the current quantile is larger
    /// at that confidence. Deterministic: the draws come from a fixed seed. With few samples the
    /// resampled quantiles vary widely and the bound falls, so a rise among few, noisy samples
    /// is not shown.
    public static func quantileRatioLowerBound(
        current: [Double], baseline: [Double], q: Double, confidence: Double, resamples: Int = 2000
    ) -> Double {
        let now = current.sorted()
        let before = baseline.sorted()
        guard !now.isEmpty, !before.isEmpty, resamples > 0 else { return .nan }
        var random = SplitMix64(seed: 0x5EED_BE4C)
        var counts: [Int] = []
        var ratios: [Double] = []
        ratios.reserveCapacity(resamples)
        for _ in 0..<resamples {
            let a = resampledQuantile(now, q, random: &random, counts: &counts)
            let b = resampledQuantile(before, q, random: &random, counts: &counts)
            ratios.append(b > 0 ? a / b : .nan)
        }
        ratios = ratios.filter { !$0.isNaN }.sorted()
        return quantile(ratios, 1 - confidence)
    }

    /// The `q` quantile (type 7) of one resample of `sorted` with replacement. A resample is a
    /// count per original index, so its order statistics are read off the counts in order,
    /// without sorting: O(n).
    static func resampledQuantile(_ sorted: [Double], _ q: Double, random: inout SplitMix64, counts: inout [Int])
        -> Double
    {
        let n = sorted.count
        counts = [Int](repeating: 0, count: n)
        for _ in 0..<n { counts[Int(random.next() % UInt64(n))] += 1 }
        let position = q * Double(n - 1)
        let below = Int(position.rounded(.down))
        let fraction = position - Double(below)
        // The values of rank below and below + 1 (0-based) of the resample.
        var seen = 0
        var low = sorted[n - 1]
        var high = sorted[n - 1]
        var foundLow = false
        for index in 0..<n where counts[index] > 0 {
            seen += counts[index]
            if !foundLow, seen > below {
                low = sorted[index]
                foundLow = true
            }
            if seen > below + 1 {
                high = sorted[index]
                break
            }
        }
        if below + 1 >= n { high = low }
        return low + (high - low) * fraction
    }
}

/// Steele, Lea and Flood's SplitMix64: a small, fast generator with a seed, for resampling
/// that gives the same answer every time.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
