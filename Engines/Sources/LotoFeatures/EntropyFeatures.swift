import Foundation

/// Pipeline P9: entropy and fractal features of one series (features_stat, series level), by the
/// definitions of AntroPy 0.2.3 (Python; numpy 2.4.6, scipy 1.17.1, scikit-learn 1.9.1, numba
/// 0.68.1), applied to the series' present values x₀…x_{N−1} in draw order.
///
/// Columns, in order (log is natural, log₂ base 2, log₁₀ base 10):
/// - `stat_perm_entropy`: `perm_entropy(x, order=3, delay=1, normalize=True)`: the Shannon entropy
///   (log₂) of the frequencies of the ordinal patterns of (xᵢ, xᵢ₊₁, xᵢ₊₂), i < N − 2, over
///   log₂ 6, clamped to [0, 1]. Ties are broken by position (a stable argsort: an earlier equal
///   value ranks lower), as AntroPy's comparison table with `<=` does.
/// - `stat_spectral_entropy`: `spectral_entropy(x, sf=1, method='fft', normalize=True)`: the
///   Shannon entropy (log₂) of scipy's one-sided periodogram (constant detrend, boxcar window,
///   density scaling; the N/2 + 1 bins from 0 to the Nyquist frequency, the DC bin included)
///   normalised to sum 1, over log₂(N/2 + 1). A zero bin counts 0; so does every bin of a
///   constant series (AntroPy's 0/0 shares count 0), whose entropy is 0.
/// - `stat_svd_entropy`: `svd_entropy(x, order=3, delay=1, normalize=True)`: the Shannon entropy
///   (log₂) of the singular values of the (N − 2) × 3 embedding matrix [xᵢ, xᵢ₊₁, xᵢ₊₂],
///   normalised to sum 1 (min(N − 2, 3) values, as LAPACK returns), over log₂ 3.
/// - `stat_app_entropy`: `app_entropy(x, order=2, metric='chebyshev')`: φ₂ − φ₃, with φₘ the
///   mean over the N − m + 1 templates of length m of log(Cᵢ / (N − m + 1)), Cᵢ the number of
///   templates (itself included) within Chebyshev distance r = 0.2 · std(x) (ddof 0), distance
///   ≤ r counting (scikit-learn's KD-tree `query_radius`).
/// - `stat_sample_entropy`: `sample_entropy(x, order=2, metric='chebyshev')`, same r:
///   −log(A / B) with B the pairs i < j ≤ N − 3 of length-2 templates and A those of length 3
///   within r. Below 5,000 values AntroPy's numba path counts distance < r; from 5,000 values its
///   KD-tree path counts ≤ r (−log of the ratio of the mean (Cᵢ − 1)/(N − 3) over the N − 2
///   templates of each length). Both are reproduced.
/// - `stat_hjorth_mobility`, `stat_hjorth_complexity`: `hjorth_params(x)`: mobility
///   √(var Δx / var x), complexity √(var Δ²x / var Δx) / mobility, variances with ddof 0.
/// - `stat_petrosian_fd`: `petrosian_fd(x)`: log₁₀N / (log₁₀N + log₁₀(N / (N + 0.4 · N_δ))),
///   N_δ the sign changes of Δx (0 counts as positive).
/// - `stat_katz_fd`: `katz_fd(x)`: log₁₀(L / a) / log₁₀(d / a) with L = Σ|Δx|, a = L / (N − 1)
///   and d = maxᵢ |xᵢ − x₀|.
/// - `stat_higuchi_fd`: `higuchi_fd(x, kmax=10)`: the least-squares slope of log L(k) on
///   log(1/k), k = 1…10, where L(k) is the mean over m < k of
///   (Σⱼ |x_{m+jk} − x_{m+(j−1)k}|, j = 1…N_m) / k · (N − 1) / (k · N_m), N_m = ⌊(N − m − 1)/k⌋.
/// - `stat_dfa`: `detrended_fluctuation(x)`: the least-squares slope of log F(n) on log n over
///   the window sizes n = 4 and the distinct ⌊4 · 1.2ⁱ⌋, i = 0…⌊log(0.1 N / 4) / log 1.2⌋ (nolds'
///   `logarithmic_n`), where F(n) is the root of the mean, over the ⌊N/n⌋ consecutive
///   non-overlapping windows of the profile cumsum(x − mean x), of the mean squared residual of
///   each window's least-squares line; window sizes with F(n) = 0 are left out.
///
/// Like AntroPy, both least-squares slopes (Higuchi, DFA and DFA's window lines) divide by
/// n·Σx² − (Σx)² + 1e−9. Sums follow AntroPy's order: numpy's pairwise summation for numpy
/// sums and means, sequential sums inside its numba functions.
///
/// NULL (`Double.nan`) wherever AntroPy's value is not finite or AntroPy raises:
/// - every column for an empty series; non-finite inputs: NaN values are dropped (they are
///   missing values), an infinite value makes every column NULL;
/// - perm, SVD and approximate entropy below 3 values (AntroPy raises);
/// - spectral entropy for 1 value (0/0);
/// - sample entropy when no two length-2 templates are within r (B = 0, AntroPy's NaN; e.g.
///   fewer than 4 values, or a constant series, where r = 0 and nothing is < 0) and when none
///   of length 3 is (A = 0: AntroPy's +inf, stored as NULL);
/// - mobility below 2 values or when var x = 0; complexity below 3 values or when var Δx = 0
///   (a constant or linear series);
/// - Petrosian below 2 values; Katz below 3 values and whenever L = 0 (constant series);
/// - Higuchi below 20 values (AntroPy divides by k · N_m = 0) and whenever some L(k) = 0;
/// - DFA below 4 values and when every F(n) is 0 (a constant series whose mean is exact, such as
///   integers). Between 4 and 57 values there is a single window size (4) and AntroPy's slope
///   through one point is 0, which is stored as it is.
///
/// Cost: O(N²) simple loops for approximate/sample entropy (one pass over the pairs) and the
/// periodogram (a direct DFT, N²/4 multiply-adds), O(N) for the rest: about 10 ms for N = 2,000.
public enum EntropyFeatures {
    /// Columns, in order.
    public static let columns = [
        "stat_perm_entropy", "stat_spectral_entropy", "stat_svd_entropy", "stat_app_entropy",
        "stat_sample_entropy", "stat_hjorth_mobility", "stat_hjorth_complexity", "stat_petrosian_fd",
        "stat_katz_fd", "stat_higuchi_fd", "stat_dfa",
    ]

    /// From this many values AntroPy's `sample_entropy` uses its KD-tree path (distance ≤ r).
    static let kdTreeSampleEntropyLength = 5000

    /// The series' present values in draw order (missing values already dropped).
    /// Returns one value per column, NaN = NULL.
    public static func compute(_ y: [Double]) -> [Double] {
        let x = y.filter { !$0.isNaN }
        guard !x.isEmpty, x.allSatisfy(\.isFinite) else {
            return [Double](repeating: .nan, count: columns.count)
        }
        let templates = templateEntropies(x)
        let hjorth = hjorthParameters(x)
        let values = [
            permutationEntropy(x), spectralEntropy(x), svdEntropy(x), templates.approximate,
            templates.sample, hjorth.mobility, hjorth.complexity, petrosian(x), katz(x), higuchi(x),
            detrendedFluctuation(x),
        ]
        return values.map { $0.isFinite ? $0 : .nan }
    }

    // MARK: - numpy's arithmetic

    /// numpy's sum of `a[start ..< start + count]` (``NumpySum``).
    static func pairwiseSum(_ a: UnsafeBufferPointer<Double>, _ start: Int, _ count: Int) -> Double {
        NumpySum.pairwise(UnsafeBufferPointer(rebasing: a[start..<(start + count)]))
    }

    /// `np.sum`.
    static func sum(_ a: [Double]) -> Double {
        a.withUnsafeBufferPointer { pairwiseSum($0, 0, $0.count) }
    }

    /// `np.var(a)` (ddof 0), NaN for an empty array.
    static func variance(_ a: [Double]) -> Double {
        let n = Double(a.count)
        let mean = sum(a) / n
        return sum(a.map { ($0 - mean) * ($0 - mean) }) / n
    }

    /// AntroPy's `_xlogx` (base 2): x·log x / log 2, 0 unless x > 0 (0 also for NaN).
    static func xlog2x(_ value: Double) -> Double {
        value > 0 ? value * log(value) / log(2.0) : 0
    }

    /// AntroPy's numba `_linear_regression` slope: sequential sums, 1e−9 added to the
    /// denominator. Also returns the intercept mean(y) − slope · mean(x).
    static func line(_ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>) -> (
        slope: Double, intercept: Double
    ) {
        let n = x.count
        var sx2 = 0.0
        var sx = 0.0
        var sy = 0.0
        var sxy = 0.0
        for j in 0..<n {
            sx2 += x[j] * x[j]
            sx += x[j]
            sxy += x[j] * y[j]
            sy += y[j]
        }
        let den = Double(n) * sx2 - sx * sx
        let num = Double(n) * sxy - sx * sy
        let slope = num / (den + 1e-9)
        return (slope, sy / Double(n) - slope * (sx / Double(n)))
    }

    // MARK: - Entropies

    /// Ordinal pattern of (a, b, c) from the bits (a ≤ b, a ≤ c, b ≤ c), numbered as AntroPy's
    /// `_PE3_REMAP[_PE3_LOOKUP[key]]` (the impossible keys 0b010 and 0b101 never occur).
    static let patternOfKey = [0, 1, 0, 4, 2, 0, 3, 5]

    static func permutationEntropy(_ x: [Double]) -> Double {
        let n = x.count - 2
        guard n > 0 else { return .nan }
        var counts = [Int](repeating: 0, count: 6)
        for i in 0..<n {
            let a = x[i]
            let b = x[i + 1]
            let c = x[i + 2]
            let key = (a <= b ? 4 : 0) | (a <= c ? 2 : 0) | (b <= c ? 1 : 0)
            counts[patternOfKey[key]] += 1
        }
        var total = 0.0
        for count in counts {
            let p = Double(count) / Double(n)
            total += p * (p > 0 ? log2(p) : 0)
        }
        let entropy = -total / log2(6.0)
        return min(max(entropy, 0), 1)
    }

    /// The periodogram by a direct DFT over a table of the N roots of unity, folding xₜ and
    /// x_{N−t} (which share a cosine and have opposite sines). scipy uses an FFT: the digits agree
    /// to a few units in the last place (see the golden test).
    static func spectralEntropy(_ x: [Double]) -> Double {
        let n = x.count
        let mean = sum(x) / Double(n)
        let bins = n / 2 + 1
        // sums[t] = dₜ + d_{N−t}, differences[t] = dₜ − d_{N−t} for 0 < t < N − t.
        let pairs = (n - 1) / 2
        var sums = [Double](repeating: 0, count: pairs + 1)
        var differences = [Double](repeating: 0, count: pairs + 1)
        for t in stride(from: 1, through: pairs, by: 1) {
            sums[t] = (x[t] - mean) + (x[n - t] - mean)
            differences[t] = (x[t] - mean) - (x[n - t] - mean)
        }
        let first = x[0] - mean
        let middle = n % 2 == 0 ? x[n / 2] - mean : 0 // t = N/2 has no partner
        let cosines = (0..<n).map { cos(2 * Double.pi * Double($0) / Double(n)) }
        let sines = (0..<n).map { sin(2 * Double.pi * Double($0) / Double(n)) }
        let scale = 1 / Double(n)
        var power = [Double](repeating: 0, count: bins)
        sums.withUnsafeBufferPointer { sums in
            differences.withUnsafeBufferPointer { differences in
                cosines.withUnsafeBufferPointer { cosines in
                    sines.withUnsafeBufferPointer { sines in
                        for k in 0..<bins {
                            var re = first + (k % 2 == 0 ? middle : -middle)
                            var im = 0.0
                            var angle = 0
                            for t in stride(from: 1, through: pairs, by: 1) {
                                angle += k
                                if angle >= n { angle -= n }
                                re += sums[t] * cosines[angle]
                                im -= differences[t] * sines[angle]
                            }
                            // One-sided: every bin but 0 (and N/2 for even N) carries its mirror's power.
                            let doubled = k != 0 && !(n % 2 == 0 && k == n / 2)
                            power[k] = (re * re + im * im) * scale * (doubled ? 2 : 1)
                        }
                    }
                }
            }
        }
        let total = sum(power)
        let entropy = -sum(power.map { xlog2x($0 / total) })
        return entropy / log2(Double(bins))
    }

    /// Singular values by one-sided (Hestenes) Jacobi rotations of the embedding matrix's three
    /// columns: unlike eigenvalues of the Gram matrix (which square the condition number and
    /// give σ₃ ≈ 1e−8 σ₁ for an exactly rank-2 embedding such as a linear series, moving the
    /// entropy by ~1e−7), the column norms keep LAPACK's absolute accuracy ε‖A‖. O(N) per sweep.
    static func svdEntropy(_ x: [Double]) -> Double {
        let rows = x.count - 2
        guard rows > 0 else { return .nan }
        var columns = (0..<3).map { Array(x[$0..<($0 + rows)]) }
        func dot(_ p: Int, _ q: Int) -> Double {
            var s = 0.0
            for i in 0..<rows { s += columns[p][i] * columns[q][i] }
            return s
        }
        for _ in 0..<40 {
            var rotated = false
            for (p, q) in [(0, 1), (0, 2), (1, 2)] {
                let alpha = dot(p, p)
                let beta = dot(q, q)
                let gamma = dot(p, q)
                guard gamma != 0, abs(gamma) > 1e-15 * (alpha * beta).squareRoot() else { continue }
                rotated = true
                let zeta = (beta - alpha) / (2 * gamma)
                let t =
                    abs(zeta) > 1e150
                    ? 1 / (2 * zeta) : (zeta >= 0 ? 1 : -1) / (abs(zeta) + (1 + zeta * zeta).squareRoot())
                let c = 1 / (1 + t * t).squareRoot()
                let s = c * t
                for i in 0..<rows {
                    let a = columns[p][i]
                    let b = columns[q][i]
                    columns[p][i] = c * a - s * b
                    columns[q][i] = s * a + c * b
                }
            }
            if !rotated { break }
        }
        // LAPACK returns min(rows, 3) values, largest first.
        let sigma = (0..<3).map { dot($0, $0).squareRoot() }.sorted(by: >).prefix(min(rows, 3))
        var total = 0.0
        for s in sigma { total += s }
        var entropy = 0.0
        for s in sigma { entropy += xlog2x(s / total) }
        return -entropy / log2(3.0)
    }

    /// Approximate and sample entropy (order 2, Chebyshev distance, r = 0.2 · std(x)) from one
    /// pass over the N²/2 pairs of positions (i, i + k).
    static func templateEntropies(_ x: [Double]) -> (approximate: Double, sample: Double) {
        let n = x.count
        guard n >= 3 else { return (.nan, .nan) }
        let r = 0.2 * variance(x).squareRoot()
        let kdTree = n >= kdTreeSampleEntropyLength
        // Templates within r (≤), itself included: length 2 (N − 1 of them) and 3 (N − 2).
        var near2 = [Int](repeating: 1, count: n - 1)
        var near3 = [Int](repeating: 1, count: n - 2)
        // The KD-tree sample entropy's length-2 templates: the first N − 2 only.
        var kdNear2 = [Int](repeating: 1, count: kdTree ? n - 2 : 0)
        var pairs2 = 0 // numba path: pairs of templates < r, length 2 (B) and 3 (A)
        var pairs3 = 0
        x.withUnsafeBufferPointer { x in
            near2.withUnsafeMutableBufferPointer { near2 in
                near3.withUnsafeMutableBufferPointer { near3 in
                    kdNear2.withUnsafeMutableBufferPointer { kdNear2 in
                        for k in 1..<(n - 1) {
                            // Pairs (i, i + k) of length-2 templates: i ≤ N − 2 − k; of length 3 (and
                            // the sample entropy's length-2 ones): i < N − 2 − k.
                            let last = n - 2 - k
                            var previous = abs(x[0] - x[k])
                            for i in 0..<last {
                                let distance1 = abs(x[i + 1] - x[i + 1 + k])
                                let distance2 = abs(x[i + 2] - x[i + 2 + k])
                                if previous <= r && distance1 <= r {
                                    near2[i] += 1
                                    near2[i + k] += 1
                                    if distance2 <= r {
                                        near3[i] += 1
                                        near3[i + k] += 1
                                    }
                                    if kdTree {
                                        kdNear2[i] += 1
                                        kdNear2[i + k] += 1
                                    }
                                    if previous < r && distance1 < r {
                                        pairs2 += 1
                                        if distance2 < r { pairs3 += 1 }
                                    }
                                }
                                previous = distance1
                            }
                            if previous <= r && abs(x[last + 1] - x[last + 1 + k]) <= r {
                                near2[last] += 1
                                near2[last + k] += 1
                            }
                        }
                    }
                }
            }
        }
        let phi2 = sum(near2.map { log(Double($0) / Double(n - 1)) }) / Double(n - 1)
        let phi3 = sum(near3.map { log(Double($0) / Double(n - 2)) }) / Double(n - 2)
        let sample: Double
        if kdTree {
            let m = n - 2
            let b = sum(kdNear2.map { (Double($0) - 1) / Double(m - 1) }) / Double(m)
            let a = sum(near3.map { (Double($0) - 1) / Double(m - 1) }) / Double(m)
            sample = -log(a / b)
        } else if pairs2 == 0 {
            sample = .nan
        } else if pairs3 == 0 {
            sample = .infinity
        } else {
            sample = -log(Double(pairs3) / Double(pairs2))
        }
        return (phi2 - phi3, sample)
    }

    static func hjorthParameters(_ x: [Double]) -> (mobility: Double, complexity: Double) {
        let dx = zip(x.dropFirst(), x).map { $0 - $1 }
        let ddx = zip(dx.dropFirst(), dx).map { $0 - $1 }
        // np.var of an empty array is NaN.
        let xVar = variance(x)
        let dxVar = dx.isEmpty ? .nan : variance(dx)
        let ddxVar = ddx.isEmpty ? .nan : variance(ddx)
        let mobility = (dxVar / xVar).squareRoot()
        return (mobility, (ddxVar / dxVar).squareRoot() / mobility)
    }

    // MARK: - Fractal dimensions

    static func petrosian(_ x: [Double]) -> Double {
        let n = Double(x.count)
        var changes = 0
        if x.count >= 3 {
            for i in 1..<(x.count - 1) {
                let before = x[i] - x[i - 1]
                let after = x[i + 1] - x[i]
                if (before.sign == .minus) != (after.sign == .minus) { changes += 1 }
            }
        }
        return log10(n) / (log10(n) + log10(n / (n + 0.4 * Double(changes))))
    }

    static func katz(_ x: [Double]) -> Double {
        guard x.count >= 2 else { return .nan }
        let dists = zip(x.dropFirst(), x).map { abs($0 - $1) }
        let length = sum(dists)
        let a = length / Double(dists.count)
        var d = 0.0
        for value in x { d = max(d, abs(value - x[0])) }
        return log10(length / a) / log10(d / a)
    }

    static func higuchi(_ x: [Double], kmax: Int = 10) -> Double {
        let n = x.count
        // For N < 2·kmax, some N_m is 0 and AntroPy's numba code raises ZeroDivisionError.
        guard n >= 2 * kmax else { return .nan }
        var xs = [Double](repeating: 0, count: kmax)
        var ys = [Double](repeating: 0, count: kmax)
        for k in 1...kmax {
            var mean = 0.0
            for m in 0..<k {
                let count = (n - m - 1) / k
                var length = 0.0
                for j in stride(from: 1, through: count, by: 1) {
                    length += abs(x[m + j * k] - x[m + (j - 1) * k])
                }
                length /= Double(k)
                length *= Double(n - 1) / Double(k * count)
                mean += length
            }
            mean /= Double(k)
            xs[k - 1] = log(1.0 / Double(k))
            ys[k - 1] = mean > 0 ? log(mean) : -.infinity
        }
        return xs.withUnsafeBufferPointer { xs in ys.withUnsafeBufferPointer { line(xs, $0).slope } }
    }

    /// nolds' `logarithmic_n(4, 0.1·N, 1.2)` as AntroPy's `_log_n`.
    static func windowSizes(_ count: Int) -> [Int] {
        let maxN = 0.1 * Double(count)
        var sizes = [4]
        let steps = (log(maxN / 4) / log(1.2)).rounded(.down)
        guard steps >= 0 else { return sizes }
        for i in 0...Int(steps) {
            let size = Int((4 * pow(1.2, Double(i))).rounded(.down))
            if size > sizes[sizes.count - 1] { sizes.append(size) }
        }
        return sizes
    }

    static func detrendedFluctuation(_ x: [Double]) -> Double {
        let n = x.count
        guard n >= 4 else { return .nan }
        var total = 0.0
        for value in x { total += value }
        let mean = total / Double(n)
        var walk = [Double](repeating: 0, count: n)
        var running = 0.0
        for t in 0..<n {
            running += x[t] - mean
            walk[t] = running
        }
        var logSizes: [Double] = []
        var logFluctuations: [Double] = []
        for size in windowSizes(n) {
            let windows = n / size
            let ramp = (0..<size).map(Double.init)
            var squares = 0.0
            ramp.withUnsafeBufferPointer { ramp in
                walk.withUnsafeBufferPointer { walk in
                    for w in 0..<windows {
                        let window = UnsafeBufferPointer(rebasing: walk[(w * size)..<(w * size + size)])
                        let fit = line(ramp, window)
                        var residual = 0.0
                        for t in 0..<size {
                            let e = window[t] - (fit.intercept + fit.slope * ramp[t])
                            residual += e * e
                        }
                        squares += residual / Double(size)
                    }
                }
            }
            let fluctuation = (squares / Double(windows)).squareRoot()
            if fluctuation != 0 {
                logSizes.append(log(Double(size)))
                logFluctuations.append(log(fluctuation))
            }
        }
        guard !logSizes.isEmpty else { return .nan }
        return logSizes.withUnsafeBufferPointer { xs in logFluctuations.withUnsafeBufferPointer { line(xs, $0).slope } }
    }
}
