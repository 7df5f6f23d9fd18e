import Foundation

/// The Theil–Sen slope: the median of the slopes between every pair of points. Robust to a
/// few wild points (a one-off allocation, a cache that drops), unlike least squares.
public struct TheilSenSlope: Sendable, Equatable, Codable {
    /// Median pairwise slope, bytes per iteration.
    public var slope: Double
    /// One-sided 95 % lower confidence bound on the slope (Sen, 1968, from Kendall's tau).
    public var lowerBound95: Double
    /// Upper counterpart of `lowerBound95`.
    public var upperBound95: Double
    /// Median of `y - slope·x`.
    public var intercept: Double
    /// Points the slope was computed from.
    public var points: Int

    /// Needs at least 2 points with distinct x.
    public static func fit(x: [Double], y: [Double]) -> TheilSenSlope? {
        fit(x: x, y: y, z: 1.6448536269514722, clamped: true)
    }

    /// The slope with one-sided bounds at the normal quantile `z` (1.645 for 95 %) in the
    /// fields named for 95 %. Clamped (scipy's convention), a bound whose rank falls outside
    /// the slopes is the extreme slope; unclamped it is infinite: too few points for that
    /// confidence (n points can give at most 1 − 1/n!).
    static func fit(x: [Double], y: [Double], z: Double, clamped: Bool) -> TheilSenSlope? {
        let n = x.count
        guard n == y.count, n >= 2 else { return nil }
        var slopes: [Double] = []
        slopes.reserveCapacity(n * (n - 1) / 2)
        for i in 0..<n {
            for j in (i + 1)..<n where x[j] != x[i] {
                slopes.append((y[j] - y[i]) / (x[j] - x[i]))
            }
        }
        guard !slopes.isEmpty else { return nil }
        slopes.sort()
        let slope = median(ofSorted: slopes)
        let intercept = median(ofSorted: zip(x, y).map { $1 - slope * $0 }.sorted())
        // Sen's interval: with N pairwise slopes and C = z·sqrt(n(n-1)(2n+5)/18), z = 1.645 for a
        // one-sided 95 % bound (any z for the sequential rule), the bounds are the slopes at 0-based ranks round((N-C)/2) - 1 and
        // round((N+C)/2) (the convention of scipy.stats.theilslopes; ties in the data are not
        // corrected for).
        let pairs = Double(slopes.count)
        let c = z * (Double(n * (n - 1) * (2 * n + 5)) / 18).squareRoot()
        let lowerIndex = Int(((pairs - c) / 2).rounded(.toNearestOrEven)) - 1
        let upperIndex = Int(((pairs + c) / 2).rounded(.toNearestOrEven))
        var lower = slopes[min(max(lowerIndex, 0), slopes.count - 1)]
        var upper = slopes[min(max(upperIndex, 0), slopes.count - 1)]
        if !clamped {
            if lowerIndex < 0 { lower = -.infinity }
            if upperIndex >= slopes.count { upper = .infinity }
        }
        return TheilSenSlope(slope: slope, lowerBound95: lower, upperBound95: upper, intercept: intercept, points: n)
    }

    static func median(ofSorted values: [Double]) -> Double {
        let mid = values.count / 2
        return values.count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2
    }
}

/// The slope and Sen's bounds at one confidence, for the sequential rule.
struct SlopeBounds {
    var slope: Double
    /// One-sided lower and upper bounds at the confidence the fit was asked for.
    var lowerBound95: Double
    var upperBound95: Double
}

extension TheilSenSlope {
    /// Retained bytes against iterations for `points`, with bounds at the normal quantile `z`.
    static func fit(points: [HeapSample], z: Double) -> SlopeBounds? {
        guard
            let fit = fit(
                x: points.map { Double($0.iterations) }, y: points.map { Double($0.retainedBytes) }, z: z,
                clamped: false)
        else { return nil }
        return SlopeBounds(slope: fit.slope, lowerBound95: fit.lowerBound95, upperBound95: fit.upperBound95)
    }
}

/// The standard normal distribution's quantiles, for the sequential rule's bounds.
enum NormalDistribution {
    /// The z with P(Z ≤ z) = `p`, for 0 < p < 1, by bisection on `erfc` (to 1e-12).
    static func quantile(_ p: Double) -> Double {
        var low = -40.0
        var high = 40.0
        for _ in 0..<100 {
            let mid = (low + high) / 2
            if 0.5 * erfc(-mid / 2.0.squareRoot()) < p { low = mid } else { high = mid }
        }
        return (low + high) / 2
    }
}
