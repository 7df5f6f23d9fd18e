import Foundation

/// Pipeline P6: a chosen set of tsfresh features of one series (features_stat, series level), by
/// the feature calculators of `tsfresh.feature_extraction.feature_calculators` in tsfresh 0.21.2
/// (numpy 2.4.6, statsmodels 0.15.0), each called on the series' present values x₀…x_{n−1} in
/// draw order, exactly as `extract_features` calls them.
///
/// Column = "stat_tsfresh_" + tsfresh's feature name with `"` dropped, `.` replaced by `_` and
/// lowercased (`cid_ce__normalize_True` → `stat_tsfresh_cid_ce__normalize_true`). mean and std
/// are numpy's (pairwise sums, std with ddof 0); "mean of" a list is numpy's pairwise mean.
///
/// Columns, in order (tsfresh name: definition; why it is in):
/// - `abs_energy`: Σ xᵢ². The level and spread in one number (n · (var + mean²)).
/// - `agg_autocorrelation__f_agg_"mean"__maxlag_40`, `…"median"…`, `…"var"…`: mean, median and
///   variance (ddof 0) of R(1)…R(L), L = min(40, n − 1), R(l) = statsmodels
///   `acf(x, adjusted=True, nlags=40)` = (Σ_{i<n−l} dᵢ d_{i+l} / (n − l)) / (Σ dᵢ² / n), d = x − mean.
///   statsmodels computes it by FFT above 1,250 values, here by direct sums (see the tolerance
///   in TsfreshGoldenTests). tsfresh's 0 for all three when var(x) < 1e−10 or n = 1. Memory
///   over 40 draws in three numbers; the other pipelines stop at lag 10.
/// - `approximate_entropy__m_2__r_0.1`: |φ₂ − φ₃|, φₘ = Σᵢ log(Cᵢ / (n − m + 1)) / (n − m + 1) over
///   the n − m + 1 templates of length m, Cᵢ the templates (itself included) within Chebyshev
///   distance ≤ r = 0.1 · std; 0 when n ≤ 3. Regularity at a finer tolerance than P9's 0.2 · std.
/// - `benford_correlation`: Pearson correlation (`np.corrcoef`) of the first-digit frequencies
///   (digit 1…9 of |xᵢ| in its shortest decimal form; 0 for 0) with log₁₀(1 + 1/d). Shape of the
///   value distribution's leading digits, e.g. 1..43 against 0..9 games.
/// - `c3__lag_k`, k = 1, 2, 3: mean over i < n − 2k of x_{i+2k} · x_{i+k} · xᵢ; 0 when 2k ≥ n.
///   Non-linear (third-order) dependence, which autocorrelations do not see.
/// - `cid_ce__normalize_True`: √(Σ Δzᵢ²) with z = (x − mean) / std; 0 when std = 0. Complexity
///   (Batista et al.) of the standardised series.
/// - `count_above_mean`, `count_below_mean`: #{xᵢ > mean}, #{xᵢ < mean}. Skew in counts.
/// - `fft_aggregated__aggtype_"centroid"`, `…"variance"`, `…"skew"`, `…"kurtosis"`: with
///   yₖ = |`numpy.fft.rfft(x)`|ₖ, k = 0…⌊n/2⌋ (bin 0 included) and Mⱼ = Σ kʲ yₖ / Σ yₖ:
///   centroid M₁, variance V = M₂ − M₁², skew (M₃ − 3 M₁ V − M₁³) / V^1.5, kurtosis
///   (M₄ − 4 M₁ M₃ + 6 M₂ M₁² − 3 M₁) / V² — tsfresh's formula, with −3 M₁ where the fourth
///   standardised moment has −3 M₁⁴, reproduced as it is. Skew and kurtosis NULL when V < 0.5
///   (tsfresh's NaN). In bin units, unlike P7's spectral moments in cycles per draw.
/// - `index_mass_quantile__q_q`, q = 0.25, 0.5, 0.75: (the first i with Σ_{j≤i} |xⱼ| / Σ|x| ≥ q,
///   plus 1) / n. Where the mass of the series sits in time (drift of the level).
/// - `longest_strike_above_mean`, `longest_strike_below_mean`: the longest run of xᵢ > mean
///   (< mean); 0 when there is none. Runs of high or low draws.
/// - `number_peaks__n_3`, `number_peaks__n_5`: #{i : n ≤ i < len − n, xᵢ > x_{i±k} for k = 1…n}
///   (strict). Peaks of support 1 are P7's `positive_turning`, so 3 and 5.
/// - `ratio_value_number_to_time_series_length`: distinct values / n. Coverage of the range.
/// - `sample_entropy`: −log(A / B), B (A) the ordered pairs i ≠ j of length-2 (length-3)
///   templates, n − 1 (n − 2) of them, within Chebyshev distance ≤ 0.2 · std. In because P9's
///   AntroPy sample entropy counts distance < r below 5,000 values, which on integer draws
///   differs.
/// - `mean_change`: (x_{n−1} − x₀) / (n − 1). Net drift per draw.
/// - `mean_second_derivative_central`: (x_{n−1} − x_{n−2} − x₁ + x₀) / (2 (n − 2)).
/// - `percentage_of_reoccurring_values_to_all_values`: distinct values seen more than once /
///   distinct values.
/// - `sum_of_reoccurring_values`: Σ of the distinct values seen more than once.
/// - `ratio_beyond_r_sigma__r_1`, `…__r_2`: #{|xᵢ − mean| > r · std} / n. Tail weight; 2σ is
///   never exceeded by a uniform draw, so r = 2 flags skewed positions.
/// - `binned_entropy__max_bins_10`: −Σ pₖ log pₖ over `np.histogram(x, bins=10)` (10 equal bins
///   from min to max, each right-open but the last; ±0.5 around a constant), pₖ = countₖ / n.
/// - `lempel_ziv_complexity__bins_10`: x coded by the number of edges of
///   `np.linspace(min, max, 11)[1:]` strictly below xᵢ, then the number of distinct words of
///   its left-to-right Lempel–Ziv parsing (each new word: the shortest not seen before) / n.
/// - `time_reversal_asymmetry_statistic__lag_k`, k = 1, 2, 3: mean over i < n − 2k of
///   x_{i+2k}² x_{i+k} − x_{i+k} xᵢ²; 0 when 2k ≥ n. Asymmetry under time reversal.
/// - `variation_coefficient`: std / mean (std with ddof 0). Relative spread.
///
/// Arithmetic follows tsfresh's: numpy's pairwise summation wherever it calls `np.sum` or
/// `np.mean`, so comparisons with the mean and the quantile thresholds see numpy's values.
/// |rfft| is ``PocketRealFFT``, numpy's pocketfft to the bit except on the lengths where numpy
/// uses Bluestein's algorithm (e.g. prime n ≥ 50; there about 1e−13 of the largest bin).
///
/// NULL (`Double.nan`) where tsfresh gives NaN or ±inf:
/// - every column for an empty series; NaN inputs are dropped (missing values), an infinite
///   input makes every column NULL;
/// - `fft_aggregated` skew and kurtosis when V < 0.5 (constant series, n ≤ 2, mostly short
///   series); all four when Σ yₖ = 0 (an all-zero series);
/// - `index_mass_quantile` when Σ|x| = 0;
/// - `sample_entropy` when B = 0 (no two length-2 templates within the tolerance; 0/0) and when
///   A = 0 (tsfresh's +inf); so always below 4 values;
/// - `mean_change` below 2 values, `mean_second_derivative_central` below 3;
/// - `benford_correlation` when the digit frequencies are all equal (e.g. an all-zero series);
/// - `binned_entropy` when numpy's histogram refuses the range (edges not increasing, a range
///   of a few ulps);
/// - `variation_coefficient` when mean = 0.
/// tsfresh's numbers are kept where it makes them up: on a constant series the three
/// autocorrelation aggregates, approximate entropy, cid_ce and the run lengths are 0, and
/// sample entropy is −log((n − 3) / (n − 1)) (every template matches at tolerance 0).
///
/// Left out on purpose: boolean calculators (has_duplicate*, large_standard_deviation,
/// symmetry_looking, variance_larger_than_standard_deviation); features the other pipelines
/// already compute by the same definition: `partial_autocorrelation` (method "ld": Levinson–
/// Durbin on the adjusted autocovariance, the same Yule–Walker system as P5's
/// `stat_pacf_lag{k}`), `autocorrelation` (P5's ACF up to the factor n / (n − l)),
/// `mean_abs_change` (P7's `stat_temp_mean_abs_diff`), `absolute_sum_of_changes` (that times
/// n − 1), `permutation_entropy` (P9's `stat_perm_entropy` times log 6), `number_peaks` n = 1
/// (P7's `stat_temp_positive_turning`), and the plain moments, quantiles, min/max, length.
/// Not chosen: calculators for seasonal or continuous signals (cwt, welch, ar/adf, friedrich,
/// matrix profile, fft coefficients).
///
/// Cost: both entropies in one scan of the template pairs in order of their first value, which
/// stops at the tolerance (about n²/2 · 5/43 pairs for draws 1..43, all n²/2 on a constant
/// series), one real FFT (O(n · p) for a largest prime factor p, numpy's Bluestein lengths
/// included), the 40-lag autocovariance (40 n) and two sorts; the rest O(n). About 2 ms for
/// n = 2,000, 4 ms for the prime n = 1,999.
public enum TsfreshFeatures {
    /// tsfresh's feature names (the `extract_features` column without its `y__` prefix), in
    /// column order.
    public static let tsfreshNames = [
        "abs_energy",
        #"agg_autocorrelation__f_agg_"mean"__maxlag_40"#,
        #"agg_autocorrelation__f_agg_"median"__maxlag_40"#,
        #"agg_autocorrelation__f_agg_"var"__maxlag_40"#,
        "approximate_entropy__m_2__r_0.1",
        "benford_correlation",
        "c3__lag_1", "c3__lag_2", "c3__lag_3",
        "cid_ce__normalize_True",
        "count_above_mean", "count_below_mean",
        #"fft_aggregated__aggtype_"centroid""#,
        #"fft_aggregated__aggtype_"variance""#,
        #"fft_aggregated__aggtype_"skew""#,
        #"fft_aggregated__aggtype_"kurtosis""#,
        "index_mass_quantile__q_0.25", "index_mass_quantile__q_0.5", "index_mass_quantile__q_0.75",
        "longest_strike_above_mean", "longest_strike_below_mean",
        "number_peaks__n_3", "number_peaks__n_5",
        "ratio_value_number_to_time_series_length",
        "sample_entropy",
        "mean_change", "mean_second_derivative_central",
        "percentage_of_reoccurring_values_to_all_values", "sum_of_reoccurring_values",
        "ratio_beyond_r_sigma__r_1", "ratio_beyond_r_sigma__r_2",
        "binned_entropy__max_bins_10",
        "lempel_ziv_complexity__bins_10",
        "time_reversal_asymmetry_statistic__lag_1",
        "time_reversal_asymmetry_statistic__lag_2",
        "time_reversal_asymmetry_statistic__lag_3",
        "variation_coefficient",
    ]

    /// Columns, in order: "stat_tsfresh_" + the tsfresh name, `"` dropped, `.` → `_`, lowercased.
    public static let columns = tsfreshNames.map { name in
        "stat_tsfresh_"
            + name.replacingOccurrences(of: "\"", with: "")
            .replacingOccurrences(of: ".", with: "_").lowercased()
    }

    /// The series' present values in draw order. Returns one value per column, NaN = NULL.
    public static func compute(_ y: [Double]) -> [Double] {
        let x = y.filter { !$0.isNaN }
        let n = x.count
        guard n > 0, x.allSatisfy(\.isFinite) else { return [Double](repeating: .nan, count: columns.count) }
        let mean = sum(x) / Double(n)
        let std = standardDeviation(x, mean)

        var out: [Double] = []
        out.reserveCapacity(columns.count)
        out.append(dot(x, x))
        out += aggregatedAutocorrelation(x)
        let entropies = templateEntropies(x, std)
        out.append(entropies.approximate)
        out.append(benfordCorrelation(x))
        for lag in 1...3 { out.append(c3(x, lag)) }
        out.append(cidCE(x, mean, std))
        out.append(Double(x.count { $0 > mean }))
        out.append(Double(x.count { $0 < mean }))
        out += fftAggregated(x)
        out += indexMassQuantile(x, [0.25, 0.5, 0.75])
        out.append(Double(longestRun(x) { $0 > mean }))
        out.append(Double(longestRun(x) { $0 < mean }))
        out.append(Double(numberPeaks(x, 3)))
        out.append(Double(numberPeaks(x, 5)))

        let sorted = x.sorted()
        var distinct: [Double] = []
        var counts: [Int] = []
        for value in sorted {
            if let last = distinct.last, last == value {
                counts[counts.count - 1] += 1
            } else {
                distinct.append(value)
                counts.append(1)
            }
        }
        out.append(Double(distinct.count) / Double(n))
        out.append(entropies.sample)
        out.append(n > 1 ? (x[n - 1] - x[0]) / Double(n - 1) : .nan)
        out.append(n > 2 ? (x[n - 1] - x[n - 2] - x[1] + x[0]) / Double(2 * (n - 2)) : .nan)
        let reoccurring = counts.count { $0 > 1 }
        out.append(Double(reoccurring) / Double(distinct.count))
        out.append(sum(zip(counts, distinct).map { $0 > 1 ? $1 : 0 * $1 }))
        for r in [1.0, 2.0] {
            out.append(Double(x.count { abs($0 - mean) > r * std }) / Double(n))
        }
        out.append(binnedEntropy(x, sorted[0], sorted[n - 1], bins: 10))
        out.append(lempelZivComplexity(x, sorted[0], sorted[n - 1], bins: 10))
        for lag in 1...3 { out.append(timeReversalAsymmetry(x, lag)) }
        out.append(mean == 0 ? .nan : std / mean)
        return out.map { $0.isFinite ? $0 : .nan }
    }

    // MARK: - numpy arithmetic

    /// `np.sum`: numpy's pairwise summation.
    static func sum(_ values: [Double]) -> Double {
        values.withUnsafeBufferPointer { NumpySum.pairwise($0) }
    }

    /// `np.std(x)`: √(Σ (xᵢ − mean)² / n), pairwise.
    static func standardDeviation(_ x: [Double], _ mean: Double) -> Double {
        (sum(x.map { ($0 - mean) * ($0 - mean) }) / Double(x.count)).squareRoot()
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var total = 0.0
        for i in a.indices { total += a[i] * b[i] }
        return total
    }

    /// `np.linspace(low, high, count)`: k · step + low, the last exactly `high`.
    static func linspace(_ low: Double, _ high: Double, _ count: Int) -> [Double] {
        let delta = high - low
        let div = Double(count - 1)
        let step = delta / div
        var out = (0..<count).map { k -> Double in
            (step == 0 ? Double(k) / div * delta : Double(k) * step) + low
        }
        out[count - 1] = high
        return out
    }

    // MARK: - Features

    /// Mean, median and variance of statsmodels' adjusted ACF at lags 1…min(40, n − 1).
    static func aggregatedAutocorrelation(_ x: [Double]) -> [Double] {
        let n = x.count
        let mean = sum(x) / Double(n)
        let d = x.map { $0 - mean }
        let variance = sum(d.map { $0 * $0 }) / Double(n)
        if abs(variance) < 1e-10 || n == 1 { return [0, 0, 0] }
        let lags = min(40, n - 1)
        var acf = [Double](repeating: 0, count: lags)
        var c0 = 0.0
        d.withUnsafeBufferPointer { d in
            for i in 0..<n { c0 += d[i] * d[i] }
            let acov0 = c0 / Double(n)
            for lag in 1...lags {
                var c = 0.0
                for i in 0..<(n - lag) { c += d[i + lag] * d[i] }
                acf[lag - 1] = c / Double(n - lag) / acov0
            }
        }
        let average = sum(acf) / Double(lags)
        let ordered = acf.sorted()
        var median = lags % 2 == 1 ? ordered[lags / 2] : (ordered[lags / 2 - 1] + ordered[lags / 2]) / 2
        if acf.contains(where: \.isNaN) { median = .nan }
        let spread = sum(acf.map { ($0 - average) * ($0 - average) }) / Double(lags)
        return [average, median, spread]
    }

    /// `approximate_entropy(x, m=2, r=0.1)` and `sample_entropy(x)` in one pass over the pairs
    /// of templates: both use templates of length 2 (n − 1) and 3 (n − 2) and Chebyshev
    /// distance ≤ tolerance, 0.1 · std and 0.2 · std.
    static func templateEntropies(_ x: [Double], _ std: Double) -> (approximate: Double, sample: Double) {
        let n = x.count
        let r = 0.1 * std
        let tolerance = 0.2 * std
        let pairs = max(n - 1, 0)
        let triples = max(n - 2, 0)
        var near2 = [Int](repeating: 1, count: pairs)
        var near3 = [Int](repeating: 1, count: triples)
        var b = 0
        var a = 0
        // Pairs (i, j) of length-2 templates by ascending x[i]: the scan for i stops at the first
        // j whose first coordinate is farther than the tolerance.
        let order = (0..<pairs).sorted { x[$0] < x[$1] }
        x.withUnsafeBufferPointer { x in
            for p in 0..<pairs {
                let i = order[p]
                let x0 = x[i]
                let x1 = x[i + 1]
                let x2 = i < triples ? x[i + 2] : 0
                var q = p + 1
                while q < pairs {
                    let j = order[q]
                    q += 1
                    let d0 = x[j] - x0
                    if d0 > tolerance { break }
                    let d = max(d0, abs(x1 - x[j + 1]))
                    if d > tolerance { continue }
                    b += 1
                    if d <= r {
                        near2[i] += 1
                        near2[j] += 1
                    }
                    guard i < triples, j < triples else { continue }
                    let d3 = max(d, abs(x2 - x[j + 2]))
                    if d3 > tolerance { continue }
                    a += 1
                    if d3 <= r {
                        near3[i] += 1
                        near3[j] += 1
                    }
                }
            }
        }
        let sample = b == 0 ? .nan : -Foundation.log(Double(2 * a) / Double(2 * b))
        guard n > 3 else { return (0, sample) }
        func phi(_ near: [Int]) -> Double {
            let count = Double(near.count)
            return sum(near.map { Foundation.log(Double($0) / count) }) / count
        }
        return (abs(phi(near2) - phi(near3)), sample)
    }

    /// `np.corrcoef(log10(1 + 1/d), frequency of first digit d)[0, 1]`, d = 1…9.
    static func benfordCorrelation(_ x: [Double]) -> Double {
        var digitCounts = [Int](repeating: 0, count: 10)
        for value in x { digitCounts[firstDigit(abs(value))] += 1 }
        let benford = (1...9).map { Foundation.log10(1 + 1 / Double($0)) }
        let data = (1...9).map { Double(digitCounts[$0]) / Double(x.count) }
        let benfordMean = sum(benford) / 9
        let dataMean = sum(data) / 9
        let u = benford.map { $0 - benfordMean }
        let v = data.map { $0 - dataMean }
        let factor = 1.0 / 8
        let covariance = dot(u, v) * factor
        let r = covariance / (dot(u, u) * factor).squareRoot() / (dot(v, v) * factor).squareRoot()
        return r.isNaN ? r : min(max(r, -1), 1)
    }

    /// The first digit of `np.format_float_scientific(value)` (shortest round-trip form), 0 for 0.
    static func firstDigit(_ value: Double) -> Int {
        if value == 0 { return 0 }
        if value >= 1, value < 1e15, value.rounded(.towardZero) == value {
            var integer = Int(value)
            while integer >= 10 { integer /= 10 }
            return integer
        }
        for character in value.description.utf8 where character >= 0x31 && character <= 0x39 {
            return Int(character - 0x30)
        }
        return 0
    }

    static func c3(_ x: [Double], _ lag: Int) -> Double {
        let count = x.count - 2 * lag
        guard count > 0 else { return 0 }
        return sum((0..<count).map { x[$0 + 2 * lag] * x[$0 + lag] * x[$0] }) / Double(count)
    }

    static func timeReversalAsymmetry(_ x: [Double], _ lag: Int) -> Double {
        let count = x.count - 2 * lag
        guard count > 0 else { return 0 }
        let terms = (0..<count).map { i -> Double in
            let two = x[i + 2 * lag]
            let one = x[i + lag]
            return two * two * one - one * x[i] * x[i]
        }
        return sum(terms) / Double(count)
    }

    static func cidCE(_ x: [Double], _ mean: Double, _ std: Double) -> Double {
        guard std != 0 else { return 0 }
        var total = 0.0
        var previous = (x[0] - mean) / std
        for value in x.dropFirst() {
            let z = (value - mean) / std
            total += (z - previous) * (z - previous)
            previous = z
        }
        return total.squareRoot()
    }

    /// Centroid, variance, skew and kurtosis of |rfft(x)| over the bin index.
    static func fftAggregated(_ x: [Double]) -> [Double] {
        let spectrum = PocketRealFFT(length: x.count).magnitudes(x)
        let total = sum(spectrum)
        var m = [0.0, 0.0, 0.0, 0.0]
        for (k, magnitude) in spectrum.enumerated() {
            let index = Double(k)
            m[0] += magnitude * index
            m[1] += magnitude * (index * index)
            m[2] += magnitude * (index * index * index)
            m[3] += magnitude * (index * index * index * index)
        }
        let (m1, m2, m3, m4) = (m[0] / total, m[1] / total, m[2] / total, m[3] / total)
        let variance = m2 - m1 * m1
        // `var < 0.5` is false for NaN, which then propagates.
        let skew =
            variance < 0.5 ? .nan : (m3 - 3 * m1 * variance - Foundation.pow(m1, 3)) / Foundation.pow(variance, 1.5)
        let kurtosis = variance < 0.5 ? .nan : (m4 - 4 * m1 * m3 + 6 * m2 * (m1 * m1) - 3 * m1) / (variance * variance)
        return [m1, variance, skew, kurtosis]
    }

    static func indexMassQuantile(_ x: [Double], _ quantiles: [Double]) -> [Double] {
        let magnitude = x.map { abs($0) }
        let total = sum(magnitude)
        guard total != 0 else { return quantiles.map { _ in .nan } }
        var mass = magnitude
        for i in 1..<max(mass.count, 1) { mass[i] = mass[i - 1] + mass[i] }
        return quantiles.map { q in
            let first = mass.firstIndex { $0 / total >= q } ?? 0
            return Double(first + 1) / Double(x.count)
        }
    }

    static func longestRun(_ x: [Double], _ predicate: (Double) -> Bool) -> Int {
        var longest = 0
        var run = 0
        for value in x {
            run = predicate(value) ? run + 1 : 0
            longest = max(longest, run)
        }
        return longest
    }

    static func numberPeaks(_ x: [Double], _ support: Int) -> Int {
        guard x.count > 2 * support else { return 0 }
        var peaks = 0
        for i in support..<(x.count - support) {
            if (1...support).allSatisfy({ x[i] > x[i - $0] && x[i] > x[i + $0] }) { peaks += 1 }
        }
        return peaks
    }

    /// `np.histogram(x, bins)` (numpy's equal-width path: index from the scaled offset, then
    /// corrected against the linspace edges) and the entropy of its shares.
    static func binnedEntropy(_ x: [Double], _ low: Double, _ high: Double, bins: Int) -> Double {
        let (first, last) = low == high ? (low - 0.5, high + 0.5) : (low, high)
        let edges = linspace(first, last, bins + 1)
        for k in 0..<bins where edges[k] >= edges[k + 1] { return .nan }
        var histogram = [Int](repeating: 0, count: bins)
        let width = last - first
        for value in x {
            let scaled = (value - first) / width * Double(bins)
            var index = scaled < Double(bins) ? Int(scaled) : bins
            if index == bins { index -= 1 }
            if value < edges[index] { index -= 1 }
            if value >= edges[index + 1], index != bins - 1 { index += 1 }
            histogram[index] += 1
        }
        let terms = histogram.map { count -> Double in
            let p = count == 0 ? 1 : Double(count) / Double(x.count)
            return p * Foundation.log(p)
        }
        return -sum(terms)
    }

    /// Lempel–Ziv parsing of the binned series; the words seen form a prefix-closed set, kept
    /// as a trie.
    static func lempelZivComplexity(_ x: [Double], _ low: Double, _ high: Double, bins: Int) -> Double {
        let edges = linspace(low, high, bins + 1).dropFirst()
        let symbols = bins + 1
        var children = [Int32](repeating: -1, count: (x.count + 1) * symbols)
        var nodes = 1
        var node = 0
        for value in x {
            var symbol = 0
            for edge in edges where edge < value { symbol += 1 }
            let slot = node * symbols + symbol
            if children[slot] >= 0 {
                node = Int(children[slot])
            } else {
                children[slot] = Int32(nodes)
                nodes += 1
                node = 0
            }
        }
        return Double(nodes - 1) / Double(x.count)
    }
}
