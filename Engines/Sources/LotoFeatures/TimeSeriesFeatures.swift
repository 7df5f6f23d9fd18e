import Foundation

/// Part of the tsfeatures set, by the definitions of Nixtla's `tsfeatures` 0.4.5 (Python) with
/// `freq = 1`, i.e. period m = 1: lottery draws have no seasonal period, so the series is treated
/// as non-seasonal. tsfeatures then uses windows of 10 for lumpiness and stability, 10 lags for
/// the autocorrelation features, and in `stl_features` a SuperSmoother trend in place of STL.
/// The functions are applied to the series as it is (the present values in draw order), as
/// calling them one by one does; tsfeatures' `tsfeatures()` wrapper would first standardise it
/// (`scale = True`), which changes the scale-dependent ones (lumpiness, stability, spike,
/// linearity, curvature).
///
/// Columns, in order:
/// - `acf_features`: x_acf1, x_acf10, diff1_acf1, diff1_acf10, diff2_acf1, diff2_acf10;
/// - `lumpiness`, `stability`, `crossing_points`, `flat_spots`, `entropy` (normalised spectral
///   entropy of the periodogram) and `hurst` (tsfeatures' rescaled-range estimate);
/// - `stl_features` with m = 1, on the trend T = ``SuperSmoother``'s fit of x at t = 1…n and
///   the remainder R = x − T: `trend` (strength of trend, max(0, min(1, 1 − var R / var x)),
///   0 when var x is below machine epsilon), `spike` (the variance of the n leave-one-out
///   variances of R), `linearity` and `curvature` (the least-squares coefficients of T on the
///   orthonormal linear and quadratic polynomials of t, numpy's QR of [1, t, t²] as tsfeatures'
///   `poly`; curvature negated), `e_acf1` and `e_acf10` (x_acf1 and x_acf10 of R). Variances
///   have ddof = 1.
///
/// NULL (where tsfeatures gives NaN): every column below two present values; x_acf10 and
/// diff1_acf1/acf10 up to 10 values, diff2_acf1/acf10 up to 11; an autocorrelation of a constant
/// (differenced) series (0/0); hurst when a prefix has zero variance (the first two values are
/// equal); the six `stl_features` columns below 100 values, where tsfeatures' SuperSmoother fit
/// fails (the first point's cross-validated window keeps one point; tsfeatures catches the error
/// and returns NaN); e_acf1 and e_acf10 when R is constant, e.g. on a constant series, which the
/// smoother reproduces exactly (spike, linearity and curvature are then 0 and trend is 0).
///
/// Not computed: with m = 1 tsfeatures has no seasonal strength, peak, trough or seas_acf1;
/// the rest of tsfeatures' default set (arch_stat, heterogeneity, holt_parameters,
/// hw_parameters, nonlinearity, pacf_features, unitroot_kpss, unitroot_pp, series_length) has
/// no column.
public enum TimeSeriesFeatures {
    /// Columns, in the order ``compute(_:)`` returns them: the schema's names where
    /// `../shared/loto-schema.md` has the feature, `stat_ts_…` for this project's own.
    public static let columns = [
        "stat_ts_x_acf1", "stat_ts_x_acf10", "stat_ts_diff1_acf1", "stat_ts_diff1_acf10", "stat_ts_diff2_acf1",
        "stat_ts_diff2_acf10",
        "stat_lumpiness", "stat_stability", "stat_crossing_points", "stat_flat_spots", "stat_entropy_tsfeatures",
        "stat_hurst_exponent",
        "stat_ts_trend", "stat_spikiness", "stat_linearity", "stat_curvature", "stat_ts_e_acf1", "stat_ts_e_acf10",
    ]

    /// The schema's tsfeatures columns this type computes, in the schema's order (trend and
    /// seasonal strength come from ``TrendPipeline``'s STL with the draw calendar's period).
    public static let schemaColumns = [
        "stat_linearity", "stat_curvature", "stat_spikiness", "stat_stability", "stat_lumpiness",
        "stat_entropy_tsfeatures", "stat_hurst_exponent", "stat_crossing_points", "stat_flat_spots",
    ]

    /// The rest, in ``columns`` order.
    public static let extraColumns = columns.filter { !schemaColumns.contains($0) }

    /// tsfeatures' window for lumpiness and stability when `freq = 1`.
    static let width = 10

    /// The features of `y` (missing values already dropped).
    public static func compute(_ y: [Double]) -> [Double] {
        guard y.count >= 2 else { return [Double](repeating: .nan, count: columns.count) }
        return acfFeatures(y) + [lumpiness(y), stability(y), crossingPoints(y), flatSpots(y), entropy(y), hurst(y)]
            + stlFeatures(y)
    }

    /// statsmodels' `acf` (biased autocovariance over the lag-0 one) up to `lags`.
    static func acf(_ x: [Double], lags: Int) -> [Double] {
        let n = x.count
        let mean = x.reduce(0, +) / Double(n)
        let d = x.map { $0 - mean }
        var result: [Double] = []
        for lag in 0...lags {
            var sum = 0.0
            if lag < n { for t in 0..<(n - lag) { sum += d[t] * d[t + lag] } }
            result.append(sum / Double(n))
        }
        return result.map { $0 / result[0] }
    }

    static func difference(_ x: [Double]) -> [Double] { zip(x.dropFirst(), x).map { $0 - $1 } }

    static func acfFeatures(_ x: [Double]) -> [Double] {
        let n = x.count
        let acfx = acf(x, lags: 10)
        let sum10 = { (a: [Double]) in a[1...10].reduce(0) { $0 + $1 * $1 } }
        var out = [acfx[1], n > 10 ? sum10(acfx) : .nan]
        if n > 10 {
            let a = acf(difference(x), lags: 10)
            out += [a[1], sum10(a)]
        } else {
            out += [.nan, .nan]
        }
        if n > 11 {
            let a = acf(difference(difference(x)), lags: 10)
            out += [a[1], sum10(a)]
        } else {
            out += [.nan, .nan]
        }
        return out
    }

    /// Variance (ddof 1) of a slice, NaN below two values.
    static func variance(_ x: ArraySlice<Double>) -> Double {
        guard x.count > 1 else { return .nan }
        let mean = x.reduce(0, +) / Double(x.count)
        return x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count - 1)
    }

    /// The tiles tsfeatures takes: whole windows of `width` from the start.
    static func tiles(_ x: [Double]) -> [ArraySlice<Double>] {
        (0..<(x.count / width)).map { x[($0 * width)..<($0 * width + width)] }
    }

    static func lumpiness(_ x: [Double]) -> Double {
        x.count < 2 * width ? 0 : variance(ArraySlice(tiles(x).map { variance($0) }))
    }

    static func stability(_ x: [Double]) -> Double {
        x.count < 2 * width ? 0 : variance(ArraySlice(tiles(x).map { $0.reduce(0, +) / Double($0.count) }))
    }

    static func crossingPoints(_ x: [Double]) -> Double {
        let median = StatFeatures.quantile(x.sorted(), 0.5)
        var crossings = 0
        for t in 1..<x.count where (x[t - 1] <= median) != (x[t] <= median) { crossings += 1 }
        return Double(crossings)
    }

    /// The longest run in one of pandas' `cut(x, bins=10)` intervals.
    static func flatSpots(_ x: [Double]) -> Double {
        let low = x.min()!
        let high = x.max()!
        var edges: [Double]
        if low == high {
            let low2 = low - (low != 0 ? 0.001 * abs(low) : 0.001)
            let high2 = high + (high != 0 ? 0.001 * abs(high) : 0.001)
            edges = (0...10).map { low2 + (high2 - low2) * Double($0) / 10 }
        } else {
            edges = (0...10).map { low + (high - low) * Double($0) / 10 }
            edges[0] -= (high - low) * 0.001
        }
        // Right-closed intervals (edge[i], edge[i+1]]: the bin is the first edge ≥ x, less one.
        func bin(_ value: Double) -> Int {
            var index = 1
            while index < 10, value > edges[index] { index += 1 }
            return index
        }
        var longest = 0
        var run = 0
        var previous = -1
        for value in x {
            let current = bin(value)
            run = current == previous ? run + 1 : 1
            previous = current
            longest = max(longest, run)
        }
        return Double(longest)
    }

    /// antropy's `spectral_entropy(x, sf=1, method='fft', normalize=True)`: Shannon entropy
    /// (base 2) of scipy's one-sided periodogram (constant detrend), over log2 of its length.
    static func entropy(_ x: [Double]) -> Double {
        let n = x.count
        let mean = x.reduce(0, +) / Double(n)
        let d = x.map { $0 - mean }
        let bins = n / 2 + 1
        var power = [Double](repeating: 0, count: bins)
        // One table of the n roots of unity serves every bin: angle index k·t mod n.
        let cosines = (0..<n).map { cos(2 * Double.pi * Double($0) / Double(n)) }
        let sines = (0..<n).map { sin(2 * Double.pi * Double($0) / Double(n)) }
        for k in 0..<bins {
            var re = 0.0
            var im = 0.0
            var angle = 0
            for t in 0..<n {
                re += d[t] * cosines[angle]
                im -= d[t] * sines[angle]
                angle += k
                if angle >= n { angle -= n }
            }
            // One-sided: every bin but 0 (and n/2 for even n) carries its mirror's power.
            let doubled = k != 0 && !(n % 2 == 0 && k == n / 2)
            power[k] = (re * re + im * im) * (doubled ? 2 : 1)
        }
        let total = power.reduce(0, +)
        // antropy counts 0·log 0 as 0: a constant series (no power at all) has entropy 0.
        guard total > 0 else { return 0 }
        var entropy = 0.0
        for p in power where p > 0 {
            let share = p / total
            entropy -= share * log2(share)
        }
        return entropy / log2(Double(bins))
    }

    /// tsfeatures' `hurst_exponent`: the slope of log(R/S) on log(t) over growing prefixes.
    static func hurst(_ x: [Double]) -> Double {
        let n = x.count
        var cumulative = [Double](repeating: 0, count: n)
        var running = 0.0
        for t in 0..<n {
            running += x[t]
            cumulative[t] = running
        }
        var logT: [Double] = []
        var logRS: [Double] = []
        for i in 1..<n {
            let t = Double(i + 1)
            let mean = cumulative[i] / t
            var squares = 0.0
            for j in 0...i { squares += (x[j] - mean) * (x[j] - mean) }
            let s = (squares / t).squareRoot()
            var low = Double.infinity
            var high = -Double.infinity
            for j in 0...i {
                let deviation = cumulative[j] - Double(j + 1) * mean
                low = min(low, deviation)
                high = max(high, deviation)
            }
            let rs = (high - low) / s
            logRS.append(log(rs))
            logT.append(log(t))
        }
        guard logRS.allSatisfy(\.isFinite) else { return .nan }
        let meanX = logT.reduce(0, +) / Double(logT.count)
        let meanY = logRS.reduce(0, +) / Double(logRS.count)
        var sxy = 0.0
        var sxx = 0.0
        for (a, b) in zip(logT, logRS) {
            sxy += (a - meanX) * (b - meanY)
            sxx += (a - meanX) * (a - meanX)
        }
        return sxx > 0 ? sxy / sxx : .nan
    }

    /// tsfeatures' `stl_features` for m = 1: trend, spike, linearity, curvature, e_acf1 and
    /// e_acf10 (see the type's comment), all NaN where the SuperSmoother fit fails (n < 100).
    static func stlFeatures(_ x: [Double]) -> [Double] {
        let n = x.count
        let t = (1...n).map(Double.init)
        guard let trend = SuperSmoother().smooth(x, at: t) else { return [Double](repeating: .nan, count: 6) }
        let remainder = zip(x, trend).map { $0 - $1 }
        let varX = variance(x[...])
        let varR = variance(remainder[...])
        // tsfeatures' second guard, var(deseasonalised)/var(x) < 1e-10, cannot fire with m = 1:
        // the deseasonalised series is x itself.
        let strength = varX < Double.ulpOfOne ? 0 : max(0, min(1, 1 - varR / varX))
        let meanR = remainder.reduce(0, +) / Double(n)
        let leaveOneOut = remainder.map { (varR * Double(n - 1) - ($0 - meanR) * ($0 - meanR)) / Double(n - 2) }
        let spike = variance(leaveOneOut[...])
        // The coefficients of the regression on [1, q₁, q₂]: q₁ and q₂ are orthonormal and
        // orthogonal to the constant, so each is the dot product with the centred trend.
        let (linear, quadratic) = orthonormalPolynomial(n)
        let meanT = trend.reduce(0, +) / Double(n)
        var linearity = 0.0
        var curvature = 0.0
        for i in 0..<n {
            linearity += linear[i] * (trend[i] - meanT)
            curvature -= quadratic[i] * (trend[i] - meanT)
        }
        let acfR = acf(remainder, lags: 10)
        return [strength, spike, linearity, curvature, acfR[1], acfR[1...10].reduce(0) { $0 + $1 * $1 }]
    }

    /// Columns 1 and 2 of the Q of numpy's (LAPACK's Householder) QR of [1, t, t²] at
    /// t = 1…n: tsfeatures' `poly(t, 2)`, orthonormal polynomials of degree 1 and 2 like R's
    /// `poly`, with LAPACK's signs (each reflector maps its column to −sign(pivot)·norm).
    static func orthonormalPolynomial(_ n: Int) -> (linear: [Double], quadratic: [Double]) {
        precondition(n >= 3, "three columns need three points")
        var columns = [
            [Double](repeating: 1, count: n), (1...n).map(Double.init), (1...n).map { Double($0) * Double($0) },
        ]
        var reflectors: [(v: [Double], tau: Double)] = []
        for k in 0..<3 {
            let alpha = columns[k][k]
            var v = [Double](repeating: 0, count: n)
            v[k] = 1
            var tail = 0.0
            for i in (k + 1)..<n { tail += columns[k][i] * columns[k][i] }
            var tau = 0.0
            if tail > 0 {
                let norm = (alpha * alpha + tail).squareRoot()
                let beta = alpha >= 0 ? -norm : norm
                tau = (beta - alpha) / beta
                let scale = 1 / (alpha - beta)
                for i in (k + 1)..<n { v[i] = columns[k][i] * scale }
            }
            for j in (k + 1)..<3 {
                var dot = 0.0
                for i in k..<n { dot += v[i] * columns[j][i] }
                for i in k..<n { columns[j][i] -= tau * dot * v[i] }
            }
            reflectors.append((v, tau))
        }
        // Q = H₀H₁H₂ applied to the unit vectors e₁ and e₂.
        func column(_ j: Int) -> [Double] {
            var q = [Double](repeating: 0, count: n)
            q[j] = 1
            for (v, tau) in reflectors.reversed() {
                var dot = 0.0
                for i in 0..<n { dot += v[i] * q[i] }
                for i in 0..<n { q[i] -= tau * dot * v[i] }
            }
            return q
        }
        return (column(1), column(2))
    }
}
