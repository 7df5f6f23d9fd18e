import Foundation

/// Pipeline P5, autocorrelation: the ACF and PACF of the whole series (`features_stat`) and rolling
/// correlations per draw (`features_hist`).
///
/// Series level, on the present values x (NaN dropped, n of them), k = 1…10:
/// - `stat_acf_lag{k}`: statsmodels 0.15.0 `acf(x, nlags=10, fft=False)` (adjusted = False), i.e.
///   Σ_t d_t d_{t+k} / Σ_t d_t² with d = x − mean(x). NULL when k ≥ n (statsmodels returns fewer
///   lags) and on a constant series (0/0).
/// - `stat_pacf_lag{k}`: statsmodels 0.15.0 `pacf(x, nlags=10)`, method `"ywadjusted"` (its default):
///   the last coefficient of the Yule–Walker solution of order k, `yule_walker(x, k, "adjusted")`,
///   which solves Toeplitz(r_0…r_{k−1}) φ = (r_1…r_k) with r_0 = Σ d_t² / n and
///   r_j = Σ_t d_t d_{t+j} / (n − j) by LU with partial pivoting (numpy's `solve`); a singular
///   matrix falls back, as there, to the pseudo-inverse (singular values ≤ 1e-15 × the largest
///   dropped). NULL for every lag when statsmodels raises, i.e. when 10 > n / 2 (integer
///   division; n < 20). A constant series gives 0 at every lag: its matrix is zero and
///   statsmodels' pseudo-inverse solution is 0 (the series is taken as exactly constant even
///   where numpy's mean would round, which statsmodels turns into rounding artefacts).
///
/// Per draw, w = 30, 90, with pandas 3.1.1 semantics (`min_periods = w`: NULL for the first w − 1
/// draws and whenever a value in the window is missing):
/// - `hist_y_roll_autocorr1_w{w}`: `y.rolling(w).apply(lambda s: s.autocorr(1), raw=False)`,
///   the Pearson correlation of the window's s[1…] with s[…w−2] (pandas' `_pearson_corr`:
///   centred, scaled by the largest absolute deviation, clipped to [−1, 1]). NULL when either of
///   the two is constant.
/// - `hist_y_roll_corr_num_w{w}`: `y.rolling(w).corr(num)`, the Pearson correlation of y with the
///   draw number over the window. NULL also when a window of y or num is constant (pandas gives
///   0/0 or ±infinity there, which the store writes as NULL).
public enum AutocorrelationFeatures {
    /// The largest lag of the ACF and PACF.
    public static let maxLag = 10
    /// Rolling windows, in column order.
    public static let windows = [30, 90]

    /// `features_stat` columns, in order: `stat_acf_lag1` … `stat_acf_lag10`, `stat_pacf_lag1` …
    /// `stat_pacf_lag10`.
    public static let statColumns: [String] =
        (1...maxLag).map { "stat_acf_lag\($0)" } + (1...maxLag).map { "stat_pacf_lag\($0)" }

    /// `features_hist` columns, in order: `hist_y_roll_autocorr1_w30`, `hist_y_roll_autocorr1_w90`,
    /// `hist_y_roll_corr_num_w30`, `hist_y_roll_corr_num_w90`.
    public static let histColumns: [String] =
        windows.map { "hist_y_roll_autocorr1_w\($0)" } + windows.map { "hist_y_roll_corr_num_w\($0)" }

    // MARK: - Series level

    /// The ACF and PACF of the present values of `y` (NaN dropped), in `statColumns` order.
    public static func stat(_ y: [Double]) -> [Double] {
        let x = y.filter { !$0.isNaN }
        let n = x.count
        var out = [Double](repeating: .nan, count: 2 * maxLag)
        guard n > 0 else { return out }
        if let first = x.first, x.allSatisfy({ $0 == first }) {
            // ACF 0/0 (NULL); PACF: statsmodels' pseudo-inverse of the zero matrix gives 0.
            if n / 2 >= maxLag { for k in 0..<maxLag { out[maxLag + k] = 0 } }
            return out
        }
        let mean = pairwiseSum(x, 0, n) / Double(n)
        let d = x.map { $0 - mean }
        // Lagged sums Σ d_t d_{t+k}, k = 0…maxLag (numpy's pairwise order, as yule_walker sums).
        var products = [Double](repeating: 0, count: n)
        var lagged = [Double](repeating: .nan, count: maxLag + 1)
        for k in 0...min(maxLag, n - 1) {
            for t in 0..<(n - k) { products[t] = d[t] * d[t + k] }
            lagged[k] = pairwiseSum(products, 0, n - k)
        }
        for k in 1...maxLag where k < n {
            out[k - 1] = (lagged[k] / Double(n)) / (lagged[0] / Double(n))
        }
        guard n / 2 >= maxLag else { return out }
        var r = [Double](repeating: 0, count: maxLag + 1)
        r[0] = lagged[0] / Double(n)
        for k in 1...maxLag { r[k] = lagged[k] / Double(n - k) }
        for order in 1...maxLag {
            var matrix = [Double](repeating: 0, count: order * order)
            for i in 0..<order {
                for j in 0..<order { matrix[i * order + j] = r[abs(i - j)] }
            }
            let rhs = Array(r[1...order])
            let phi = solve(matrix, rhs, order) ?? pseudoInverseSolve(matrix, rhs, order)
            out[maxLag + order - 1] = phi[order - 1]
        }
        return out
    }

    /// numpy's sum of `a[start ..< start + count]` (``NumpySum``).
    static func pairwiseSum(_ a: [Double], _ start: Int, _ count: Int) -> Double { NumpySum.pairwise(a, start, count) }

    /// Solves A x = b (A row-major, order m) by LU with partial pivoting, as LAPACK's `gesv`
    /// under `numpy.linalg.solve`; nil when a pivot is exactly zero (LAPACK's singular case).
    static func solve(_ a: [Double], _ b: [Double], _ m: Int) -> [Double]? {
        var a = a
        var x = b
        for column in 0..<m {
            var pivot = column
            for row in (column + 1)..<max(m, column + 1) where abs(a[row * m + column]) > abs(a[pivot * m + column]) {
                pivot = row
            }
            if a[pivot * m + column] == 0 { return nil }
            if pivot != column {
                for j in 0..<m { a.swapAt(pivot * m + j, column * m + j) }
                x.swapAt(pivot, column)
            }
            let diagonal = a[column * m + column]
            for row in (column + 1)..<max(m, column + 1) {
                let factor = a[row * m + column] / diagonal
                a[row * m + column] = factor
                for j in (column + 1)..<m { a[row * m + j] -= factor * a[column * m + j] }
                x[row] -= factor * x[column]
            }
        }
        for row in stride(from: m - 1, through: 0, by: -1) {
            var value = x[row]
            for j in (row + 1)..<max(m, row + 1) { value -= a[row * m + j] * x[j] }
            x[row] = value / a[row * m + row]
        }
        return x
    }

    /// pinv(A) b for a symmetric A (row-major, order m), as `numpy.linalg.pinv` (rcond 1e-15):
    /// eigen-decomposition by cyclic Jacobi rotations (the singular values of a symmetric matrix
    /// are its absolute eigenvalues), dropping those ≤ 1e-15 × the largest.
    static func pseudoInverseSolve(_ a: [Double], _ b: [Double], _ m: Int) -> [Double] {
        var a = a
        var v = [Double](repeating: 0, count: m * m)
        for i in 0..<m { v[i * m + i] = 1 }
        for _ in 0..<100 {
            var off = 0.0
            for i in 0..<m {
                for j in 0..<m where i != j { off += a[i * m + j] * a[i * m + j] }
            }
            if off == 0 { break }
            for p in 0..<m {
                for q in (p + 1)..<max(m, p + 1) where a[p * m + q] != 0 {
                    let theta = (a[q * m + q] - a[p * m + p]) / (2 * a[p * m + q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot()
                    let s = t * c
                    for k in 0..<m {
                        let akp = a[k * m + p]
                        let akq = a[k * m + q]
                        a[k * m + p] = c * akp - s * akq
                        a[k * m + q] = s * akp + c * akq
                    }
                    for k in 0..<m {
                        let apk = a[p * m + k]
                        let aqk = a[q * m + k]
                        a[p * m + k] = c * apk - s * aqk
                        a[q * m + k] = s * apk + c * aqk
                    }
                    for k in 0..<m {
                        let vkp = v[k * m + p]
                        let vkq = v[k * m + q]
                        v[k * m + p] = c * vkp - s * vkq
                        v[k * m + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        let eigenvalues = (0..<m).map { a[$0 * m + $0] }
        let cutoff = 1e-15 * (eigenvalues.map { abs($0) }.max() ?? 0)
        var x = [Double](repeating: 0, count: m)
        for k in 0..<m where abs(eigenvalues[k]) > cutoff {
            var projection = 0.0
            for i in 0..<m { projection += v[i * m + k] * b[i] }
            projection /= eigenvalues[k]
            for i in 0..<m { x[i] += v[i * m + k] * projection }
        }
        return x
    }

    // MARK: - Per draw

    /// The rolling correlations of one series, one array (n values) per `histColumns` entry.
    /// `y` has one value per draw (NaN missing), `num` the draw number per draw (nil missing);
    /// a `num` shorter than `y` counts as missing beyond its end.
    public static func hist(_ y: [Double], num: [Int?]) -> [[Double]] {
        let x = (0..<y.count).map { $0 < num.count ? num[$0].map(Double.init) ?? .nan : .nan }
        return windows.map { rollingAutocorrelation(y, window: $0) }
            + windows.map { rollingCorrelation(y, x, window: $0) }
    }

    /// pandas' `s.autocorr(1)` of every full window, each computed directly in O(w).
    static func rollingAutocorrelation(_ y: [Double], window w: Int) -> [Double] {
        let n = y.count
        var out = [Double](repeating: .nan, count: n)
        guard w >= 3, n >= w else { return out }
        var a = [Double](repeating: 0, count: w - 1)
        var b = [Double](repeating: 0, count: w - 1)
        var missing = 0
        for t in 0..<n {
            if y[t].isNaN { missing += 1 }
            if t >= w, y[t - w].isNaN { missing -= 1 }
            guard t >= w - 1, missing == 0 else { continue }
            let start = t - w + 1
            for i in 0..<(w - 1) {
                a[i] = y[start + 1 + i]
                b[i] = y[start + i]
            }
            out[t] = pearson(&a, &b)
        }
        return out
    }

    /// pandas 3's `_pearson_corr(a, b)` (the Pearson correlation `Series.corr` takes): centre,
    /// scale by the largest absolute deviation, then Σab/(m−1) / √(Σa²/(m−1)) / √(Σb²/(m−1))
    /// clipped to [−1, 1]; NaN when either is constant. Overwrites `a` and `b`.
    static func pearson(_ a: inout [Double], _ b: inout [Double]) -> Double {
        let m = a.count
        guard m >= 2 else { return .nan }
        let meanA = pairwiseSum(a, 0, m) / Double(m)
        let meanB = pairwiseSum(b, 0, m) / Double(m)
        var scaleA = 0.0
        var scaleB = 0.0
        var lowA = a[0]
        var highA = a[0]
        var lowB = b[0]
        var highB = b[0]
        for i in 0..<m {
            lowA = min(lowA, a[i])
            highA = max(highA, a[i])
            lowB = min(lowB, b[i])
            highB = max(highB, b[i])
            a[i] -= meanA
            b[i] -= meanB
            scaleA = max(scaleA, abs(a[i]))
            scaleB = max(scaleB, abs(b[i]))
        }
        // A constant input is NaN whether or not numpy's mean rounds to the value itself.
        guard lowA < highA, lowB < highB, scaleA > 0, scaleB > 0 else { return .nan }
        var aa = 0.0
        var ab = 0.0
        var bb = 0.0
        for i in 0..<m {
            let p = a[i] / scaleA
            let q = b[i] / scaleB
            aa += p * p
            ab += p * q
            bb += q * q
        }
        let fact = Double(m - 1)
        let divisorA = (aa / fact).squareRoot()
        let divisorB = (bb / fact).squareRoot()
        guard divisorA > 0, divisorB > 0 else { return .nan }
        return min(max(ab / fact / divisorA / divisorB, -1), 1)
    }

    /// pandas' `y.rolling(w).corr(x)` in O(n): compensated running sums of the values shifted by
    /// the series' first present ones (exact for whole numbers below 2^53, as draws and draw
    /// numbers are), r = (w Σxy − Σx Σy) / √((w Σx² − (Σx)²)(w Σy² − (Σy)²)).
    static func rollingCorrelation(_ y: [Double], _ x: [Double], window w: Int) -> [Double] {
        let n = y.count
        var out = [Double](repeating: .nan, count: n)
        guard w >= 2, n >= w else { return out }
        let present = { (t: Int) in !y[t].isNaN && !x[t].isNaN }
        guard let first = (0..<n).first(where: present) else { return out }
        let shiftY = y[first]
        let shiftX = x[first]
        var sumX = CompensatedSum()
        var sumY = CompensatedSum()
        var sumXX = CompensatedSum()
        var sumYY = CompensatedSum()
        var sumXY = CompensatedSum()
        var missing = 0
        var runY = 0 // equal consecutive y values ending at t
        var runX = 0
        func update(_ t: Int, _ sign: Double) {
            let dx = x[t] - shiftX
            let dy = y[t] - shiftY
            sumX.add(sign * dx)
            sumY.add(sign * dy)
            sumXX.add(sign * (dx * dx))
            sumYY.add(sign * (dy * dy))
            sumXY.add(sign * (dx * dy))
        }
        for t in 0..<n {
            runY = t > 0 && y[t] == y[t - 1] ? runY + 1 : 1
            runX = t > 0 && x[t] == x[t - 1] ? runX + 1 : 1
            if present(t) { update(t, 1) } else { missing += 1 }
            if t >= w {
                if present(t - w) { update(t - w, -1) } else { missing -= 1 }
            }
            guard t >= w - 1, missing == 0, runY < w, runX < w else { continue }
            let count = Double(w)
            let sx = sumX.value
            let sy = sumY.value
            let covariance = count * sumXY.value - sx * sy
            let varianceX = count * sumXX.value - sx * sx
            let varianceY = count * sumYY.value - sy * sy
            guard varianceX > 0, varianceY > 0 else { continue }
            out[t] = covariance / (varianceX.squareRoot() * varianceY.squareRoot())
        }
        return out
    }
}
