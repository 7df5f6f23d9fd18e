import Foundation

/// P7: TSFEL's spectral- and temporal-domain features of one series, by the definitions of
/// `tsfel.feature_extraction.features` in TSFEL 0.2.0 (numpy 2.4.6, scipy 1.17.1, statsmodels
/// 0.15.0), each function called on the series' present values in draw order.
///
/// Sampling frequency: the draws are treated as an evenly spaced signal with `fs = 1` (one
/// sample per draw), so frequencies are in cycles per draw, from 0 to 0.5, and times are draw
/// indices 0, 1, …, n − 1. TSFEL's frequency axis is numpy's `rfftfreq(n, d = 1 / fs)`:
/// f_k = k · (1 / n) for k = 0 … ⌊n / 2⌋ (the rounded 1 / n times k, not k / n), and its spectrum
/// `calc_fft` is |`numpy.fft.rfft(x)`|, the magnitudes of the one-sided DFT of the raw series:
/// no window, no normalisation, and the zero-frequency bin (k = 0, n · mean) **included**, so
/// the spectral shape of a lottery series is dominated by its mean. Only `fundamental_frequency`
/// and `spectral_entropy` subtract the mean first (their bin 0 is then rounding noise), and
/// `power_bandwidth` uses scipy's Welch estimate (which removes the mean itself).
///
/// The FFT is a line-by-line port of numpy's pocketfft real transform (`rfftp`, radix 2, 3, 4,
/// 5 and generic passes, with its twiddle tables), so every bin agrees with numpy to the bit on
/// the lengths numpy transforms with `rfftp`. For lengths whose largest prime factor p has
/// p² > n and for which pocketfft's cost model prefers Bluestein's algorithm (e.g. prime n ≥ 50),
/// numpy uses Bluestein; here the generic pass handles p directly (O(n · p), about 2M
/// multiply-adds for a prime n near 2,000), which agrees with numpy to about 1e-13 of the
/// largest bin, not to the bit (see `spectral_entropy` for the one place this matters).
/// Sums follow numpy's pairwise summation where TSFEL calls `np.sum`/`np.mean`, so threshold
/// decisions (roll-off, roll-on, maximum and median frequency) see numpy's exact values.
///
/// Columns (TSFEL function → column), all float:
/// - `spectral_centroid` → `stat_spec_centroid`: Σ f_k · p_k with p_k = |X_k| / Σ|X|.
/// - `spectral_spread` → `stat_spec_spread`: (Σ (f_k − centroid)² p_k)^0.5.
/// - `spectral_skewness`, `spectral_kurtosis` → `stat_spec_skewness`, `stat_spec_kurtosis`:
///   Σ (f_k − centroid)^3 p_k / spread³ and Σ (f_k − centroid)^4 p_k / spread⁴ (no excess −3).
/// - `spectral_slope` → `stat_spec_slope`: the least-squares slope of |X_k| on f_k divided by
///   Σ|X|: (M Σ f|X| − Σf Σ|X|) / Σ|X| / (M Σf² − (Σf)²), M = ⌊n / 2⌋ + 1 bins.
/// - `spectral_decrease` → `stat_spec_decrease`: Σ_{k≥1} (|X_k| − |X_0|) / k / Σ_{k≥1} |X_k|.
/// - `spectral_roll_off`, `spectral_roll_on` → `stat_spec_rolloff`, `stat_spec_rollon`: the
///   first f_k where the running sum of |X| reaches 0.95 (0.05) of Σ|X|.
/// - `spectral_entropy` → `stat_spec_entropy`: of the spectrum of x − mean(x): with
///   P_k = |X_k|² / Σ|X|², −Σ P_k log₂ P_k / log₂(K) over the K bins with P_k ≠ 0, 0 when K = 1.
///   K counts exact zeros the way numpy's FFT produces them (bin 0 is exactly 0 for some
///   lengths and values, e.g. when the mean is exact, which changes log₂ K). On Bluestein
///   lengths numpy's bins are never exactly 0, so every bin counts there.
/// - `max_frequency`, `median_frequency` → `stat_spec_max_freq`, `stat_spec_median_freq`: the
///   first f_k where the running sum of |X| exceeds 0.95 (0.5) of its last value.
/// - `fundamental_frequency` → `stat_spec_fundamental_freq`: on |X| of x − mean(x), the lowest
///   f_k of scipy's `find_peaks` (strict local maxima, a flat top counted at its middle, never
///   at either end) whose height is at least 0.3 · max |X|; 0 when there is none.
/// - `power_bandwidth` → `stat_spec_power_bandwidth`: on scipy's `welch(x / std(x), fs = 1,
///   nperseg = n)` (one periodic-Hann segment, mean removed, density scaling, inner bins
///   doubled), |f_upper − f_lower| where f_lower is the first bin whose running power reaches
///   0.95 of the total and f_upper the first such bin counting down from the top.
/// - `autocorr` → `stat_temp_autocorr`: the first lag k ≥ 1 where statsmodels'
///   `acf(x, adjusted = True, nlags = ⌊n / 3⌋)` (autocovariance divided by n − k) drops below
///   1/e; TSFEL returns 1 for a constant series.
/// - `calc_centroid` → `stat_temp_centroid`: Σ t x_t² / Σ x_t², t = 0 … n − 1; 0 when Σ t x_t²
///   is 0 (only x_0 nonzero).
/// - `mean_abs_diff`, `median_abs_diff` → `stat_temp_mean_abs_diff`, `stat_temp_median_abs_diff`:
///   mean and median of |x_{t+1} − x_t|.
/// - `distance` → `stat_temp_distance`: Σ √(1 + (x_{t+1} − x_t)²) (0 for one value).
/// - `slope` → `stat_temp_slope`: `np.polyfit(t, x, 1)[0]`, the least-squares slope on t, here in
///   closed form Σ (t − t̄) x_t / Σ (t − t̄)² (exact for integer draws; polyfit's SVD agrees to
///   about 1e-15).
/// - `zero_cross` → `stat_temp_zero_cross`: the number of t where sign(x_{t+1}) ≠ sign(x_t)
///   (sign 0 for 0).
/// - `positive_turning` → `stat_temp_positive_turning`: the number of t with
///   x_t − x_{t−1} > 0 and x_{t+1} − x_t < 0.
/// - `pk_pk_distance` → `stat_temp_pk_pk_distance`: max − min.
/// - `auc` → `stat_temp_auc`: the trapezoid sum Σ 0.5 · |x_t + x_{t+1}| (0 for one value).
///
/// NULL (`Double.nan`): every column for an empty series; non-finite values are dropped first.
/// Where TSFEL divides by zero it guards with a made-up 0 (or, on a constant series whose mean
/// is not exact, gets rounding noise over rounding noise); this enum returns NULL there instead:
/// - a constant series (which includes a single value): spectral skewness, kurtosis, decrease
///   (TSFEL: 0, the spread and Σ_{k≥1}|X_k| being 0), entropy and power bandwidth (TSFEL: 0, no
///   power outside bin 0). Its spectrum is exactly n·|c| at f = 0: centroid, spread, roll-off,
///   roll-on, maximum, median and fundamental frequency are 0, as TSFEL computes them when the
///   mean is exact (integer draws), and spectral slope is −Σf / (M Σf² − (Σf)²).
/// - an all-zero series (Σ|X| = 0): also spectral centroid, spread, slope and the temporal
///   centroid (TSFEL: 0).
/// - one value: spectral slope (M = 1, TSFEL: 0), mean and median absolute difference (numpy:
///   mean/median of nothing, NaN) and temporal slope (polyfit fails).
/// - autocorr when no lag up to ⌊n / 3⌋ drops below 1/e (TSFEL: None), e.g. always for n = 2.
///
/// Not computed: `negative_turning` and the other TSFEL features (none has a column).
public enum SpectralFeatures {
    /// Columns, in order.
    public static let columns = [
        "stat_spec_centroid", "stat_spec_spread", "stat_spec_skewness", "stat_spec_kurtosis", "stat_spec_slope",
        "stat_spec_decrease", "stat_spec_rolloff", "stat_spec_rollon", "stat_spec_entropy", "stat_spec_max_freq",
        "stat_spec_median_freq", "stat_spec_fundamental_freq", "stat_spec_power_bandwidth",
        "stat_temp_autocorr", "stat_temp_centroid", "stat_temp_mean_abs_diff", "stat_temp_median_abs_diff",
        "stat_temp_distance", "stat_temp_slope", "stat_temp_zero_cross", "stat_temp_positive_turning",
        "stat_temp_pk_pk_distance", "stat_temp_auc",
    ]

    /// The features of `y`, the series' present values in draw order (non-finite values are
    /// dropped), one value per column, NaN for NULL.
    public static func compute(_ y: [Double]) -> [Double] {
        let x = y.filter { $0.isFinite }
        guard !x.isEmpty else { return [Double](repeating: .nan, count: columns.count) }
        let plan = PocketRealFFT(length: x.count)
        return spectral(x, plan) + temporal(x)
    }

    // MARK: - Spectral domain

    /// The 13 spectral columns.
    static func spectral(_ x: [Double], _ plan: PocketRealFFT) -> [Double] {
        let n = x.count
        let bins = n / 2 + 1
        let step = 1.0 / Double(n)
        let f = (0..<bins).map { Double($0) * step }
        if x.allSatisfy({ $0 == x[0] }) { return constantSpectral(x[0], n: n, f: f) }

        let magnitude = plan.magnitudes(x)
        let total = pairwiseSum(magnitude)
        let p = magnitude.map { $0 / total }
        let centroid = dot(f, p)
        let spread = Foundation.pow(dot(f.map { ($0 - centroid) * ($0 - centroid) }, p), 0.5)
        var moments = [Double](repeating: .nan, count: 2)
        if spread != 0 {
            for (index, power) in [3.0, 4.0].enumerated() {
                let terms = zip(f, p).map { Foundation.pow($0 - centroid, power) * $1 }
                moments[index] = pairwiseSum(terms) / Foundation.pow(spread, power)
            }
        }
        var out = [centroid, spread, moments[0], moments[1]]
        out.append(spectralSlope(magnitude, f, total))
        out.append(spectralDecrease(magnitude))
        var running = magnitude
        for k in 1..<bins { running[k] = running[k - 1] + running[k] }
        let rollOff = running.firstIndex { $0 >= 0.95 * total }
        let rollOn = running.firstIndex { $0 >= 0.05 * total }
        out += [rollOff.map { f[$0] } ?? .nan, rollOn.map { f[$0] } ?? .nan]

        let mean = pairwiseSum(x) / Double(n)
        let centred = plan.magnitudes(x.map { $0 - mean })
        out.append(spectralEntropy(centred, exactZeros: !plan.numpyUsesBluestein))
        for share in [0.95, 0.5] {
            let last = running[bins - 1]
            let index = running.firstIndex { $0 > last * share } ?? firstMaximum(running)
            out.append(f[index])
        }
        out.append(fundamentalFrequency(centred, f))
        out.append(powerBandwidth(x, plan, f))
        return out
    }

    /// A constant series c: |X| = (n |c|, 0, …, 0) exactly (modulo the NULL rules above).
    static func constantSpectral(_ c: Double, n: Int, f: [Double]) -> [Double] {
        let nan = Double.nan
        guard c != 0 else { return [nan, nan, nan, nan, nan, nan, 0, 0, nan, 0, 0, 0, nan] }
        var magnitude = [Double](repeating: 0, count: f.count)
        magnitude[0] = Double(n) * abs(c)
        let slope = spectralSlope(magnitude, f, magnitude[0])
        return [0, 0, nan, nan, slope, nan, 0, 0, nan, 0, 0, 0, nan]
    }

    /// `spectral_slope`; NULL when Σ|X| = 0 or M Σf² = (Σf)² (a single bin).
    static func spectralSlope(_ magnitude: [Double], _ f: [Double], _ total: Double) -> Double {
        let count = Double(f.count)
        let sumF = pairwiseSum(f)
        let denominator = count * pairwiseSum(f.map { $0 * $0 }) - sumF * sumF
        guard total != 0, denominator != 0 else { return .nan }
        let weighted = pairwiseSum(zip(f, magnitude).map { $0 * $1 })
        return (1 / total) * (count * weighted - sumF * total) / denominator
    }

    /// `spectral_decrease`; NULL when Σ_{k≥1}|X_k| = 0.
    static func spectralDecrease(_ magnitude: [Double]) -> Double {
        let band = Array(magnitude.dropFirst())
        let bandTotal = pairwiseSum(band)
        guard bandTotal != 0 else { return .nan }
        let terms = band.enumerated().map { ($1 - magnitude[0]) / Double($0 + 1) }
        return (1 / bandTotal) * pairwiseSum(terms)
    }

    /// `spectral_entropy` of the mean-removed magnitudes; NULL without power. `exactZeros`:
    /// drop the bins that are exactly 0 (numpy's rfftp lengths); otherwise count every bin.
    static func spectralEntropy(_ magnitude: [Double], exactZeros: Bool) -> Double {
        let power = magnitude.map { $0 * $0 }
        let total = pairwiseSum(power)
        guard total != 0 else { return .nan }
        let probability = power.map { $0 / total }.filter { $0 != 0 }
        let count = exactZeros ? probability.count : power.count
        guard count > 1 else { return 0 }
        return -pairwiseSum(probability.map { $0 * Foundation.log2($0) }) / Foundation.log2(Double(count))
    }

    /// `fundamental_frequency`: the lowest `find_peaks` peak at least 0.3 · max high, else 0.
    static func fundamentalFrequency(_ magnitude: [Double], _ f: [Double]) -> Double {
        guard let top = magnitude.max() else { return 0 }
        let height = top * 0.3
        var i = 1
        let last = magnitude.count - 1
        while i < last {
            if magnitude[i - 1] < magnitude[i] {
                var ahead = i + 1
                while ahead < last && magnitude[ahead] == magnitude[i] { ahead += 1 }
                if magnitude[ahead] < magnitude[i] {
                    let peak = (i + ahead - 1) / 2
                    if magnitude[peak] >= height { return f[peak] }
                    i = ahead
                }
            }
            i += 1
        }
        return 0
    }

    /// `power_bandwidth` on scipy's one-segment Welch estimate of x / std(x).
    static func powerBandwidth(_ x: [Double], _ plan: PocketRealFFT, _ f: [Double]) -> Double {
        let n = x.count
        let mean = pairwiseSum(x) / Double(n)
        let std = (pairwiseSum(x.map { ($0 - mean) * ($0 - mean) }) / Double(n)).squareRoot()
        let z = std == 0 ? x : x.map { $0 / std }
        let zMean = pairwiseSum(z) / Double(n)
        let windowed = z.enumerated().map { t, value in
            (value - zMean) * (0.5 - 0.5 * Foundation.cos(2 * Double.pi * Double(t) / Double(n)))
        }
        let spectrum = plan.transform(windowed)
        let bins = f.count
        var power = [Double](repeating: 0, count: bins)
        power[0] = spectrum[0] * spectrum[0]
        for k in 1..<max(bins, 1) {
            let re = spectrum[2 * k - 1]
            let im = 2 * k < n ? spectrum[2 * k] : 0
            power[k] = (re * re + im * im) * (2 * k == n ? 1 : 2)
        }
        var cumulative = power
        for k in 1..<max(bins, 1) { cumulative[k] = cumulative[k - 1] + cumulative[k] }
        let total = cumulative[bins - 1]
        guard total != 0 else { return .nan }
        var fromTop = 0.0
        var upper = bins - 1
        for k in stride(from: bins - 1, through: 0, by: -1) {
            fromTop += power[k]
            if fromTop >= total * 0.95 {
                upper = k
                break
            }
        }
        guard let lower = cumulative.firstIndex(where: { $0 >= total * 0.95 }) else { return .nan }
        return abs(f[upper] - f[lower])
    }

    // MARK: - Temporal domain

    /// The 10 temporal columns.
    static func temporal(_ x: [Double]) -> [Double] {
        let n = x.count
        let differences = zip(x.dropFirst(), x).map { $0 - $1 }
        let absolute = differences.map { abs($0) }
        var out = [autocorrelationLag(x), temporalCentroid(x)]
        if n > 1 {
            out.append(pairwiseSum(absolute) / Double(n - 1))
            let sorted = absolute.sorted()
            let middle = (n - 1) / 2
            out.append((n - 1) % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2)
        } else {
            out += [.nan, .nan]
        }
        out.append(pairwiseSum(differences.map { (1 + $0 * $0).squareRoot() }))
        out.append(n > 1 ? temporalSlope(x) : .nan)
        var crossings = 0
        for t in 1..<max(n, 1) where sign(x[t]) != sign(x[t - 1]) { crossings += 1 }
        var turning = 0
        for t in 1..<max(differences.count, 1) where differences[t - 1] > 0 && differences[t] < 0 { turning += 1 }
        out += [Double(crossings), Double(turning)]
        out.append(abs((x.max() ?? .nan) - (x.min() ?? .nan)))
        out.append(pairwiseSum(zip(x, x.dropFirst()).map { 0.5 * abs($0 + $1) }))
        return out
    }

    /// numpy's `sign`: −1, 0 or 1.
    static func sign(_ value: Double) -> Int { value > 0 ? 1 : (value < 0 ? -1 : 0) }

    /// `autocorr`: the first lag whose adjusted ACF is below 1/e; 1 for a constant series.
    static func autocorrelationLag(_ x: [Double]) -> Double {
        let n = x.count
        if x.allSatisfy({ $0 == x[0] }) { return 1 }
        let threshold = 0.36787944117144233
        let mean = pairwiseSum(x) / Double(n)
        let d = x.map { $0 - mean }
        var zero = 0.0
        for value in d { zero += value * value }
        let variance = zero / Double(n)
        guard n >= 3 else { return .nan }
        for lag in 1...(n / 3) {
            var sum = 0.0
            for t in 0..<(n - lag) { sum += d[t] * d[t + lag] }
            if sum / Double(n - lag) / variance < threshold { return Double(lag) }
        }
        return .nan
    }

    /// `calc_centroid`; NULL when every value is 0.
    static func temporalCentroid(_ x: [Double]) -> Double {
        let energy = x.map { $0 * $0 }
        let total = pairwiseSum(energy)
        guard total != 0 else { return .nan }
        let weighted = dot(energy.indices.map { Double($0) }, energy)
        return weighted == 0 ? 0 : weighted / total
    }

    /// The least-squares slope of x on t = 0 … n − 1 (n ≥ 2).
    static func temporalSlope(_ x: [Double]) -> Double {
        let n = Double(x.count)
        let centre = (n - 1) / 2
        var sum = 0.0
        for (t, value) in x.enumerated() { sum += (Double(t) - centre) * value }
        return sum / (n * (n * n - 1) / 12)
    }

    // MARK: - numpy's arithmetic

    /// numpy's pairwise summation (`np.sum`, `np.mean` of a contiguous float64 array): blocks
    /// of up to 128 values summed with eight accumulators, longer runs split in halves whose
    /// length is a multiple of 8.
    static func pairwiseSum(_ values: [Double]) -> Double {
        values.withUnsafeBufferPointer { NumpySum.pairwise($0) }
    }

    /// A dot product summed in order (numpy's `np.dot` goes to BLAS, whose order differs in the
    /// last bits).
    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for i in 0..<min(a.count, b.count) { sum += a[i] * b[i] }
        return sum
    }

    /// numpy's `argmax`: the first index of the largest value.
    static func firstMaximum(_ values: [Double]) -> Int {
        var best = 0
        for i in values.indices where values[i] > values[best] { best = i }
        return best
    }
}

/// numpy 2.4's FFT for real input (`numpy.fft.rfft`): a port of pocketfft's `rfftp` (the C++
/// `pocketfft_hdronly.h` numpy vendors) for the forward direction with factor 1, operation for
/// operation, including its twiddle tables (`sincos_2pibyn`), so that the results agree with
/// numpy to the bit wherever numpy itself uses `rfftp` (see ``numpyUsesBluestein``).
struct PocketRealFFT {
    let length: Int
    /// Factors in pocketfft's order: 4s, then a 2 swapped to the front, then odd factors.
    private var factors: [Int] = []
    /// pocketfft's `mem`: per factor, (ip − 1)(ido − 1) twiddles (none for the last factor)
    /// and, for factors above 5, 2·ip values for the generic pass, at the offsets below (one
    /// spare value keeps the buffer non-empty).
    private var table: [Double] = [0]
    private var twiddleOffset: [Int] = []
    private var extraOffset: [Int] = []

    /// Whether numpy's `pocketfft_r` plan would choose Bluestein's algorithm for this length.
    let numpyUsesBluestein: Bool

    init(length: Int) {
        self.length = length
        numpyUsesBluestein = Self.bluestein(length)
        guard length > 1 else { return }
        var rest = length
        while rest % 4 == 0 {
            factors.append(4)
            rest /= 4
        }
        if rest % 2 == 0 {
            rest /= 2
            factors.append(2)
            factors.swapAt(0, factors.count - 1)
        }
        var divisor = 3
        while divisor * divisor <= rest {
            while rest % divisor == 0 {
                factors.append(divisor)
                rest /= divisor
            }
            divisor += 2
        }
        if rest > 1 { factors.append(rest) }
        let roots = SinCos2PiByN(length)
        var l1 = 1
        for (k, ip) in factors.enumerated() {
            let ido = length / (l1 * ip)
            let tw = table.count
            twiddleOffset.append(tw)
            if k < factors.count - 1 {
                table += [Double](repeating: 0, count: (ip - 1) * (ido - 1))
                for j in 1..<ip {
                    for i in stride(from: 1, through: (ido - 1) / 2, by: 1) {
                        let w = roots[j * l1 * i]
                        table[tw + (j - 1) * (ido - 1) + 2 * i - 2] = w.r
                        table[tw + (j - 1) * (ido - 1) + 2 * i - 1] = w.i
                    }
                }
            }
            let tws = table.count
            extraOffset.append(tws)
            if ip > 5 {
                table += [Double](repeating: 0, count: 2 * ip)
                table[tws] = 1
                var i = 2
                var ic = 2 * ip - 2
                while i <= ic {
                    let w = roots[i / 2 * (length / ip)]
                    table[tws + i] = w.r
                    table[tws + i + 1] = w.i
                    table[tws + ic] = w.r
                    table[tws + ic + 1] = -w.i
                    i += 2
                    ic -= 2
                }
            }
            l1 *= ip
        }
    }

    /// pocketfft's `util::largest_prime_factor`, `cost_guess` and `good_size_cmplx`, and
    /// `pocketfft_r`'s choice between `rfftp` and Bluestein.
    static func bluestein(_ length: Int) -> Bool {
        guard length >= 50 else { return false }
        func largestPrimeFactor(_ value: Int) -> Int {
            var n = value
            var result = 1
            while n % 2 == 0 {
                result = 2
                n /= 2
            }
            var x = 3
            while x * x <= n {
                while n % x == 0 {
                    result = x
                    n /= x
                }
                x += 2
            }
            return n > 1 ? n : result
        }
        func cost(_ value: Int) -> Double {
            var n = value
            var result = 0.0
            while n % 2 == 0 {
                result += 2
                n /= 2
            }
            var x = 3
            while x * x <= n {
                while n % x == 0 {
                    result += x <= 5 ? Double(x) : 1.1 * Double(x)
                    n /= x
                }
                x += 2
            }
            if n > 1 { result += n <= 5 ? Double(n) : 1.1 * Double(n) }
            return result * Double(value)
        }
        func goodSize(_ n: Int) -> Int {
            if n <= 12 { return n }
            var best = 2 * n
            var f11 = 1
            while f11 < best {
                var f117 = f11
                while f117 < best {
                    var f1175 = f117
                    while f1175 < best {
                        var x = f1175
                        while x < n { x *= 2 }
                        while true {
                            if x < n {
                                x *= 3
                            } else if x > n {
                                if x < best { best = x }
                                if x & 1 != 0 { break }
                                x >>= 1
                            } else {
                                return n
                            }
                        }
                        f1175 *= 5
                    }
                    f117 *= 7
                }
                f11 *= 11
            }
            return best
        }
        let p = largestPrimeFactor(length)
        if p * p <= length { return false }
        let direct = 0.5 * cost(length)
        let blue = 2 * cost(goodSize(2 * length - 1)) * 1.5
        return blue < direct
    }

    /// The forward transform in FFTPACK's half-complex order: r0, r1, i1, r2, i2, …
    /// (and r_{n/2} last for even n).
    func transform(_ input: [Double]) -> [Double] {
        precondition(input.count == length)
        guard length > 1 else { return input }
        var c = input
        var ch = [Double](repeating: 0, count: length)
        c.withUnsafeMutableBufferPointer { cBuffer in
            ch.withUnsafeMutableBufferPointer { chBuffer in
                table.withUnsafeBufferPointer { tableBuffer in
                    guard let cBase = cBuffer.baseAddress, let chBase = chBuffer.baseAddress,
                        let memory = tableBuffer.baseAddress
                    else { return }
                    var p1 = cBase
                    var p2 = chBase
                    var l1 = length
                    for k in stride(from: factors.count - 1, through: 0, by: -1) {
                        let ip = factors[k]
                        let ido = length / l1
                        l1 /= ip
                        let wa = memory + twiddleOffset[k]
                        switch ip {
                        case 4: Self.radf4(ido, l1, p1, p2, wa)
                        case 2: Self.radf2(ido, l1, p1, p2, wa)
                        case 3: Self.radf3(ido, l1, p1, p2, wa)
                        case 5: Self.radf5(ido, l1, p1, p2, wa)
                        default:
                            Self.radfg(ido, ip, l1, p1, p2, wa, memory + extraOffset[k])
                            swap(&p1, &p2)
                        }
                        swap(&p1, &p2)
                    }
                    if p1 != cBase { cBase.update(from: p1, count: length) }
                }
            }
        }
        return c
    }

    /// |`numpy.fft.rfft(x)`|: hypot of each bin's real and imaginary part, ⌊n / 2⌋ + 1 bins.
    func magnitudes(_ x: [Double]) -> [Double] {
        let c = transform(x)
        let bins = length / 2 + 1
        var out = [Double](repeating: 0, count: bins)
        out[0] = abs(c[0])
        for k in 1..<max(bins, 1) {
            out[k] = Foundation.hypot(c[2 * k - 1], 2 * k < length ? c[2 * k] : 0)
        }
        return out
    }

    // MARK: pocketfft's passes (cc: input, ch: output, wa: twiddles)

    typealias Pointer = UnsafeMutablePointer<Double>

    /// A long double constant rounded to double, as `T0(...L)` in pocketfft.
    static func constant(_ value: Float80) -> Double { Double(value) }

    static func radf2(_ ido: Int, _ l1: Int, _ cc: Pointer, _ ch: Pointer, _ wa: UnsafePointer<Double>) {
        func CC(_ a: Int, _ b: Int, _ c: Int) -> Double { cc[a + ido * (b + l1 * c)] }
        func CH(_ a: Int, _ b: Int, _ c: Int) -> Int { a + ido * (b + 2 * c) }
        func WA(_ x: Int, _ i: Int) -> Double { wa[i + x * (ido - 1)] }
        for k in 0..<l1 {
            ch[CH(0, 0, k)] = CC(0, k, 0) + CC(0, k, 1)
            ch[CH(ido - 1, 1, k)] = CC(0, k, 0) - CC(0, k, 1)
        }
        if ido & 1 == 0 {
            for k in 0..<l1 {
                ch[CH(0, 1, k)] = -CC(ido - 1, k, 1)
                ch[CH(ido - 1, 0, k)] = CC(ido - 1, k, 0)
            }
        }
        if ido <= 2 { return }
        for k in 0..<l1 {
            for i in stride(from: 2, to: ido, by: 2) {
                let ic = ido - i
                let tr2 = WA(0, i - 2) * CC(i - 1, k, 1) + WA(0, i - 1) * CC(i, k, 1)
                let ti2 = WA(0, i - 2) * CC(i, k, 1) - WA(0, i - 1) * CC(i - 1, k, 1)
                ch[CH(i - 1, 0, k)] = CC(i - 1, k, 0) + tr2
                ch[CH(ic - 1, 1, k)] = CC(i - 1, k, 0) - tr2
                ch[CH(i, 0, k)] = ti2 + CC(i, k, 0)
                ch[CH(ic, 1, k)] = ti2 - CC(i, k, 0)
            }
        }
    }

    static func radf3(_ ido: Int, _ l1: Int, _ cc: Pointer, _ ch: Pointer, _ wa: UnsafePointer<Double>) {
        let taur = -0.5
        let taui = constant(0.8660254037844386467637231707529362)
        func CC(_ a: Int, _ b: Int, _ c: Int) -> Double { cc[a + ido * (b + l1 * c)] }
        func CH(_ a: Int, _ b: Int, _ c: Int) -> Int { a + ido * (b + 3 * c) }
        func WA(_ x: Int, _ i: Int) -> Double { wa[i + x * (ido - 1)] }
        for k in 0..<l1 {
            let cr2 = CC(0, k, 1) + CC(0, k, 2)
            ch[CH(0, 0, k)] = CC(0, k, 0) + cr2
            ch[CH(0, 2, k)] = taui * (CC(0, k, 2) - CC(0, k, 1))
            ch[CH(ido - 1, 1, k)] = CC(0, k, 0) + taur * cr2
        }
        if ido == 1 { return }
        for k in 0..<l1 {
            for i in stride(from: 2, to: ido, by: 2) {
                let ic = ido - i
                var dr2 = WA(0, i - 2) * CC(i - 1, k, 1) + WA(0, i - 1) * CC(i, k, 1)
                var di2 = WA(0, i - 2) * CC(i, k, 1) - WA(0, i - 1) * CC(i - 1, k, 1)
                var dr3 = WA(1, i - 2) * CC(i - 1, k, 2) + WA(1, i - 1) * CC(i, k, 2)
                var di3 = WA(1, i - 2) * CC(i, k, 2) - WA(1, i - 1) * CC(i - 1, k, 2)
                rearrange(&dr2, &di2, &dr3, &di3)
                ch[CH(i - 1, 0, k)] = CC(i - 1, k, 0) + dr2
                ch[CH(i, 0, k)] = CC(i, k, 0) + di2
                let tr2 = CC(i - 1, k, 0) + taur * dr2
                let ti2 = CC(i, k, 0) + taur * di2
                let tr3 = taui * dr3
                let ti3 = taui * di3
                ch[CH(i - 1, 2, k)] = tr2 + tr3
                ch[CH(ic - 1, 1, k)] = tr2 - tr3
                ch[CH(i, 2, k)] = ti3 + ti2
                ch[CH(ic, 1, k)] = ti3 - ti2
            }
        }
    }

    /// pocketfft's POCKETFFT_REARRANGE: a2 = a + b; b2 = i·(b − a).
    static func rearrange(_ rx: inout Double, _ ix: inout Double, _ ry: inout Double, _ iy: inout Double) {
        let t1 = rx + ry
        let t2 = ry - rx
        let t3 = ix + iy
        let t4 = ix - iy
        rx = t1
        ix = t3
        ry = t4
        iy = t2
    }

    static func radf4(_ ido: Int, _ l1: Int, _ cc: Pointer, _ ch: Pointer, _ wa: UnsafePointer<Double>) {
        let hsqt2 = constant(0.707106781186547524400844362104849)
        func CC(_ a: Int, _ b: Int, _ c: Int) -> Double { cc[a + ido * (b + l1 * c)] }
        func CH(_ a: Int, _ b: Int, _ c: Int) -> Int { a + ido * (b + 4 * c) }
        func WA(_ x: Int, _ i: Int) -> Double { wa[i + x * (ido - 1)] }
        for k in 0..<l1 {
            let tr1 = CC(0, k, 3) + CC(0, k, 1)
            ch[CH(0, 2, k)] = CC(0, k, 3) - CC(0, k, 1)
            let tr2 = CC(0, k, 0) + CC(0, k, 2)
            ch[CH(ido - 1, 1, k)] = CC(0, k, 0) - CC(0, k, 2)
            ch[CH(0, 0, k)] = tr2 + tr1
            ch[CH(ido - 1, 3, k)] = tr2 - tr1
        }
        if ido & 1 == 0 {
            for k in 0..<l1 {
                let ti1 = -hsqt2 * (CC(ido - 1, k, 1) + CC(ido - 1, k, 3))
                let tr1 = hsqt2 * (CC(ido - 1, k, 1) - CC(ido - 1, k, 3))
                ch[CH(ido - 1, 0, k)] = CC(ido - 1, k, 0) + tr1
                ch[CH(ido - 1, 2, k)] = CC(ido - 1, k, 0) - tr1
                ch[CH(0, 3, k)] = ti1 + CC(ido - 1, k, 2)
                ch[CH(0, 1, k)] = ti1 - CC(ido - 1, k, 2)
            }
        }
        if ido <= 2 { return }
        for k in 0..<l1 {
            for i in stride(from: 2, to: ido, by: 2) {
                let ic = ido - i
                let cr2 = WA(0, i - 2) * CC(i - 1, k, 1) + WA(0, i - 1) * CC(i, k, 1)
                let ci2 = WA(0, i - 2) * CC(i, k, 1) - WA(0, i - 1) * CC(i - 1, k, 1)
                let cr3 = WA(1, i - 2) * CC(i - 1, k, 2) + WA(1, i - 1) * CC(i, k, 2)
                let ci3 = WA(1, i - 2) * CC(i, k, 2) - WA(1, i - 1) * CC(i - 1, k, 2)
                let cr4 = WA(2, i - 2) * CC(i - 1, k, 3) + WA(2, i - 1) * CC(i, k, 3)
                let ci4 = WA(2, i - 2) * CC(i, k, 3) - WA(2, i - 1) * CC(i - 1, k, 3)
                let tr1 = cr4 + cr2
                let tr4 = cr4 - cr2
                let ti1 = ci2 + ci4
                let ti4 = ci2 - ci4
                let tr2 = CC(i - 1, k, 0) + cr3
                let tr3 = CC(i - 1, k, 0) - cr3
                let ti2 = CC(i, k, 0) + ci3
                let ti3 = CC(i, k, 0) - ci3
                ch[CH(i - 1, 0, k)] = tr2 + tr1
                ch[CH(ic - 1, 3, k)] = tr2 - tr1
                ch[CH(i, 0, k)] = ti1 + ti2
                ch[CH(ic, 3, k)] = ti1 - ti2
                ch[CH(i - 1, 2, k)] = tr3 + ti4
                ch[CH(ic - 1, 1, k)] = tr3 - ti4
                ch[CH(i, 2, k)] = tr4 + ti3
                ch[CH(ic, 1, k)] = tr4 - ti3
            }
        }
    }

    static func radf5(_ ido: Int, _ l1: Int, _ cc: Pointer, _ ch: Pointer, _ wa: UnsafePointer<Double>) {
        let tr11 = constant(0.3090169943749474241022934171828191)
        let ti11 = constant(0.9510565162951535721164393333793821)
        let tr12 = constant(-0.8090169943749474241022934171828191)
        let ti12 = constant(0.5877852522924731291687059546390728)
        func CC(_ a: Int, _ b: Int, _ c: Int) -> Double { cc[a + ido * (b + l1 * c)] }
        func CH(_ a: Int, _ b: Int, _ c: Int) -> Int { a + ido * (b + 5 * c) }
        func WA(_ x: Int, _ i: Int) -> Double { wa[i + x * (ido - 1)] }
        for k in 0..<l1 {
            let cr2 = CC(0, k, 4) + CC(0, k, 1)
            let ci5 = CC(0, k, 4) - CC(0, k, 1)
            let cr3 = CC(0, k, 3) + CC(0, k, 2)
            let ci4 = CC(0, k, 3) - CC(0, k, 2)
            ch[CH(0, 0, k)] = CC(0, k, 0) + cr2 + cr3
            ch[CH(ido - 1, 1, k)] = CC(0, k, 0) + tr11 * cr2 + tr12 * cr3
            ch[CH(0, 2, k)] = ti11 * ci5 + ti12 * ci4
            ch[CH(ido - 1, 3, k)] = CC(0, k, 0) + tr12 * cr2 + tr11 * cr3
            ch[CH(0, 4, k)] = ti12 * ci5 - ti11 * ci4
        }
        if ido == 1 { return }
        for k in 0..<l1 {
            for i in stride(from: 2, to: ido, by: 2) {
                let ic = ido - i
                var dr2 = WA(0, i - 2) * CC(i - 1, k, 1) + WA(0, i - 1) * CC(i, k, 1)
                var di2 = WA(0, i - 2) * CC(i, k, 1) - WA(0, i - 1) * CC(i - 1, k, 1)
                var dr3 = WA(1, i - 2) * CC(i - 1, k, 2) + WA(1, i - 1) * CC(i, k, 2)
                var di3 = WA(1, i - 2) * CC(i, k, 2) - WA(1, i - 1) * CC(i - 1, k, 2)
                var dr4 = WA(2, i - 2) * CC(i - 1, k, 3) + WA(2, i - 1) * CC(i, k, 3)
                var di4 = WA(2, i - 2) * CC(i, k, 3) - WA(2, i - 1) * CC(i - 1, k, 3)
                var dr5 = WA(3, i - 2) * CC(i - 1, k, 4) + WA(3, i - 1) * CC(i, k, 4)
                var di5 = WA(3, i - 2) * CC(i, k, 4) - WA(3, i - 1) * CC(i - 1, k, 4)
                rearrange(&dr2, &di2, &dr5, &di5)
                rearrange(&dr3, &di3, &dr4, &di4)
                ch[CH(i - 1, 0, k)] = CC(i - 1, k, 0) + dr2 + dr3
                ch[CH(i, 0, k)] = CC(i, k, 0) + di2 + di3
                let tr2 = CC(i - 1, k, 0) + tr11 * dr2 + tr12 * dr3
                let ti2 = CC(i, k, 0) + tr11 * di2 + tr12 * di3
                let tr3 = CC(i - 1, k, 0) + tr12 * dr2 + tr11 * dr3
                let ti3 = CC(i, k, 0) + tr12 * di2 + tr11 * di3
                let tr5 = ti11 * dr5 + ti12 * dr4
                let ti5 = ti11 * di5 + ti12 * di4
                let tr4 = ti12 * dr5 - ti11 * dr4
                let ti4 = ti12 * di5 - ti11 * di4
                ch[CH(i - 1, 2, k)] = tr2 + tr5
                ch[CH(ic - 1, 1, k)] = tr2 - tr5
                ch[CH(i, 2, k)] = ti5 + ti2
                ch[CH(ic, 1, k)] = ti5 - ti2
                ch[CH(i - 1, 4, k)] = tr3 + tr4
                ch[CH(ic - 1, 3, k)] = tr3 - tr4
                ch[CH(i, 4, k)] = ti4 + ti3
                ch[CH(ic, 3, k)] = ti4 - ti3
            }
        }
    }

    /// pocketfft's generic odd-factor pass; its result ends in `cc`.
    static func radfg(
        _ ido: Int, _ ip: Int, _ l1: Int, _ cc: Pointer, _ ch: Pointer, _ wa: UnsafePointer<Double>,
        _ csarr: UnsafePointer<Double>
    ) {
        let cdim = ip
        let ipph = (ip + 1) / 2
        let idl1 = ido * l1
        func CC(_ a: Int, _ b: Int, _ c: Int) -> Int { a + ido * (b + cdim * c) }
        func CH(_ a: Int, _ b: Int, _ c: Int) -> Int { a + ido * (b + l1 * c) }
        func C1(_ a: Int, _ b: Int, _ c: Int) -> Int { a + ido * (b + l1 * c) }
        func C2(_ a: Int, _ b: Int) -> Int { a + idl1 * b }
        if ido > 1 {
            var j = 1
            var jc = ip - 1
            while j < ipph {
                let base = (j - 1) * (ido - 1)
                let base2 = (jc - 1) * (ido - 1)
                for k in 0..<l1 {
                    var idij = base
                    var idij2 = base2
                    for i in stride(from: 1, through: ido - 2, by: 2) {
                        let t1 = cc[C1(i, k, j)]
                        let t2 = cc[C1(i + 1, k, j)]
                        let t3 = cc[C1(i, k, jc)]
                        let t4 = cc[C1(i + 1, k, jc)]
                        let x1 = wa[idij] * t1 + wa[idij + 1] * t2
                        let x2 = wa[idij] * t2 - wa[idij + 1] * t1
                        let x3 = wa[idij2] * t3 + wa[idij2 + 1] * t4
                        let x4 = wa[idij2] * t4 - wa[idij2 + 1] * t3
                        cc[C1(i, k, j)] = x3 + x1
                        cc[C1(i + 1, k, jc)] = x3 - x1
                        cc[C1(i + 1, k, j)] = x2 + x4
                        cc[C1(i, k, jc)] = x2 - x4
                        idij += 2
                        idij2 += 2
                    }
                }
                j += 1
                jc -= 1
            }
        }
        do {
            var j = 1
            var jc = ip - 1
            while j < ipph {
                for k in 0..<l1 {
                    // MPINPLACE(a, b): t = a; a -= b; b = t + b, with a = C1(0,k,jc), b = C1(0,k,j).
                    let t = cc[C1(0, k, jc)]
                    cc[C1(0, k, jc)] = t - cc[C1(0, k, j)]
                    cc[C1(0, k, j)] = t + cc[C1(0, k, j)]
                }
                j += 1
                jc -= 1
            }
        }
        var l = 1
        var lc = ip - 1
        while l < ipph {
            for ik in 0..<idl1 {
                ch[C2(ik, l)] = cc[C2(ik, 0)] + csarr[2 * l] * cc[C2(ik, 1)] + csarr[4 * l] * cc[C2(ik, 2)]
                ch[C2(ik, lc)] = csarr[2 * l + 1] * cc[C2(ik, ip - 1)] + csarr[4 * l + 1] * cc[C2(ik, ip - 2)]
            }
            var iang = 2 * l
            var j = 3
            var jc = ip - 3
            while j < ipph - 3 {
                iang += l
                if iang >= ip { iang -= ip }
                let ar1 = csarr[2 * iang]
                let ai1 = csarr[2 * iang + 1]
                iang += l
                if iang >= ip { iang -= ip }
                let ar2 = csarr[2 * iang]
                let ai2 = csarr[2 * iang + 1]
                iang += l
                if iang >= ip { iang -= ip }
                let ar3 = csarr[2 * iang]
                let ai3 = csarr[2 * iang + 1]
                iang += l
                if iang >= ip { iang -= ip }
                let ar4 = csarr[2 * iang]
                let ai4 = csarr[2 * iang + 1]
                for ik in 0..<idl1 {
                    let (a1, a2, a3, a4) = (cc[C2(ik, j)], cc[C2(ik, j + 1)], cc[C2(ik, j + 2)], cc[C2(ik, j + 3)])
                    ch[C2(ik, l)] += ar1 * a1 + ar2 * a2 + ar3 * a3 + ar4 * a4
                    let (b1, b2, b3, b4) = (cc[C2(ik, jc)], cc[C2(ik, jc - 1)], cc[C2(ik, jc - 2)], cc[C2(ik, jc - 3)])
                    ch[C2(ik, lc)] += ai1 * b1 + ai2 * b2 + ai3 * b3 + ai4 * b4
                }
                j += 4
                jc -= 4
            }
            while j < ipph - 1 {
                iang += l
                if iang >= ip { iang -= ip }
                let ar1 = csarr[2 * iang]
                let ai1 = csarr[2 * iang + 1]
                iang += l
                if iang >= ip { iang -= ip }
                let ar2 = csarr[2 * iang]
                let ai2 = csarr[2 * iang + 1]
                for ik in 0..<idl1 {
                    ch[C2(ik, l)] += ar1 * cc[C2(ik, j)] + ar2 * cc[C2(ik, j + 1)]
                    ch[C2(ik, lc)] += ai1 * cc[C2(ik, jc)] + ai2 * cc[C2(ik, jc - 1)]
                }
                j += 2
                jc -= 2
            }
            while j < ipph {
                iang += l
                if iang >= ip { iang -= ip }
                let ar = csarr[2 * iang]
                let ai = csarr[2 * iang + 1]
                for ik in 0..<idl1 {
                    ch[C2(ik, l)] += ar * cc[C2(ik, j)]
                    ch[C2(ik, lc)] += ai * cc[C2(ik, jc)]
                }
                j += 1
                jc -= 1
            }
            l += 1
            lc -= 1
        }
        for ik in 0..<idl1 { ch[C2(ik, 0)] = cc[C2(ik, 0)] }
        for j in 1..<ipph {
            for ik in 0..<idl1 { ch[C2(ik, 0)] += cc[C2(ik, j)] }
        }
        for k in 0..<l1 {
            for i in 0..<ido { cc[CC(i, 0, k)] = ch[CH(i, k, 0)] }
        }
        do {
            var j = 1
            var jc = ip - 1
            while j < ipph {
                let j2 = 2 * j - 1
                for k in 0..<l1 {
                    cc[CC(ido - 1, j2, k)] = ch[CH(0, k, j)]
                    cc[CC(0, j2 + 1, k)] = ch[CH(0, k, jc)]
                }
                j += 1
                jc -= 1
            }
        }
        if ido == 1 { return }
        var j = 1
        var jc = ip - 1
        while j < ipph {
            let j2 = 2 * j - 1
            for k in 0..<l1 {
                var i = 1
                var ic = ido - 3
                while i <= ido - 2 {
                    cc[CC(i, j2 + 1, k)] = ch[CH(i, k, j)] + ch[CH(i, k, jc)]
                    cc[CC(ic, j2, k)] = ch[CH(i, k, j)] - ch[CH(i, k, jc)]
                    cc[CC(i + 1, j2 + 1, k)] = ch[CH(i + 1, k, j)] + ch[CH(i + 1, k, jc)]
                    cc[CC(ic + 1, j2, k)] = ch[CH(i + 1, k, jc)] - ch[CH(i + 1, k, j)]
                    i += 2
                    ic -= 2
                }
            }
            j += 1
            jc -= 1
        }
    }
}

/// pocketfft's `sincos_2pibyn<double>`: e^{2πi·idx/n} from two small tables of octant-reduced
/// cos/sin values (v1 for the low bits of idx, v2 for the high bits), multiplied together.
struct SinCos2PiByN {
    let n: Int
    let mask: Int
    let shift: Int
    let v1: [(r: Double, i: Double)]
    let v2: [(r: Double, i: Double)]

    init(_ n: Int) {
        self.n = n
        let pi: Float80 = 3.141592653589793238462643383279502884197
        let angle = Double(0.25 * pi / Float80(n))
        let count = (n + 2) / 2
        var shift = 1
        while (1 << shift) * (1 << shift) < count { shift += 1 }
        self.shift = shift
        mask = (1 << shift) - 1
        var v1 = [(r: 1.0, i: 0.0)]
        for i in stride(from: 1, through: mask, by: 1) { v1.append(Self.calc(i, n, angle)) }
        var v2 = [(r: 1.0, i: 0.0)]
        for i in stride(from: 1, to: (count + mask) / (mask + 1), by: 1) {
            v2.append(Self.calc(i * (mask + 1), n, angle))
        }
        self.v1 = v1
        self.v2 = v2
    }

    static func calc(_ index: Int, _ n: Int, _ angle: Double) -> (r: Double, i: Double) {
        var x = index << 3
        if x < 4 * n {
            if x < 2 * n {
                if x < n { return (cos(Double(x) * angle), sin(Double(x) * angle)) }
                return (sin(Double(2 * n - x) * angle), cos(Double(2 * n - x) * angle))
            }
            x -= 2 * n
            if x < n { return (-sin(Double(x) * angle), cos(Double(x) * angle)) }
            return (-cos(Double(2 * n - x) * angle), sin(Double(2 * n - x) * angle))
        }
        x = 8 * n - x
        if x < 2 * n {
            if x < n { return (cos(Double(x) * angle), -sin(Double(x) * angle)) }
            return (sin(Double(2 * n - x) * angle), -cos(Double(2 * n - x) * angle))
        }
        x -= 2 * n
        if x < n { return (-sin(Double(x) * angle), -cos(Double(x) * angle)) }
        return (-cos(Double(2 * n - x) * angle), -sin(Double(2 * n - x) * angle))
    }

    subscript(_ index: Int) -> (r: Double, i: Double) {
        if 2 * index <= n {
            let a = v1[index & mask]
            let b = v2[index >> shift]
            return (a.r * b.r - a.i * b.i, a.r * b.i + a.i * b.r)
        }
        let reflected = n - index
        let a = v1[reflected & mask]
        let b = v2[reflected >> shift]
        return (a.r * b.r - a.i * b.i, -(a.r * b.i + a.i * b.r))
    }
}
