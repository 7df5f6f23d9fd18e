import Foundation

/// Pipeline P8: the catch22 features (Lubba et al. 2019) and catch24's mean and standard
/// deviation, as pycatch22 1.0.2 (catch22 C library v1.1.0) returns them from
/// `catch22_all(x, catch24=True)` with its defaults (`mask_nans=True`). The names are that
/// version's: catch24's pair is `DN_mean` and `DN_Spread_std` (before v1.0: `DN_Mean`,
/// `DN_Spread_Std`).
///
/// `compute(x)` takes the series' present values in draw order. The 22 catch22 features are
/// computed on z = (x − mean) / sd (sample sd, n − 1), the catch24 pair on x itself. The C
/// library's algorithms are ported operation for operation where the digits depend on it: sums
/// left to right, its radix-2 Stockham FFT pass for pass with its own twiddles (π rounded to
/// 3.14159265359), sin, cos, exp, log, pow and hypot from the platform's libm as pycatch22's.
/// Measured: every value bit-identical to pycatch22 on the golden series and 3,000 random ones.
/// Where the work is restructured (quickselect instead of sorting, lags or windows summed side
/// by side, one ACF shared by five features), each sum keeps its own order.
///
/// Columns (`stat_catch22_` + the lowercased name; pycatch22's order; "hctsa" names the hctsa
/// v3.0.0 call the C library reproduces, on z):
/// - `dn_histogrammode_5`, `dn_histogrammode_10`: mean centre of the most populated of 5 / 10
///   equal-width bins of z. Edges lo + i·w − 10⁻⁶w, the outer ones lo − 10⁻⁶w and hi + 10⁻⁶w;
///   bin i is [e_i, e_i+1), the last one closed.
/// - `dn_outlierinclude_p_001_mdrmd`, `dn_outlierinclude_n_001_mdrmd`: for thresholds
///   0, 0.01, 0.02, … up to max(±z), the median position (1-based) of the values with ±z ≥
///   threshold, divided by n/2, minus 1; the median of these over the thresholds up to the last
///   one still holding more than 2 % of the non-negative ±z and below the first one holding a
///   single value. hctsa `DN_OutlierInclude(z,'pos'|'neg',0.01).mdrmd`.
/// - `co_firstcrossing_acf_1e_pointofcrossing`: first lag where the ACF of z falls below 1/e,
///   interpolated linearly between the lags either side; n − 1 if it never does. The ACF is
///   computed by FFT, zero-padded to twice the next power of two of n.
/// - `co_firstmin_ac`: first lag k (1 ≤ k ≤ n − 2) with acf(k) below both neighbours; n if none.
/// - `sp_summaries_fft_area_5_1`, `sp_summaries_fft_wq_50`: periodogram of z zero-padded to the
///   next power of two N, bins 1…N/2, S_k = 2|F_k|²/n/2π at ω_k = 2πk/N, floored at 10⁻¹² of its
///   maximum: the sum of the lowest ⌊N/10⌋ bins times Δω, and the first ω where the running sum
///   reaches half of the total. hctsa `SP_Summaries(z,'fft',[],[],false)`.
/// - `fc_localsimple_mean3_stde`: sample sd of z_t − mean(z_t−3 … z_t−1).
/// - `fc_localsimple_mean1_taurat`: interpolated first zero crossing of the ACF of the residuals
///   z_t − z_t−1 divided by that of z (as above, threshold 0).
/// - `md_pnn_pnn40`: share of successive differences with 1000·|Δz| > 40.
/// - `sb_binarystats_mean_longstretch1`: longest run of z_t − mean(z) > 0.
/// - `sb_binarystats_diff_longstretch0`: longest run of steps with Δz ≤ 0.
/// - `sb_motifthree_quantile_hh`: entropy (nats) of the consecutive pairs of tercile symbols
///   (thresholds: catch22's quantiles ⅓, ⅔, 1 — sorted values at (r + 0.5)/n, linear between —
///   and the minimum minus 1), p = count / (n − 1), plus the Miller–Madow term df / 2(n − 1)
///   when df = (non-empty pairs) − 5 > 0.
/// - `co_histogramami_even_5bin_ami2`: mutual information (nats) of (z_t, z_t+2) over the 5 × 5
///   bins of `dn_histogrammode_5`, minus the Panzeri–Treves bias (M_xy − M_x − M_y + 1) / 2(n − 2).
/// - `co_trev_1_num`: mean of (z_t+1 − z_t)³ (libm `pow(d, 3)`).
/// - `in_automutualinfostats_40_gaussian_fmmi`: first lag τ with a local minimum of
///   −½ log(max(1 − r_τ², 10⁻¹²)), r_τ the Pearson correlation of z_0…n−τ−1 with z_τ…n−1, over
///   τ ≤ T = min(40, ⌊(n + 1)/2⌋); T if none (also when T < 3).
/// - `sb_transitionmatrix_quantile_3_ac_sumdiagcov`: z decimated by τ = min(first lag with
///   acf < 0, ⌊n/50⌋) when τ > 1 (Kaiser-windowed sinc, β = 5, 10τ taps each side, unit DC gain,
///   zeros beyond the ends), coarse-grained into tercile symbols; the sum of the column
///   variances (n − 1) of the 3 × 3 joint transition probabilities.
/// - `pd_periodicitywang_th0_01`: z minus a least-squares cubic spline with breaks 0,
///   ⌊n/2⌋ − 1, n − 1; its autocovariance (Σ/(n − τ)) at lags 1…⌈n/3⌉; the first peak that
///   follows a trough, rises ≥ 0.01 above the last trough and is ≥ 0; 0 if none.
/// - `co_embed2_dist_tau_d_expfit_meandiff`: τ = first lag with acf ≤ 0 (at most ⌊n/10⌋); the
///   distances d between successive points of (z_t, z_t+τ); mean absolute difference between
///   their histogram density (max(Sturges, Freedman–Diaconis) bins, 1 … n, edges as above) and
///   the exponential density of mean d̄, at the bin centres.
/// - `sc_fluctanal_2_rsrangefit_50_1_logi_prop_r1`, `sc_fluctanal_2_dfa_50_1_2_logi_prop_r1`:
///   fluctuation of the cumulative sum of z (every value; every 2nd for DFA) at up to 50
///   log-spaced window lengths 5…⌊N/2⌋ (range of each linearly detrended window, or DFA's RMS
///   residual); the share of window lengths in the first of two straight-line regimes of log F
///   against log τ (the split of least total squared error, each side ≥ max(8, ¼ of them)).
/// - `dn_mean`: mean of x. `dn_spread_std`: sample standard deviation of x (n − 1).
///
/// Values for short and degenerate input, all as pycatch22 unless marked (NaN = NULL):
/// - No present value, or a value ±∞: all 24 NULL (pycatch22 warns and returns NaN). `compute`
///   drops NaN itself, as missing values.
/// - One value: `dn_spread_std` NULL (pycatch22: NaN).
/// - A feature that cannot be estimated is pycatch22's mask, a number: all 22 on a constant
///   series (one value included); FC mean3 below 5 values, FC mean1, first minimum, spectrum and
///   histogram AMI below 3, the embedding when all distances are equal, the R/S fit below 40
///   values and DFA below 79 (16 distinct window lengths needed). Masks: 1 for
///   `sp_summaries_fft_area_5_1` and both `sc_fluctanal_*`; n − 1 for
///   `co_firstcrossing_acf_1e_pointofcrossing`; n for `co_firstmin_ac`; min(40, ⌊(n + 1)/2⌋)
///   for `in_automutualinfostats_40_gaussian_fmmi`; 1/9 for
///   `sb_transitionmatrix_quantile_3_ac_sumdiagcov`; 1/(√2·0.001) + (n − 2)/(√2·√((n − 1)/n))
///   (second term 0 for n ≤ 2) for `co_embed2_dist_tau_d_expfit_meandiff`; 0 for the rest.
/// - Deviation: a z-score that is not finite (a spread below ~1e-154, where pycatch22 crashes)
///   gives NULL for the 22; an infinite `dn_spread_std` (|x| beyond ~1e154) is NULL. Neither
///   occurs within `CSVDrawReader.yRange` (±1e15) for integer draws.
///
/// Rolling (`rolling(y)`, `hist_catch22_<name>_w90`): five features of each window of 90
/// consecutive draws, each exactly the value pycatch22 gives for `y[i−89…i]` (z-scored per
/// window, so a constant window gives the masks, 0). NULL before draw 89 and for every window
/// holding a missing or infinite value. Chosen for integer draws without seasonality, each
/// O(90) per window (no FFT, no allocation per window, the window kept sorted incrementally),
/// and for what the rolling mean, std, quantiles and autocorrelation of the other pipelines do
/// not see:
/// - `MD_pNN_pnn40`: the share of draws that differ from the previous one by more than 0.04 sd.
///   For integer draws with sd < 25 every change counts, so it is 1 − the repeat rate (the same
///   number twice in a row), which no moment, quantile or correlation of the window measures.
/// - `SB_BinaryStats_mean_longstretch1`: the longest run of draws above the window mean:
///   clustering of high values (a runs statistic, order-dependent and scale-free).
/// - `SB_BinaryStats_diff_longstretch0`: the longest streak without a rise: persistence of
///   falls and repeats, which a lag-1 correlation averages away.
/// - `SB_MotifThree_quantile_hh`: the entropy of consecutive low/middle/high pairs: serial
///   dependence between tercile levels, nonlinear included, where the autocorrelation is linear
///   (the transition-matrix feature summarises the same 3 × 3 counts, so it is left out).
/// - `CO_trev_1_num`: time-reversal asymmetry, mean (Δz)³: whether rises are larger than falls,
///   invisible to every symmetric statistic.
/// Left out: the ACF-derived features (1/e crossing, first minimum, Gaussian AMI, taurat,
/// embedding, periodicity) repeat the autocorrelation pipeline; the spectral pair repeats the
/// spectral one; the histogram modes and outlier timing repeat the quantiles and rolling mean;
/// the fluctuation-analysis pair is little more than its mask on 90 values.
public enum Catch22Features {
    /// pycatch22's feature names, in its order: the 22 of catch22, then catch24's two.
    public static let catch22Names: [String] = [
        "DN_HistogramMode_5", "DN_HistogramMode_10", "DN_OutlierInclude_p_001_mdrmd",
        "DN_OutlierInclude_n_001_mdrmd", "CO_FirstCrossing_acf_1e_pointOfCrossing", "CO_FirstMin_ac",
        "SP_Summaries_fft_area_5_1", "SP_Summaries_fft_wq_50", "FC_LocalSimple_mean3_stde",
        "FC_LocalSimple_mean1_taurat", "MD_pNN_pnn40", "SB_BinaryStats_mean_longstretch1",
        "SB_BinaryStats_diff_longstretch0", "SB_MotifThree_quantile_hh", "CO_HistogramAMI_even_5bin_ami2",
        "CO_trev_1_num", "IN_AutoMutualInfoStats_40_gaussian_fmmi",
        "SB_TransitionMatrix_quantile_3_ac_sumdiagcov", "PD_PeriodicityWang_th0_01",
        "CO_Embed2_Dist_tau_d_expfit_meandiff", "SC_FluctAnal_2_rsrangefit_50_1_logi_prop_r1",
        "SC_FluctAnal_2_dfa_50_1_2_logi_prop_r1", "DN_mean", "DN_Spread_std",
    ]

    /// `stat_catch22_` + the lowercased name, in `catch22Names`' order.
    public static let columns: [String] = catch22Names.map { "stat_catch22_" + $0.lowercased() }

    /// Draws per rolling window.
    public static let rollingWindow = 90

    /// The features computed on rolling windows (see the type's documentation).
    public static let rollingNames: [String] = [
        "MD_pNN_pnn40", "SB_BinaryStats_mean_longstretch1", "SB_BinaryStats_diff_longstretch0",
        "SB_MotifThree_quantile_hh", "CO_trev_1_num",
    ]

    /// `hist_catch22_` + the lowercased name + `_w90`, in `rollingNames`' order.
    public static let rollingColumns: [String] = rollingNames.map {
        "hist_catch22_" + $0.lowercased() + "_w\(rollingWindow)"
    }

    /// The 24 values of `columns` for the present values of a series, in draw order.
    public static func compute(_ x: [Double]) -> [Double] {
        let x = x.filter { !$0.isNaN }
        var out = [Double](repeating: .nan, count: catch22Names.count)
        let n = x.count
        guard n >= 1, x.allSatisfy(\.isFinite) else { return out }
        x.withUnsafeBufferPointer { x in
            out[22] = mean(x)
            out[23] = n > 1 ? stddev(x) : .nan
            guard x.contains(where: { $0 != x[0] }) else { return }
            var z = [Double](repeating: 0, count: n)
            z.withUnsafeMutableBufferPointer { z in
                let m = mean(x)
                let sd = stddev(x)
                for i in 0..<n { z[i] = (x[i] - m) / sd }
                guard z.allSatisfy(\.isFinite) else {
                    for i in 0..<22 { out[i] = .infinity } // NULL below, never masked
                    return
                }
                features(UnsafeBufferPointer(z), into: &out)
            }
        }
        for i in 0..<22 where out[i].isNaN { out[i] = mask(i, n) }
        for i in 0..<out.count where !out[i].isFinite { out[i] = .nan }
        return out
    }

    /// One array per `rollingColumns` entry, each `y.count` long: at draw i the feature of
    /// y[i − 89 … i] when i ≥ 89 and all 90 are present, NaN otherwise.
    public static func rolling(_ y: [Double]) -> [[Double]] {
        let w = rollingWindow
        let count = y.count
        var columns = [[Double]](repeating: [Double](repeating: .nan, count: count), count: rollingNames.count)
        guard count >= w else { return columns }
        var buffers = [Double](repeating: 0, count: 4 * w)
        var labels = [Int](repeating: 0, count: w)
        var bad = 0 // missing or infinite values in the window
        var sortedHoldsPrevious = false
        y.withUnsafeBufferPointer { y in
            buffers.withUnsafeMutableBufferPointer { buffers in
                labels.withUnsafeMutableBufferPointer { labels in
                    let z = buffers.baseAddress!
                    let diffs = z + w
                    let sortedX = z + 2 * w
                    let sortedZ = z + 3 * w
                    let zs = UnsafeBufferPointer(start: z, count: w)
                    for i in 0..<count {
                        if !y[i].isFinite { bad += 1 }
                        if i >= w, !y[i - w].isFinite { bad -= 1 }
                        guard i >= w - 1, bad == 0 else {
                            sortedHoldsPrevious = false
                            continue
                        }
                        let window = UnsafeBufferPointer(rebasing: y[(i - w + 1)...i])
                        if sortedHoldsPrevious {
                            replaceSorted(sortedX, w, removing: y[i - w], inserting: y[i])
                        } else {
                            for k in 0..<w { sortedX[k] = window[k] }
                            insertionSort(sortedX, w)
                            sortedHoldsPrevious = true
                        }
                        if sortedX[0] == sortedX[w - 1] {
                            for c in 0..<columns.count { columns[c][i] = 0 } // pycatch22's masks
                            continue
                        }
                        let m = mean(window)
                        let sd = stddev(window)
                        guard sd.isFinite, sd > 0 else { continue }
                        for k in 0..<w { z[k] = (window[k] - m) / sd }
                        // z is non-decreasing in x, so sorted z is the z of sorted x.
                        for k in 0..<w { sortedZ[k] = (sortedX[k] - m) / sd }
                        let thresholds = terciles(count: w) { sortedZ[$0] }
                        columns[0][i] = pnn40(zs)
                        columns[1][i] = meanLongStretch1(zs)
                        columns[2][i] = diffLongStretch0(zs)
                        columns[3][i] = motifThreeHH(zs, thresholds: thresholds, labels: labels)
                        columns[4][i] = trev1(zs, diffs: diffs)
                    }
                }
            }
        }
        return columns
    }
}

// MARK: - Masks and the feature table

extension Catch22Features {
    /// pycatch22's value for feature `index` when it cannot be estimated on n values.
    static func mask(_ index: Int, _ n: Int) -> Double {
        switch index {
        case 4: return Double(n - 1)
        case 5: return Double(n)
        case 6, 20, 21: return 1
        case 16: return Double.minimum(40, Double((n + 1) / 2))
        case 17: return 1.0 / 9.0
        case 19:
            let root2 = 2.0.squareRoot()
            let meanTerm = n > 2 ? Double(n - 2) / (root2 * ((Double(n) - 1.0) / Double(n)).squareRoot()) : 0.0
            return 1.0 / (root2 * 0.001) + meanTerm
        default: return 0
        }
    }

    /// The 22 features of a z-scored, finite, non-constant series; NaN where the C library
    /// gives NaN (masked by the caller).
    static func features(_ z: UnsafeBufferPointer<Double>, into out: inout [Double]) {
        let n = z.count
        var scratch = [Double](repeating: 0, count: n)
        var labels = [Int](repeating: 0, count: n)
        out[0] = histogramMode(z, bins: 5)
        out[1] = histogramMode(z, bins: 10)
        out[2] = outlierInclude(z, sign: 1)
        out[3] = outlierInclude(z, sign: -1)
        let acf = autocorrelations(z)
        out[4] = firstCrossing(acf, n, threshold: 1.0 / exp(1.0))
        out[5] = firstMinimum(acf, n)
        (out[6], out[7]) = spectrumSummaries(z)
        out[8] = localSimpleMean3StdErr(z)
        out[9] = localSimpleMean1TauRatio(z, acf: acf)
        out[10] = pnn40(z)
        out[11] = meanLongStretch1(z)
        out[12] = diffLongStretch0(z)
        scratch.withUnsafeMutableBufferPointer { s in
            labels.withUnsafeMutableBufferPointer { labels in
                for i in 0..<n { s[i] = z[i] }
                let thresholds = terciles(selectingFrom: s.baseAddress!, count: n)
                out[13] = motifThreeHH(z, thresholds: thresholds, labels: labels)
                out[14] = histogramAMI2(z)
                out[15] = trev1(z, diffs: s.baseAddress!)
                out[16] = gaussianAMIFirstMinimum(z)
                out[17] = transitionMatrixSumDiagCov(z, acf: acf, scratch: s.baseAddress!, labels: labels)
            }
        }
        out[18] = periodicityWang(z)
        out[19] = embed2DistExpFitMeanDiff(z, acf: acf)
        out[20] = fluctuationPropR1(z, lag: 1, dfa: false)
        out[21] = fluctuationPropR1(z, lag: 2, dfa: true)
    }
}

// MARK: - Statistics as the C library computes them

extension Catch22Features {
    /// Σ a / n, left to right.
    @inline(__always)
    static func mean(_ a: UnsafeBufferPointer<Double>) -> Double {
        var s = 0.0
        for v in a { s += v }
        return s / Double(a.count)
    }

    /// √(Σ (a − mean)² / (n − 1)).
    @inline(__always)
    static func stddev(_ a: UnsafeBufferPointer<Double>) -> Double {
        let m = mean(a)
        var s = 0.0
        for v in a {
            let d = v - m
            s += d * d
        }
        return (s / Double(a.count - 1)).squareRoot()
    }

    /// The first minimum and maximum, scanning left to right.
    @inline(__always)
    static func extremes(_ a: UnsafeBufferPointer<Double>) -> (min: Double, max: Double) {
        var lo = a[0]
        var hi = a[0]
        for i in 1..<a.count {
            let v = a[i]
            if v < lo { lo = v }
            if v > hi { hi = v }
        }
        return (lo, hi)
    }

    /// C's `(int)` conversion on x86-64: truncation, INT_MIN when out of range or NaN.
    static func cInt(_ x: Double) -> Int {
        guard x.isFinite, x > -2_147_483_649, x < 2_147_483_648 else { return Int(Int32.min) }
        return Int(x)
    }

    /// Smallest power of two ≥ n (1 for n ≤ 1).
    static func nextPowerOfTwo(_ n: Int) -> Int {
        var p = 1
        while p < n { p <<= 1 }
        return p
    }

    /// Moves the value of rank k (0-based) among a[from ..< end] to a[k], with nothing larger
    /// before it and nothing smaller after it (quickselect); returns it.
    static func select(_ a: UnsafeMutablePointer<Double>, from: Int, to end: Int, rank k: Int) -> Double {
        var lo = from
        var hi = end - 1
        while lo < hi {
            let (p0, p1, p2) = (a[lo], a[lo + (hi - lo) / 2], a[hi])
            let pivot = max(min(p0, p1), min(max(p0, p1), p2))
            var i = lo
            var j = hi
            while i <= j {
                while a[i] < pivot { i += 1 }
                while a[j] > pivot { j -= 1 }
                if i <= j {
                    (a[i], a[j]) = (a[j], a[i])
                    i += 1
                    j -= 1
                }
            }
            if k <= j {
                hi = j
            } else if k >= i {
                lo = i
            } else {
                return a[k]
            }
        }
        return a[k]
    }

    /// The values of the given ranks (ascending, duplicates allowed) of a[0 ..< n], reordering a.
    static func orderStatistics(_ a: UnsafeMutablePointer<Double>, count n: Int, ranks: [Int]) -> [Double] {
        var values = [Double](repeating: 0, count: ranks.count)
        var from = 0
        var last = -1
        for (j, r) in ranks.enumerated() {
            if r == last {
                values[j] = values[j - 1]
            } else if r == from {
                // the smallest of the rest: a scan, no partition
                var m = from
                for i in (from + 1)..<n where a[i] < a[m] { m = i }
                (a[from], a[m]) = (a[m], a[from])
                values[j] = a[from]
            } else if r == n - 1 {
                var m = from
                for i in (from + 1)..<n where a[i] > a[m] { m = i }
                (a[n - 1], a[m]) = (a[m], a[n - 1])
                values[j] = a[n - 1]
            } else {
                values[j] = select(a, from: from, to: n, rank: r)
            }
            from = r + 1
            last = r
        }
        return values
    }

    /// catch22's `quantile` of n values, `value(r)` being the value of rank r: the sorted values
    /// sit at (r + 0.5)/n, linear in between, the extremes beyond.
    @inline(__always)
    static func quantile(_ quant: Double, count size: Int, _ value: (Int) -> Double) -> Double {
        let q = 0.5 / Double(size)
        if quant < q { return value(0) }
        if quant > 1 - q { return value(size - 1) }
        let index = Double(size) * quant - 0.5
        let left = Int(index.rounded(.down))
        let right = Int(index.rounded(.up))
        return value(left) + (index - Double(left)) * (value(right) - value(left)) / Double(right - left)
    }

    /// catch22's `linspace(0, 1, 4)`, accumulated: 0, ⅓, ⅔, 1.
    static let thirds: [Double] = {
        var levels = [Double](repeating: 0, count: 4)
        let step = 1.0 / 3.0
        for i in 1..<4 { levels[i] = levels[i - 1] + step }
        return levels
    }()

    /// The coarse-graining thresholds: quantiles ⅓, ⅔ and 1, and the minimum minus 1.
    @inline(__always)
    static func terciles(count n: Int, _ value: (Int) -> Double) -> (Double, Double, Double, Double) {
        (
            quantile(thirds[0], count: n, value) - 1, quantile(thirds[1], count: n, value),
            quantile(thirds[2], count: n, value), quantile(thirds[3], count: n, value)
        )
    }

    /// `terciles` of a[0 ..< n] by quickselect (a is reordered).
    static func terciles(selectingFrom a: UnsafeMutablePointer<Double>, count n: Int) -> (
        Double, Double, Double, Double
    ) {
        var ranks: [Int] = []
        for level in thirds {
            _ = quantile(level, count: n) { r in
                ranks.append(r)
                return 0
            }
        }
        ranks.sort()
        let values = orderStatistics(a, count: n, ranks: ranks)
        return terciles(count: n) { values[ranks.firstIndex(of: $0)!] }
    }

    /// Symbols 1…3: (t0, t1], (t1, t2], (t2, t3], assigned in that order as catch22 does.
    static func coarseGrain3(
        _ y: UnsafeBufferPointer<Double>, _ th: (Double, Double, Double, Double),
        into labels: UnsafeMutableBufferPointer<Int>
    ) {
        for j in 0..<y.count {
            let v = y[j]
            var label = 0
            if v > th.0 && v <= th.1 { label = 1 }
            if v > th.1 && v <= th.2 { label = 2 }
            if v > th.2 && v <= th.3 { label = 3 }
            labels[j] = label
        }
    }

    /// hctsa's BF_HistEdges: `bins` + 1 equal-width edges over [min, max], lowered by 10⁻⁶ of a
    /// width (the last raised); one unit-width bin when the range is at rounding level. Returns
    /// the number of bins.
    static func histogramEdges(_ y: UnsafeBufferPointer<Double>, bins: Int, into edges: UnsafeMutablePointer<Double>)
        -> Int
    {
        let (lo, hi) = extremes(y)
        if hi - lo <= 1e-12 * Double.maximum(abs(lo), abs(hi)) {
            edges[0] = lo - 0.5
            edges[1] = lo + 0.5
            return 1
        }
        let width = (hi - lo) / Double(bins)
        let tol = 1e-6 * width
        for i in 0...bins { edges[i] = (lo + Double(i) * width) - tol }
        edges[0] = lo - tol
        edges[bins] = hi + tol
        return bins
    }

    /// MATLAB histcounts' bin of x for increasing edges: [e_i, e_i+1), the last one closed; −1
    /// outside. A guess from `scale` (bins per unit; any guess will do), settled by the edge
    /// comparisons a bisection makes.
    @inline(__always)
    static func binIndex(_ x: Double, _ edges: UnsafePointer<Double>, _ bins: Int, scale: Double) -> Int {
        if x < edges[0] || x > edges[bins] { return -1 }
        if x == edges[bins] { return bins - 1 }
        let guess = (x - edges[0]) * scale
        var b = guess < Double(bins) ? Int(guess) : bins - 1
        while b > 0 && x < edges[b] { b -= 1 }
        while b < bins - 1 && x >= edges[b + 1] { b += 1 }
        return b
    }

    @inline(__always)
    static func binScale(_ edges: UnsafePointer<Double>, _ bins: Int) -> Double {
        Double(bins) / (edges[bins] - edges[0])
    }

    /// Least-squares line y = m x + b through n points (m = b = 0 when singular).
    @inline(__always)
    static func lineFit(_ n: Int, _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>) -> (m: Double, b: Double) {
        var sumx = 0.0
        var sumx2 = 0.0
        var sumxy = 0.0
        var sumy = 0.0
        for i in 0..<n {
            sumx += x[i]
            sumx2 += x[i] * x[i]
            sumxy += x[i] * y[i]
            sumy += y[i]
        }
        let denom = Double(n) * sumx2 - sumx * sumx
        if denom == 0 { return (0, 0) }
        return ((Double(n) * sumxy - sumx * sumy) / denom, (sumy * sumx2 - sumx * sumxy) / denom)
    }

    static func insertionSort(_ a: UnsafeMutablePointer<Double>, _ n: Int) {
        for i in 1..<n {
            let v = a[i]
            var j = i
            while j > 0 && a[j - 1] > v {
                a[j] = a[j - 1]
                j -= 1
            }
            a[j] = v
        }
    }

    /// Keeps a[0 ..< w] sorted when the window drops `old` and takes `new` (O(w) moves).
    static func replaceSorted(_ a: UnsafeMutablePointer<Double>, _ w: Int, removing old: Double, inserting new: Double)
    {
        var lo = 0
        var hi = w
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] < old { lo = mid + 1 } else { hi = mid }
        }
        var i = lo
        if new > old {
            while i + 1 < w && a[i + 1] < new {
                a[i] = a[i + 1]
                i += 1
            }
        } else {
            while i > 0 && a[i - 1] > new {
                a[i] = a[i - 1]
                i -= 1
            }
        }
        a[i] = new
    }
}

// MARK: - FFT and autocorrelation

extension Catch22Features {
    /// catch22's twiddles e^(−iπk/n), k < n, with π as 3.14159265359; interleaved re, im.
    /// Entry k·2ˢ of the table for n·2ˢ is bit for bit entry k of the table for n (the angle
    /// πk·2ˢ/(n·2ˢ) rounds the same), so one table serves every smaller power of two.
    static func twiddles(_ n: Int) -> [Double] {
        var tw = [Double](repeating: 0, count: 2 * n)
        for i in 0..<n {
            let x = 3.14159265359 * Double(i) / Double(n)
            tw[2 * i] = cos(-x)
            tw[2 * i + 1] = sin(-x)
        }
        return tw
    }

    static let sharedTwiddleSize = 8192
    static let sharedTwiddles: [Double] = twiddles(sharedTwiddleSize)

    /// A twiddle table for n (a power of two) and the step between its entries.
    static func twiddles(for n: Int) -> (table: [Double], step: Int) {
        n <= sharedTwiddleSize ? (sharedTwiddles, sharedTwiddleSize / n) : (twiddles(n), 1)
    }

    /// catch22's in-place forward FFT of n (a power of two) finite complex values, interleaved;
    /// twiddle k is at tw[2·k·step]; `scratch` holds 2n values.
    static func fft(
        _ a: UnsafeMutablePointer<Double>, _ n: Int, _ tw: UnsafePointer<Double>, step: Int,
        scratch: UnsafeMutablePointer<Double>
    ) {
        if n < 2 { return }
        var levels = 0
        while (n >> levels) > 1 { levels += 1 }
        var s = n >> 1
        var remaining = levels
        if levels & 1 == 1 {
            fftTopPass(a, tw, n)
            s >>= 1
            remaining = levels - 1
        }
        var src = a
        var dst = scratch
        while remaining > 0 {
            fftPass(dst, src, tw, step, n, s)
            swap(&src, &dst)
            remaining -= 1
            s >>= 1
        }
    }

    // Complex values as SIMD2 (re, im). With W1 = (wr, wr), W2 = (−wi, wi) and y' = (yi, yr),
    // W1·y + W2·y' is (wr·yr − wi·yi, wr·yi + wi·yr) operation for operation, as catch22's
    // scalar butterfly computes it.
    private static func fftTopPass(_ a: UnsafeMutablePointer<Double>, _ tw: UnsafePointer<Double>, _ n: Int) {
        let w1 = SIMD2(repeating: tw[0])
        let w2 = SIMD2(-tw[1], tw[1])
        a.withMemoryRebound(to: SIMD2<Double>.self, capacity: n) { a in
            let half = n / 2
            for o in 0..<half {
                let y = a[half + o]
                let x = a[o]
                let t = w1 * y + w2 * SIMD2(y.y, y.x)
                a[o] = x + t
                a[half + o] = x - t
            }
        }
    }

    private static func fftPass(
        _ dst: UnsafeMutablePointer<Double>, _ src: UnsafeMutablePointer<Double>, _ tw: UnsafePointer<Double>,
        _ step: Int, _ n: Int, _ s: Int
    ) {
        src.withMemoryRebound(to: SIMD2<Double>.self, capacity: n) { src in
            dst.withMemoryRebound(to: SIMD2<Double>.self, capacity: n) { dst in
                let half = n / 2
                if s == 1 {
                    for k in 0..<half {
                        let wr = tw[4 * k * step]
                        let wi = tw[4 * k * step + 1]
                        let w1 = SIMD2(repeating: wr)
                        let w2 = SIMD2(-wi, wi)
                        let yo = src[2 * k + 1]
                        let xo = src[2 * k]
                        let t = w1 * yo + w2 * SIMD2(yo.y, yo.x)
                        dst[k] = xo + t
                        dst[k + half] = xo - t
                    }
                    return
                }
                for k in 0..<(n / (2 * s)) {
                    let wr = tw[4 * s * k * step]
                    let wi = tw[4 * s * k * step + 1]
                    let w1 = SIMD2(repeating: wr)
                    let w2 = SIMD2(-wi, wi)
                    let x = src + 2 * s * k
                    let y = x + s
                    let p = dst + s * k
                    let m = p + half
                    for o in 0..<s {
                        let yo = y[o]
                        let xo = x[o]
                        let t = w1 * yo + w2 * SIMD2(yo.y, yo.x)
                        p[o] = xo + t
                        m[o] = xo - t
                    }
                }
            }
        }
    }

    /// catch22's `co_autocorrs`: the ACF at lags 0 ..< 2·nextpow2(n) by two forward FFTs of the
    /// zero-padded, centred series (F·conj(F), then transformed again), divided by lag 0.
    static func autocorrelations(_ y: UnsafeBufferPointer<Double>) -> [Double] {
        let size = y.count
        let nFFT = nextPowerOfTwo(size) << 1
        let m = mean(y)
        var work = [Double](repeating: 0, count: 4 * nFFT)
        let (tw, step) = twiddles(for: nFFT)
        return [Double](unsafeUninitializedCapacity: nFFT) { out, initialized in
            work.withUnsafeMutableBufferPointer { work in
                tw.withUnsafeBufferPointer { tw in
                    let f = work.baseAddress!
                    let scratch = f + 2 * nFFT
                    let t = tw.baseAddress!
                    for i in 0..<size { f[2 * i] = y[i] - m }
                    fft(f, nFFT, t, step: step, scratch: scratch)
                    for i in 0..<nFFT {
                        let a = f[2 * i]
                        let b = f[2 * i + 1]
                        f[2 * i] = a * a - b * -b
                        f[2 * i + 1] = a * -b + b * a
                    }
                    fft(f, nFFT, t, step: step, scratch: scratch)
                    let c = f[0]
                    let d = f[1]
                    for i in 0..<nFFT {
                        let a = f[2 * i]
                        let b = f[2 * i + 1]
                        out[i] = (a * c + b * d) / (c * c + d * d)
                    }
                }
            }
            initialized = nFFT
        }
    }

    /// First lag below `threshold`, interpolated between its neighbours; n − 1 if none; NaN if
    /// the ACF is undefined.
    static func firstCrossing(_ acf: [Double], _ size: Int, threshold: Double) -> Double {
        if size < 2 || !acf[0].isFinite { return .nan }
        for k in 1..<size where acf[k] < threshold {
            return Double(k - 1) + (acf[k - 1] - threshold) / (acf[k - 1] - acf[k])
        }
        return Double(size - 1)
    }
}

// MARK: - Features

extension Catch22Features {
    static func histogramMode(_ y: UnsafeBufferPointer<Double>, bins: Int) -> Double {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: bins + 1) { edges in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: bins) { counts in
                let e = edges.baseAddress!
                let nb = histogramEdges(y, bins: bins, into: e)
                let scale = binScale(e, nb)
                for i in 0..<nb { counts[i] = 0 }
                for v in y {
                    let b = binIndex(v, e, nb, scale: scale)
                    if b >= 0 { counts[b] += 1 }
                }
                var maxCount = -1
                for i in 0..<nb where counts[i] > maxCount { maxCount = counts[i] }
                var sum = 0.0
                var ties = 0
                for i in 0..<nb where counts[i] == maxCount {
                    sum += (e[i] + e[i + 1]) / 2
                    ties += 1
                }
                return sum / Double(ties)
            }
        }
    }

    static func outlierInclude(_ y: UnsafeBufferPointer<Double>, sign: Double) -> Double {
        let size = y.count
        let inc = 0.01
        var tot = 0
        var maxVal = sign * y[0]
        for v in y {
            let s = sign * v
            tot += s >= 0 ? 1 : 0
            maxVal = s > maxVal ? s : maxVal
        }
        if !y.contains(where: { $0 != y[0] }) { return 0 }
        if maxVal < inc { return 0 }
        let nThresh = cInt(maxVal / inc + 1)
        guard nThresh >= 1 else { return .nan }

        var ints = [Int](repeating: 0, count: 3 * size + 3 * nThresh + 4)
        return ints.withUnsafeMutableBufferPointer { ints -> Double in
            let level = ints.baseAddress!
            let positions = level + size
            let tree = positions + size
            // bucketCount[−1] counts the values below every threshold
            let bucketCount = tree + size + 2
            let atLeast = bucketCount + nThresh
            let start = atLeast + nThresh
            // The highest threshold index each value reaches (as the C library: the comparison
            // v >= j·0.01 decides, not a bare floor). Selects rather than branches: the sign of
            // z is a coin flip.
            let top = Double(nThresh - 1)
            for i in 0..<size {
                let v = sign * y[i]
                let q = v / inc
                var j = Int(Swift.min(Swift.max(q, 0), top)) - (q < 0 ? 1 : 0) // 0 − 1 when q < 0
                while j + 1 < nThresh && v >= Double(j + 1) * inc { j += 1 }
                while (v < Double(j) * inc ? 1 : 0) & (j >= 0 ? 1 : 0) != 0 { j -= 1 }
                level[i] = j
                bucketCount[j] += 1
            }
            var run = 0
            for j in stride(from: nThresh - 1, through: 0, by: -1) {
                run += bucketCount[j]
                atLeast[j] = run
            }
            var mj = 0
            var fbi = nThresh - 1
            for j in 0..<nThresh where Double(atLeast[j] - 1) * 100.0 / Double(tot) > 2 { mj = j }
            for j in stride(from: nThresh - 1, through: 0, by: -1) where atLeast[j] - 1 == 0 { fbi = j }
            let trimLimit = min(mj, fbi)

            // Positions grouped by level; a sweep down the thresholds adds them to a Fenwick tree
            // whose prefix counts give the median position of the values above each threshold.
            start[0] = 0
            for j in 0..<nThresh { start[j + 1] = start[j] + bucketCount[j] }
            bucketCount[-1] = start[nThresh] // below every threshold: parked past the end
            for j in 0..<nThresh { bucketCount[j] = start[j] }
            for i in 0..<size {
                positions[bucketCount[level[i]]] = i
                bucketCount[level[i]] += 1
            }
            var logn = 1
            while (logn << 1) <= size { logn <<= 1 }
            @inline(__always) func positionOfRank(_ k: Int) -> Int {
                var k = k
                var pos = 0
                var pw = logn
                while pw > 0 {
                    if pos + pw <= size && tree[pos + pw] < k {
                        pos += pw
                        k -= tree[pos]
                    }
                    pw >>= 1
                }
                return pos + 1
            }
            var medians = [Double](repeating: 0, count: trimLimit + 1)
            var m = 0
            let denom = Double(size) / 2
            for j in stride(from: nThresh - 1, through: 0, by: -1) {
                for p in start[j]..<start[j + 1] {
                    var i = positions[p] + 1
                    while i <= size {
                        tree[i] += 1
                        i += i & -i
                    }
                    m += 1
                }
                if j > trimLimit { continue }
                let med: Double
                if m % 2 == 1 {
                    med = Double(positionOfRank(m / 2 + 1))
                } else {
                    let lo = Double(positionOfRank(m / 2))
                    let hi = Double(positionOfRank(m / 2 + 1))
                    med = (hi + lo) / 2.0
                }
                medians[j] = med / denom - 1
            }
            let k = medians.count
            return medians.withUnsafeMutableBufferPointer { a in
                if k % 2 == 1 { return select(a.baseAddress!, from: 0, to: k, rank: k / 2) }
                let v = orderStatistics(a.baseAddress!, count: k, ranks: [k / 2 - 1, k / 2])
                return (v[1] + v[0]) / 2.0
            }
        }
    }

    static func firstMinimum(_ acf: [Double], _ size: Int) -> Double {
        if size < 3 { return .nan }
        for i in 1..<(size - 1) where acf[i] < acf[i - 1] && acf[i] < acf[i + 1] { return Double(i) }
        return Double(size)
    }

    /// (area_5_1, wq_50) of the one-sided periodogram.
    static func spectrumSummaries(_ y: UnsafeBufferPointer<Double>) -> (Double, Double) {
        let pi = 3.14159265358979323846
        let size = y.count
        let nFFT = nextPowerOfTwo(size)
        let bins = nFFT / 2
        if bins < 2 { return (.nan, .nan) }
        var work = [Double](repeating: 0, count: 4 * nFFT + 2 * bins)
        let (tw, step) = twiddles(for: nFFT)
        return work.withUnsafeMutableBufferPointer { work in
            let f = work.baseAddress!
            let s = f + 4 * nFFT
            let w = s + bins
            for i in 0..<size { f[2 * i] = y[i] }
            tw.withUnsafeBufferPointer { fft(f, nFFT, $0.baseAddress!, step: step, scratch: f + 2 * nFFT) }
            for k in 0..<bins {
                let a = hypot(f[2 * (k + 1)], f[2 * (k + 1) + 1])
                s[k] = 2 * a * a / Double(size) / (2 * pi)
                w[k] = 2 * pi * Double(k + 1) / Double(nFFT)
            }
            var smax = s[0]
            for k in 1..<bins where s[k] > smax { smax = s[k] }
            for k in 0..<bins where s[k] < 1e-12 * smax { s[k] = 1e-12 * smax }

            var total = 0.0
            for k in 0..<bins { total += s[k] }
            var median = Double.nan
            var cumulative = 0.0
            for k in 0..<bins {
                cumulative += s[k]
                if cumulative >= 0.5 * total {
                    median = w[k]
                    break
                }
            }
            var area = 0.0
            for k in 0..<(bins / 5) { area += s[k] }
            return (area * (w[1] - w[0]), median)
        }
    }

    static func localSimpleMean3StdErr(_ y: UnsafeBufferPointer<Double>) -> Double {
        let size = y.count
        if size <= 3 { return .nan }
        var res = [Double](repeating: 0, count: size - 3)
        for i in 0..<(size - 3) {
            var estimate = 0.0
            estimate += y[i]
            estimate += y[i + 1]
            estimate += y[i + 2]
            res[i] = y[i + 3] - estimate / 3.0
        }
        return res.withUnsafeBufferPointer { stddev($0) }
    }

    static func localSimpleMean1TauRatio(_ y: UnsafeBufferPointer<Double>, acf: [Double]) -> Double {
        let size = y.count
        if size <= 1 { return .nan }
        var res = [Double](repeating: 0, count: size - 1)
        for i in 0..<(size - 1) { res[i] = y[i + 1] - (0.0 + y[i]) / 1.0 }
        let resCrossing = res.withUnsafeBufferPointer { firstCrossing(autocorrelations($0), $0.count, threshold: 0) }
        let yCrossing = firstCrossing(acf, size, threshold: 0)
        return yCrossing == 0 || !yCrossing.isFinite ? .nan : resCrossing / yCrossing
    }

    static func pnn40(_ y: UnsafeBufferPointer<Double>) -> Double {
        let size = y.count
        if size < 2 { return .nan }
        var count = 0.0
        for i in 0..<(size - 1) where abs(y[i + 1] - y[i]) * 1000 > 40 { count += 1 }
        return count / Double(size - 1)
    }

    static func meanLongStretch1(_ y: UnsafeBufferPointer<Double>) -> Double {
        let m = mean(y)
        var longest = 0
        var run = 0
        for v in y {
            if v - m > 0 {
                run += 1
                if run > longest { longest = run }
            } else {
                run = 0
            }
        }
        return Double(longest)
    }

    static func diffLongStretch0(_ y: UnsafeBufferPointer<Double>) -> Double {
        let size = y.count
        if size < 2 { return .nan }
        var longest = 0
        var run = 0
        for i in 0..<(size - 1) {
            if y[i + 1] - y[i] > 0 {
                run = 0
            } else {
                run += 1
                if run > longest { longest = run }
            }
        }
        return Double(longest)
    }

    /// Entropy of consecutive pairs of tercile symbols, with the Miller–Madow term.
    static func motifThreeHH(
        _ y: UnsafeBufferPointer<Double>, thresholds: (Double, Double, Double, Double),
        labels: UnsafeMutableBufferPointer<Int>
    ) -> Double {
        let size = y.count
        coarseGrain3(y, thresholds, into: labels)
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 16) { c in
            for k in 0..<16 { c[k] = 0 }
            for t in 0..<(size - 1) { c[labels[t] * 4 + labels[t + 1]] += 1 }
            var hh = 0.0
            var nonEmpty = 0
            let pairs = Double(size) - 1.0
            for i in 1...3 {
                var f = 0.0
                for j in 1...3 {
                    let p = Double(c[i * 4 + j]) / pairs
                    if p > 0 {
                        f += p * log(p)
                        nonEmpty += 1
                    }
                }
                hh += -1 * f
            }
            let df = nonEmpty - 1 - 2 * 2
            if df > 0 { hh += Double(df) / (2.0 * Double(size - 1)) }
            return hh
        }
    }

    static func histogramAMI2(_ y: UnsafeBufferPointer<Double>) -> Double {
        let size = y.count
        let lag = 2
        if size <= lag { return .nan }
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: 6 + 25 + 10) { buffer in
            let edges = buffer.baseAddress!
            let pij = edges + 6
            let pi = pij + 25
            let pj = pi + 5
            for k in 0..<35 { pij[k] = 0 }
            let nb = histogramEdges(y, bins: 5, into: edges)
            let scale = binScale(edges, nb)
            let samples = size - lag
            var b0 = binIndex(y[0], edges, nb, scale: scale)
            var b1 = binIndex(y[1], edges, nb, scale: scale)
            for t in 0..<samples {
                let b2 = binIndex(y[t + lag], edges, nb, scale: scale)
                if b0 >= 0 && b2 >= 0 { pij[b0 * 5 + b2] += 1 }
                (b0, b1) = (b1, b2)
            }
            var total = 0.0
            for j in 0..<nb {
                for i in 0..<nb { total += pij[i * 5 + j] }
            }
            for i in 0..<nb {
                for j in 0..<nb { pij[i * 5 + j] /= total }
            }
            for i in 0..<nb {
                for j in 0..<nb { pi[i] += pij[i * 5 + j] }
            }
            for j in 0..<nb {
                for i in 0..<nb { pj[j] += pij[i * 5 + j] }
            }
            var ami = 0.0
            var mxy = 0
            var mx = 0
            var my = 0
            for j in 0..<nb {
                for i in 0..<nb where pij[i * 5 + j] > 0 {
                    ami += pij[i * 5 + j] * log(pij[i * 5 + j] / pi[i] / pj[j])
                    mxy += 1
                }
            }
            for i in 0..<nb {
                if pi[i] > 0 { mx += 1 }
                if pj[i] > 0 { my += 1 }
            }
            ami -= Double(mxy - mx - my + 1) / (2.0 * Double(samples))
            return ami
        }
    }

    static func trev1(_ y: UnsafeBufferPointer<Double>, diffs: UnsafeMutablePointer<Double>) -> Double {
        let size = y.count
        if size < 2 { return .nan }
        for i in 0..<(size - 1) { diffs[i] = pow(y[i + 1] - y[i], 3) }
        return mean(UnsafeBufferPointer(start: diffs, count: size - 1))
    }

    @inline(__always)
    static func load4(_ p: UnsafePointer<Double>) -> SIMD4<Double> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Double>.self)
    }

    /// −½ log(max(1 − r², 10⁻¹²)) for the four lags lag0 … lag0 + 3, r the Pearson correlation
    /// of y[0 ..< n − lag] with y[lag ..< n] (catch22's `autocorr_lag`, each mean and sum in
    /// index order: one SIMD lane per lag). `prefix[k]` is the running sum of y[0 ..< k].
    static func gaussianAMI4(_ y: UnsafeBufferPointer<Double>, prefix: UnsafePointer<Double>, lag0: Int) -> SIMD4<
        Double
    > {
        let size = y.count
        let p = y.baseAddress!
        var counts = SIMD4<Double>(repeating: 0)
        var meanA = counts
        for u in 0..<4 {
            counts[u] = Double(size - lag0 - u)
            meanA[u] = prefix[size - lag0 - u]
        }
        meanA = meanA / counts
        let common = size - lag0 - 3
        var sumB = SIMD4<Double>(repeating: 0)
        for k in 0..<common { sumB += load4(p + lag0 + k) }
        for u in 0..<3 {
            for k in common..<(size - lag0 - u) { sumB[u] += p[lag0 + u + k] }
        }
        let meanB = sumB / counts
        var nom = SIMD4<Double>(repeating: 0)
        var da = nom
        var db = nom
        for i in 0..<common {
            let a = SIMD4(repeating: p[i]) - meanA
            let b = load4(p + i + lag0) - meanB
            nom += a * b
            da += a * a
            db += b * b
        }
        for u in 0..<3 {
            for i in common..<(size - lag0 - u) {
                let a = p[i] - meanA[u]
                let b = p[i + lag0 + u] - meanB[u]
                nom[u] += a * b
                da[u] += a * a
                db[u] += b * b
            }
        }
        var ami = SIMD4<Double>(repeating: 0)
        for u in 0..<4 {
            let r = nom[u] / (da[u] * db[u]).squareRoot()
            ami[u] = -0.5 * log(Double.maximum(1.0 - r * r, 1e-12))
        }
        return ami
    }

    static func gaussianAMIFirstMinimum(_ y: UnsafeBufferPointer<Double>) -> Double {
        let size = y.count
        let tau = min(40, (size + 1) / 2)
        if tau < 3 { return Double(tau) }
        var prefix = [Double](repeating: 0, count: size + 1)
        var ami = [Double](repeating: 0, count: 48) // ami[lag]
        return prefix.withUnsafeMutableBufferPointer { prefix -> Double in
            for i in 0..<size { prefix[i + 1] = prefix[i] + y[i] }
            var have = 0 // lags 1 … have are in `ami`
            func value(_ lag: Int) -> Double {
                while have < lag {
                    let block = gaussianAMI4(y, prefix: prefix.baseAddress!, lag0: have + 1)
                    for u in 0..<4 { ami[have + 1 + u] = block[u] }
                    have += 4
                }
                return ami[lag]
            }
            // lags up to tau + 3 ≤ 43 < size − 3 are computed: enough values for every lane
            var previous = value(1)
            var current = value(2)
            for i in 1..<(tau - 1) {
                let next = value(i + 2)
                if current < previous && current < next { return Double(i + 1) }
                previous = current
                current = next
            }
            return Double(tau)
        }
    }

    /// I₀(x) by its power series.
    static func besselI0(_ x: Double) -> Double {
        let halfX2 = (x / 2) * (x / 2)
        var term = 1.0
        var sum = 1.0
        for k in 1..<500 {
            term *= halfX2 / (Double(k) * Double(k))
            sum += term
            if term < sum * 1e-17 { break }
        }
        return sum
    }

    /// Kaiser-windowed (β = 5) sinc decimation by q, zero-phase, zeros beyond the ends; writes
    /// ⌈n/q⌉ values.
    static func resampleDown(_ y: UnsafeBufferPointer<Double>, _ q: Int, into out: UnsafeMutablePointer<Double>) -> Int
    {
        let size = y.count
        let k = 10 * q
        let taps = 2 * k + 1
        let count = (size + q - 1) / q
        let pi = 3.14159265358979323846
        let i0Beta = besselI0(5.0)
        var h = [Double](repeating: 0, count: taps)
        var hSum = 0.0
        for m in -k...k {
            let u = Double(m) / Double(q)
            let g = m == 0 ? 1.0 / Double(q) : sin(pi * u) / (pi * u) / Double(q)
            let r = Double(m) / Double(k)
            let w = besselI0(5.0 * (1 - r * r).squareRoot()) / i0Beta
            h[m + k] = g * w
            hSum += h[m + k]
        }
        for m in 0..<taps { h[m] /= hSum }
        h.withUnsafeBufferPointer { h in
            var i = 0
            while i < count {
                let centre = i * q
                if centre - k >= 0 && centre + 3 * q + k <= size - 1 && i + 4 <= count {
                    // four outputs whose taps all land inside: side by side, each in tap order
                    let base = y.baseAddress! + centre - k
                    var acc = (0.0, 0.0, 0.0, 0.0)
                    for u in 0..<taps {
                        let c = h[2 * k - u]
                        acc.0 += base[u] * c
                        acc.1 += base[q + u] * c
                        acc.2 += base[2 * q + u] * c
                        acc.3 += base[3 * q + u] * c
                    }
                    (out[i], out[i + 1], out[i + 2], out[i + 3]) = acc
                    i += 4
                } else {
                    var acc = 0.0
                    for j in max(centre - k, 0)...min(centre + k, size - 1) { acc += y[j] * h[centre - j + k] }
                    out[i] = acc
                    i += 1
                }
            }
        }
        return count
    }

    static func transitionMatrixSumDiagCov(
        _ y: UnsafeBufferPointer<Double>, acf: [Double], scratch: UnsafeMutablePointer<Double>,
        labels: UnsafeMutableBufferPointer<Int>
    ) -> Double {
        let size = y.count
        if !y.contains(where: { $0 != y[0] }) { return .nan } // z constant: a spread that overflowed
        var tau = size - 1
        for k in 1..<size where acf[k] < 0 {
            tau = k
            break
        }
        if tau > size / 50 { tau = size / 50 }
        let n: Int
        if tau > 1 {
            n = resampleDown(y, tau, into: scratch)
        } else {
            n = size
            for i in 0..<size { scratch[i] = y[i] }
        }
        if n < 2 { return .nan }
        let down = Array(UnsafeBufferPointer(start: scratch, count: n))
        let thresholds = terciles(selectingFrom: scratch, count: n)
        down.withUnsafeBufferPointer { coarseGrain3($0, thresholds, into: labels) }
        var t = [Double](repeating: 0, count: 16)
        for j in 0..<(n - 1) { t[labels[j] * 4 + labels[j + 1]] += 1 }
        for i in 0..<16 { t[i] /= Double(n - 1) }
        var sum = 0.0
        for j in 1...3 {
            let c0 = t[4 + j]
            let c1 = t[8 + j]
            let c2 = t[12 + j]
            let m = ((0.0 + c0) + c1 + c2) / 3
            let d0 = c0 - m
            let d1 = c1 - m
            let d2 = c2 - m
            sum += (0.0 + d0 * d0 + d1 * d1 + d2 * d2) / Double(3 - 1)
        }
        return sum
    }

    /// catch22's least-squares cubic spline with breaks 0, ⌊n/2⌋ − 1, n − 1 (Lundgren's
    /// SPLINEFIT as ported by catch22: B-spline basis by recursive antiderivatives, normal
    /// equations by Gaussian elimination without pivoting).
    static func splineFit(_ y: UnsafeBufferPointer<Double>, into out: UnsafeMutablePointer<Double>) {
        let size = y.count
        let breaks = [0, Int((Double(size) / 2.0).rounded(.down)) - 1, size - 1]
        let h0 = [breaks[1] - breaks[0], breaks[2] - breaks[1]]
        let hCopy = [h0[0], h0[1], h0[0], h0[1]]
        let hl = [hCopy[3], hCopy[2], hCopy[1]]
        let hr = [hCopy[0], hCopy[1], hCopy[2]]
        let bl = [breaks[0] - hl[0], breaks[0] - hl[0] - hl[1], breaks[0] - hl[0] - hl[1] - hl[2]]
        let br = [breaks[2] + hr[0], breaks[2] + hr[0] + hr[1], breaks[2] + hr[0] + hr[1] + hr[2]]
        let breaksExt = [bl[2], bl[1], bl[0]] + breaks + br
        let hExt = (0..<8).map { breaksExt[$0 + 1] - breaksExt[$0] }

        // coefs[l][j] at l * 4 + j: 32 pieces, 4 coefficients
        var coefs = [Double](repeating: 0, count: 32 * 4)
        for i in stride(from: 0, to: 32, by: 4) { coefs[i * 4] = 1 }
        let h = (0..<32).map { Double(hExt[min($0 % 4 + $0 / 4, 7)]) }
        var q = [Double](repeating: 0, count: 4 * 8) // q[r][c] at r * 8 + c
        for k in 1..<4 {
            for j in 0..<k {
                for l in 0..<32 { coefs[l * 4 + j] *= h[l] / Double(k - j) }
            }
            for l in 0..<32 {
                var s = 0.0
                for m in 0..<4 { s += coefs[l * 4 + m] }
                q[(l % 4) * 8 + l / 4] = s
            }
            for l in 0..<8 {
                for m in 1..<4 { q[m * 8 + l] += q[(m - 1) * 8 + l] }
            }
            for l in 0..<32 { coefs[l * 4 + k] = l % 4 == 0 ? 0 : q[(l % 4 - 1) * 8 + l / 4] }
            for j in 0...k {
                for l in 0..<32 { coefs[l * 4 + j] /= q[3 * 8 + l / 4] }
            }
            for i in 0..<(32 - 3) {
                for j in 0...k { coefs[i * 4 + j] -= coefs[(3 + i) * 4 + j] }
            }
            for i in stride(from: 0, to: 32, by: 4) { coefs[i * 4 + k] = 0 }
        }
        var scale = [Double](repeating: 1, count: 32)
        for k in 0..<3 {
            for i in 0..<32 { scale[i] /= h[i] }
            for i in 0..<32 { coefs[i * 4 + (3 - (k + 1))] *= scale[i] }
        }
        // The pieces' polynomials: rows 3, 6, 9, 12 (first piece) and 7, 10, 13, 16 (second).
        var coefsOut = [Double](repeating: 0, count: 8 * 4)
        for i in 0..<8 {
            let row = 4 * (1 + i / 4) + 3 * (i % 4) - 1
            for j in 0..<4 { coefsOut[i * 4 + j] = coefs[row * 4 + j] }
        }

        // Normal equations AᵀA x = Aᵀy of the design matrix A (size × 5: four B-splines per
        // point, in columns 0–3 before the break and 1–4 after), summed over the points in
        // order. A row's zero entries add ±0 to sums that are never −0, so only its four
        // columns are visited; AᵀA is symmetric product for product, so its upper half is summed.
        var ata = [Double](repeating: 0, count: 25)
        var aty = [Double](repeating: 0, count: 5)
        ata.withUnsafeMutableBufferPointer { ata in
            aty.withUnsafeMutableBufferPointer { aty in
                coefsOut.withUnsafeBufferPointer { c in
                    var breakInd = 1
                    for i in 0..<size {
                        if i >= breaks[breakInd] && breakInd < 2 { breakInd += 1 }
                        let xs = Double(i - breaks[breakInd - 1])
                        let lo = i >= breaks[1] ? 1 : 0
                        let rows = c.baseAddress! + (breakInd - 1) * 16
                        var v = (0.0, 0.0, 0.0, 0.0)
                        v.0 = ((rows[0] * xs + rows[1]) * xs + rows[2]) * xs + rows[3]
                        v.1 = ((rows[4] * xs + rows[5]) * xs + rows[6]) * xs + rows[7]
                        v.2 = ((rows[8] * xs + rows[9]) * xs + rows[10]) * xs + rows[11]
                        v.3 = ((rows[12] * xs + rows[13]) * xs + rows[14]) * xs + rows[15]
                        let a = ata.baseAddress! + lo * 6
                        let b = aty.baseAddress! + lo
                        a[0] += v.0 * v.0
                        a[1] += v.0 * v.1
                        a[2] += v.0 * v.2
                        a[3] += v.0 * v.3
                        a[6] += v.1 * v.1
                        a[7] += v.1 * v.2
                        a[8] += v.1 * v.3
                        a[12] += v.2 * v.2
                        a[13] += v.2 * v.3
                        a[18] += v.3 * v.3
                        b[0] += v.0 * y[i]
                        b[1] += v.1 * y[i]
                        b[2] += v.2 * y[i]
                        b[3] += v.3 * y[i]
                    }
                }
            }
        }
        for i in 0..<5 {
            for j in 0..<i { ata[i * 5 + j] = ata[j * 5 + i] }
        }
        for i in 0..<5 {
            for j in (i + 1)..<5 {
                let factor = ata[j * 5 + i] / ata[i * 5 + i]
                aty[j] = aty[j] - factor * aty[i]
                for k in i..<5 { ata[j * 5 + k] = ata[j * 5 + k] - factor * ata[i * 5 + k] }
            }
        }
        var x = [Double](repeating: 0, count: 5)
        for i in stride(from: 4, through: 0, by: -1) {
            var t = aty[i]
            for j in (i + 1)..<5 { t -= x[j] * ata[i * 5 + j] }
            x[i] = t / ata[i * 5 + i]
        }

        // Piece polynomials: spline[piece][power] = Σ_i C[i][j] x[i], j = power·2 + piece.
        var cMatrix = [Double](repeating: 0, count: 5 * 8)
        for i in 0..<32 { cMatrix[(i % 4 + (i / 4) % 2) * 8 + i / 4] = coefsOut[(i % 8) * 4 + i / 8] }
        var spline = [Double](repeating: 0, count: 8)
        for j in 0..<8 {
            var s = 0.0
            for i in 0..<5 { s += cMatrix[i * 8 + j] * x[i] }
            spline[(j % 2) * 4 + j / 2] = s
        }
        for j in 0..<size {
            let piece = j < breaks[1] ? 0 : 1
            let t = Double(j - breaks[1] * piece)
            var v = spline[piece * 4]
            for p in 1..<4 { v = v * t + spline[piece * 4 + p] }
            out[j] = v
        }
    }

    /// acf[t − 1] = Σ_i y_i y_i+t / (n − t) for t in lo...hi, each sum in order of i; sixteen
    /// lags at a time, one SIMD lane each.
    static func autocovariances(
        _ y: UnsafePointer<Double>, _ n: Int, lags lo: Int, through hi: Int, into acf: UnsafeMutablePointer<Double>
    ) {
        var t = lo
        while t + 15 <= hi {
            let common = max(n - (t + 15), 0)
            var a0 = SIMD4<Double>(repeating: 0)
            var a1 = a0
            var a2 = a0
            var a3 = a0
            for i in 0..<common {
                let v = SIMD4(repeating: y[i])
                let w = y + i + t
                a0 += v * load4(w)
                a1 += v * load4(w + 4)
                a2 += v * load4(w + 8)
                a3 += v * load4(w + 12)
            }
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 16) { a in
                for u in 0..<4 {
                    a[u] = a0[u]
                    a[4 + u] = a1[u]
                    a[8 + u] = a2[u]
                    a[12 + u] = a3[u]
                }
                for u in 0..<16 {
                    for i in common..<max(n - t - u, common) { a[u] += y[i] * y[i + t + u] }
                    acf[t - 1 + u] = a[u] / Double(n - t - u)
                }
            }
            t += 16
        }
        while t <= hi {
            var a = 0.0
            for i in 0..<(n - t) { a += y[i] * y[i + t] }
            acf[t - 1] = a / Double(n - t)
            t += 1
        }
    }

    static func periodicityWang(_ y: UnsafeBufferPointer<Double>) -> Double {
        let size = y.count
        let acmax = Int((Double(size) / 3).rounded(.up))
        if acmax < 3 { return 0 }
        var work = [Double](repeating: 0, count: size + acmax)
        return work.withUnsafeMutableBufferPointer { work -> Double in
            let sub = work.baseAddress!
            let acf = sub + size
            splineFit(y, into: sub)
            for i in 0..<size { sub[i] = y[i] - sub[i] }
            var have = 0
            var lastTrough = -1
            for i in 1...(acmax - 2) {
                if have < i + 2 {
                    let upto = min(max(i + 2, have + 32), acmax)
                    autocovariances(sub, size, lags: have + 1, through: upto, into: acf)
                    have = upto
                }
                let slopeIn = acf[i] - acf[i - 1]
                let slopeOut = acf[i + 1] - acf[i]
                if slopeIn < 0 && slopeOut > 0 {
                    lastTrough = i
                } else if slopeIn > 0 && slopeOut < 0 {
                    if lastTrough < 0 || acf[i] - acf[lastTrough] < 0.01 || acf[i] < 0 { continue }
                    return Double(i + 1)
                }
            }
            return 0
        }
    }

    /// hctsa's 'auto' bin count, max(Sturges, Freedman–Diaconis) within 1 … n (the IQR by
    /// MATLAB's percentile convention; a (reordered) copy of the values in `a`).
    static func autoBinCount(_ a: UnsafeMutablePointer<Double>, count size: Int, min lo: Double, max hi: Double) -> Int
    {
        let range = hi - lo
        let maxAbs = Double.maximum(abs(hi), abs(lo))
        let sturges = (log2(Double(size)) + 1).rounded(.up)
        var positions: [(rank: Int, frac: Double)] = []
        var ranks: [Int] = []
        for p in [0.25, 0.75] {
            let r = Double(size) * p - 0.5
            if r <= 0 {
                positions.append((0, 0))
                ranks.append(0)
            } else if r >= Double(size - 1) {
                positions.append((size - 1, 0))
                ranks.append(size - 1)
            } else {
                let i = Int(r.rounded(.down))
                positions.append((i, r - Double(i)))
                ranks.append(i)
                if r - Double(i) != 0 { ranks.append(i + 1) }
            }
        }
        ranks.sort()
        let values = orderStatistics(a, count: size, ranks: ranks)
        func value(_ r: Int) -> Double { values[ranks.firstIndex(of: r)!] }
        let q = positions.map { p in
            p.frac == 0 ? value(p.rank) : value(p.rank) + p.frac * (value(p.rank + 1) - value(p.rank))
        }
        let iqr = q[1] - q[0]
        var width = 0.0
        if range > 0 && iqr > 1e-12 * maxAbs { width = 2 * iqr * pow(Double(size), -1.0 / 3.0) }
        let fd = width > 0 ? (range / width).rounded(.up) : sturges
        return cInt(Double.maximum(1, Double.minimum(Double.maximum(sturges, fd), Double(size))))
    }

    static func embed2DistExpFitMeanDiff(_ y: UnsafeBufferPointer<Double>, acf: [Double]) -> Double {
        let size = y.count
        var tau = 0
        while acf[tau] > 0 && tau < size { tau += 1 }
        if Double(tau) > Double(size) / 10 { tau = Int((Double(size) / 10).rounded(.down)) }
        let n = size - tau - 1
        if n < 1 { return .nan }
        var work = [Double](repeating: 0, count: 2 * n)
        return work.withUnsafeMutableBufferPointer { work -> Double in
            let d = work.baseAddress!
            let copy = d + n
            for i in 0..<n {
                let a = y[i + 1] - y[i]
                let b = y[i + tau + 1] - y[i + tau]
                d[i] = (a * a + b * b).squareRoot()
                if d[i].isNaN { return .nan }
                copy[i] = d[i]
            }
            let ds = UnsafeBufferPointer(start: d, count: n)
            let (lo, hi) = extremes(ds)
            if hi - lo <= 1e-12 * hi { return .nan }
            let l = mean(ds)
            let bins = autoBinCount(copy, count: n, min: lo, max: hi)
            guard bins >= 1 else { return .nan }
            var edges = [Double](repeating: 0, count: bins + 1)
            var counts = [Int](repeating: 0, count: bins)
            edges.withUnsafeMutableBufferPointer { e in
                _ = histogramEdges(ds, bins: bins, into: e.baseAddress!)
                let scale = binScale(e.baseAddress!, bins)
                for v in ds {
                    let b = binIndex(v, e.baseAddress!, bins, scale: scale)
                    if b >= 0 { counts[b] += 1 }
                }
            }
            var sum = 0.0
            for i in 0..<bins {
                let pdf = Double(counts[i]) / (Double(n) * (edges[i + 1] - edges[i]))
                let centre = (edges[i] + edges[i + 1]) / 2
                let expected = (1 / l) * exp(-centre / l)
                sum += abs(pdf - expected)
            }
            return sum / Double(bins)
        }
    }

    /// hctsa's SC_FluctAnal(z, 2, 'rsrangefit' | 'dfa', 50, lag, …, true).prop_r1.
    static func fluctuationPropR1(_ y: UnsafeBufferPointer<Double>, lag: Int, dfa: Bool) -> Double {
        let size = y.count
        let ny = (size + lag - 1) / lag
        if ny < 10 { return .nan }
        let steps = 50
        let linLow = log(5.0)
        let linHigh = log(Double(ny / 2))
        var taus = (0..<steps).map { i in
            cInt(exp(linLow + Double(i) * (linHigh - linLow) / Double(steps - 1)).rounded())
        }
        taus[steps - 1] = ny / 2
        taus.sort()
        var unique: [Int] = []
        for t in taus where unique.last != t { unique.append(t) }
        let nTau = unique.count
        if nTau < 8 { return .nan }
        guard unique[0] >= 1 else { return .nan }

        var logtt = [Double](repeating: 0, count: nTau)
        var logFF = [Double](repeating: 0, count: nTau)
        var cs = [Double](repeating: 0, count: ny)
        var sums = [Double](repeating: 0, count: 5 * ny)
        cs.withUnsafeMutableBufferPointer { cs in
            sums.withUnsafeMutableBufferPointer { sums in
                let sumxy = sums.baseAddress!
                let sumy = sumxy + ny
                let xs = sumy + ny // xs[k] = k + 1
                let slope = xs + ny
                let intercept = slope + ny
                for k in 0..<ny { xs[k] = Double(k + 1) }
                cs[0] = y[0]
                for i in 1..<ny { cs[i] = cs[i - 1] + y[i * lag] }
                for (index, t) in unique.enumerated() {
                    // linreg's Σx and Σx² over x = 1…t are the same for every window.
                    var sumx = 0.0
                    var sumx2 = 0.0
                    for k in 0..<t {
                        let x = Double(k + 1)
                        sumx += x
                        sumx2 += x * x
                    }
                    let denom = Double(t) * sumx2 - sumx * sumx
                    let windows = ny / t
                    // Σxy and Σy of each window, four windows side by side (each sum in order).
                    var j = 0
                    while j < windows {
                        let w = cs.baseAddress! + j * t
                        if j + 4 <= windows {
                            var xy = (0.0, 0.0, 0.0, 0.0)
                            var sy = (0.0, 0.0, 0.0, 0.0)
                            for k in 0..<t {
                                let x = xs[k]
                                let v = (w[k], w[t + k], w[2 * t + k], w[3 * t + k])
                                xy.0 += x * v.0
                                xy.1 += x * v.1
                                xy.2 += x * v.2
                                xy.3 += x * v.3
                                sy.0 += v.0
                                sy.1 += v.1
                                sy.2 += v.2
                                sy.3 += v.3
                            }
                            (sumxy[j], sumxy[j + 1], sumxy[j + 2], sumxy[j + 3]) = xy
                            (sumy[j], sumy[j + 1], sumy[j + 2], sumy[j + 3]) = sy
                            j += 4
                        } else {
                            var xy = 0.0
                            var sy = 0.0
                            for k in 0..<t {
                                xy += xs[k] * w[k]
                                sy += w[k]
                            }
                            sumxy[j] = xy
                            sumy[j] = sy
                            j += 1
                        }
                    }
                    // linreg's slope and intercept of each window
                    for j in 0..<windows {
                        if denom != 0 {
                            slope[j] = (Double(t) * sumxy[j] - sumx * sumy[j]) / denom
                            intercept[j] = (sumy[j] * sumx2 - sumx * sumxy[j]) / denom
                        } else {
                            (slope[j], intercept[j]) = (0, 0)
                        }
                    }
                    var f = 0.0
                    if dfa {
                        for j in 0..<windows {
                            let w = cs.baseAddress! + j * t
                            let m = slope[j]
                            let b = intercept[j]
                            for k in 0..<t {
                                let r = w[k] - (m * xs[k] + b)
                                f += r * r
                            }
                        }
                    } else {
                        // the detrended ranges, four windows side by side; F summed in window order
                        var j = 0
                        while j + 4 <= windows {
                            let m = SIMD4(slope[j], slope[j + 1], slope[j + 2], slope[j + 3])
                            let b = SIMD4(intercept[j], intercept[j + 1], intercept[j + 2], intercept[j + 3])
                            let w0 = cs.baseAddress! + j * t
                            let w1 = w0 + t
                            let w2 = w1 + t
                            let w3 = w2 + t
                            var lo = SIMD4(w0[0], w1[0], w2[0], w3[0]) - (m * xs[0] + b)
                            var hi = lo
                            for k in 1..<t {
                                let r = SIMD4(w0[k], w1[k], w2[k], w3[k]) - (m * xs[k] + b)
                                lo.replace(with: r, where: r .< lo)
                                hi.replace(with: r, where: r .> hi)
                            }
                            let range = hi - lo
                            f += range[0] * range[0]
                            f += range[1] * range[1]
                            f += range[2] * range[2]
                            f += range[3] * range[3]
                            j += 4
                        }
                        while j < windows {
                            let w = cs.baseAddress! + j * t
                            let m = slope[j]
                            let b = intercept[j]
                            var lo = w[0] - (m * xs[0] + b)
                            var hi = lo
                            for k in 1..<t {
                                let r = w[k] - (m * xs[k] + b)
                                lo = r < lo ? r : lo
                                hi = r > hi ? r : hi
                            }
                            f += (hi - lo) * (hi - lo)
                            j += 1
                        }
                    }
                    f = dfa ? (f / Double(windows * t)).squareRoot() : (f / Double(windows)).squareRoot()
                    logtt[index] = log(Double(t))
                    logFF[index] = log(f)
                }
            }
        }

        let minPoints = cInt(Double.maximum(8, (0.25 * Double(nTau)).rounded()))
        if nTau < 2 * minPoints { return .nan }
        return logtt.withUnsafeBufferPointer { tt in
            logFF.withUnsafeBufferPointer { ff in
                func sse(_ from: Int, _ count: Int) -> Double {
                    let x = tt.baseAddress! + from
                    let y = ff.baseAddress! + from
                    let fit = lineFit(count, x, y)
                    var s = 0.0
                    for i in 0..<count {
                        let e = fit.m * x[i] + fit.b - y[i]
                        s += e * e
                    }
                    return s
                }
                let splits = nTau - 2 * minPoints + 1
                var errors = [Double](repeating: 0, count: splits)
                var minError = Double.infinity
                for s in 0..<splits {
                    let i = minPoints + s
                    errors[s] = (sse(0, i) + sse(i - 1, nTau - i + 1)) / Double(nTau)
                    if errors[s] < minError { minError = errors[s] }
                }
                for s in 0..<splits where errors[s] <= minError * (1 + 1e-9) {
                    return Double(minPoints + s) / Double(nTau)
                }
                return Double(minPoints) / Double(nTau)
            }
        }
    }
}
