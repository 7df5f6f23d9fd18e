import Foundation

/// Pipeline P10: matrix-profile features of one series (features_stat, series level), by the
/// definitions of STUMPY 1.14.1 (Python; numpy 2.4.6, numba 0.68.1), applied to the series'
/// present values x₀…x_{N−1} in draw order.
///
/// The profile, for each subsequence length m in ``lengths`` (8 and 26): `stumpy.stump(x, m)`,
/// the z-normalised self-join. For the l = N − m + 1 subsequences Sᵢ = xᵢ…x_{i+m−1}, P[i] is
/// the smallest z-normalised Euclidean distance from Sᵢ to any Sⱼ with |i − j| > e, where
/// e = ⌈m / 4⌉ is STUMPY's exclusion zone (2 for m = 8, 7 for m = 26), and I[i] is that j.
/// Computed with STUMPY's arithmetic (STOMPopt with Pearson correlations):
/// - μᵢ = np.mean of Sᵢ (numpy's pairwise sum over m values, divided by m); μ′ₖ the same over
///   the m − 1 values xₖ…x_{k+m−2}; σᵢ = numba's `np.nanstd` of Sᵢ: a sequential sum for the
///   mean, then the squared deviations accumulated by fused multiply-add (as numba compiles it
///   on a CPU with FMA), divided by m, square root.
/// - Sᵢ is constant when all its values are equal (STUMPY's `np.ptp(Sᵢ) == 0`; no std
///   threshold is involved) and then σᵢ is taken as 1.
/// - Along each diagonal j − i = g, g = e + 1 … l − 1, the covariance starts from the dot
///   product (S_g − μ_g) · (S₀ − μ₀) (summed as OpenBLAS's `ddot`, see `dot`)
///   times 1/m, and is updated for i ≥ 1 by
///   cov + (m − 1)/m² · ((x_{j+m−1} − μ′ⱼ)(x_{i+m−1} − μ′ᵢ) − (x_{j−1} − μ′ⱼ)(x_{i−1} − μ′ᵢ)).
/// - The correlation ρ is 1 when Sᵢ and Sⱼ are both constant, 0.5 when exactly one is (distance
///   √m), otherwise min(1, cov · (1/σⱼ) · (1/σᵢ)) (a NaN product becomes 1, as numba's `min`).
/// - P[i] = √|2m(1 − ρ)| for the largest ρ over j, the square set to 0 below 1e−14.
/// - Ties (equal ρ): STUMPY keeps the candidate met first in its diagonal order, so I[i] is the
///   equal-ρ neighbour nearest in lag |i − j|, and on equal lag the left one (i − g); its
///   reduction over numba threads keeps that rule for any thread count. This file visits the
///   pairs row by row and reproduces the same rule (see `correlate`).
/// - A subsequence with no candidate has P = +inf and I = −1, as STUMPY gives: all of them
///   when N ≤ m + e (no diagonal lies outside the exclusion zone), the middle ones when
///   ⌊(N − m + 1) / 2⌋ ≤ e. A subsequence holding ±inf takes part in no pair (P = +inf), as
///   STUMPY treats non-finite values (they count as 0 in the sums).
///
/// Columns, for m = 8 then m = 26 (prefix `stat_mp_m8_`, `stat_mp_m26_`), over the finite
/// values of P:
/// - `min`, `max`, `mean` (np.mean), `std` (np.std, ddof 0), `q25`, `median`, `q75`
///   (np.quantile, method 'linear');
/// - `motif1_distance`, `motif1_index`, `motif1_neighbor`, … `motif3_…`: the top-3 motif
///   pairs: repeatedly the position i with the smallest finite P[i] not yet excluded (the first
///   such i on a tie), with distance P[i], index i and neighbor I[i]; then every position within
///   e of i or of I[i] is excluded;
/// - `discord1_distance`, `discord1_index`, … `discord3_…`: repeatedly the position i with the
///   largest finite P[i] not yet excluded (the first on a tie); then every position within e of i
///   is excluded.
/// Indices are 0-based subsequence starts in the present values. (STUMPY's own `motifs()` uses
/// a `max_distance` cutoff and is not what is computed here.)
///
/// NULL (`Double.nan`):
/// - every column of a length m when N < m (STUMPY raises) or when no P[i] is finite (N ≤ m + e:
///   N ≤ 10 for m = 8, N ≤ 33 for m = 26; or every subsequence holds ±inf);
/// - `motifK_…` and `discordK_…` when fewer than K motifs / discords are found;
/// - NaN inputs are dropped (missing values); no column is ever ±inf.
///
/// Precision: μ, μ′, σ and the first dot product of every diagonal are bit-for-bit STUMPY's.
/// STUMPY's numba code is compiled with fastmath 'contract', and on a CPU with FMA its running
/// update is fma((m − 1)/m², fma(aⱼ, aᵢ, −cⱼcᵢ), cov). Written so (`addingProduct`), this file
/// gives STUMPY's profile bit for bit on every golden series, but a Swift build without an FMA
/// target CPU calls libm's `fma` for it: 5× slower. Here each product and sum is rounded
/// separately, so ρ differs by a few units in the last place: ~1e−14 on distances of order 1;
/// near distance 0 (exact repeats) the square root amplifies it to at most √(2m · δρ)
/// (measured 4.1e−7 on the golden data, with |P² − P²_STUMPY| ≤ 2.3e−13), and between
/// candidates whose ρ agree to that rounding the neighbour chosen may differ.
///
/// Cost: O(N²) time (per pair: a covariance update, a correlation, two comparisons, in two
/// passes over each row, the first vectorised), O(N) memory: 3–5 ms per length for N = 2,000
/// on the reference machine (2 shared cores, SSE2 code).
public enum MatrixProfileFeatures {
    /// Subsequence lengths m.
    public static let lengths = [8, 26]

    static let statistics = ["min", "max", "mean", "std", "q25", "median", "q75"]
    static let motifFields = ["distance", "index", "neighbor"]
    static let discordFields = ["distance", "index"]
    static let topK = 3

    /// The columns of one length m, in order.
    static func columns(m: Int) -> [String] {
        let prefix = "stat_mp_m\(m)_"
        var names = statistics.map { prefix + $0 }
        for k in 1...topK { names += motifFields.map { "\(prefix)motif\(k)_\($0)" } }
        for k in 1...topK { names += discordFields.map { "\(prefix)discord\(k)_\($0)" } }
        return names
    }

    /// Columns, in order: those of m = 8, then those of m = 26.
    public static let columns: [String] = lengths.flatMap { columns(m: $0) }

    /// The columns holding positions (`…_index`, `…_neighbor`): whole numbers or NULL.
    public static let integerColumns: Set<String> = Set(
        columns.filter { $0.hasSuffix("_index") || $0.hasSuffix("_neighbor") })

    /// The series' present values in draw order (NaN values are dropped).
    /// Returns one value per column, NaN = NULL.
    public static func compute(_ y: [Double]) -> [Double] {
        let x = y.filter { !$0.isNaN }
        var values: [Double] = []
        values.reserveCapacity(columns.count)
        for m in lengths {
            let profile = profile(x, m: m)
            values += summary(profile.p, profile.i, exclusion: exclusionZone(m))
        }
        return values
    }

    /// STUMPY's exclusion zone: ⌈m / 4⌉ positions on each side.
    public static func exclusionZone(_ m: Int) -> Int {
        (m + 3) / 4
    }

    /// The matrix profile P and its indices I, as `stumpy.stump(x, m)` gives them (columns 0 and
    /// 1): l = N − m + 1 values each; +inf and −1 where a subsequence has no candidate or holds
    /// a NaN or ±inf value. Empty when STUMPY raises: m < 3 or N < m.
    public static func profile(_ x: [Double], m: Int) -> (p: [Double], i: [Int]) {
        let n = x.count
        guard m >= 3, n >= m else { return ([], []) }
        let l = n - m + 1
        let e = exclusionZone(m)

        // Non-finite values count as 0 in the sums and mark their subsequences.
        let t = x.map { $0.isFinite ? $0 : 0 }
        // kind: 0 ordinary, 1 constant, 2 holds a non-finite value.
        var kind = [UInt8](repeating: 0, count: l)
        var run = 0 // length of the run of equal finite values ending at k
        var lastBad = -1 // last position of a non-finite value
        for k in 0..<n {
            if !x[k].isFinite {
                lastBad = k
                run = 0
            } else {
                run = (run > 0 && x[k] == x[k - 1]) ? run + 1 : 1
            }
            let start = k - m + 1
            if start >= 0 {
                kind[start] = lastBad >= start ? 2 : (run >= m ? 1 : 0)
            }
        }

        let mInverse = 1.0 / Double(m)
        var mean = [Double](repeating: 0, count: l)
        var sigmaInverse = [Double](repeating: 0, count: l)
        var a = [Double](repeating: 0, count: l) // x[k + m − 1] − μ′ₖ
        var c = [Double](repeating: 0, count: l) // x[k − 1] − μ′ₖ (k ≥ 1)
        t.withUnsafeBufferPointer { t in
            for i in 0..<l {
                let window = UnsafeBufferPointer(rebasing: t[i..<(i + m)])
                mean[i] = NumpySum.pairwise(window) / Double(m)
                if kind[i] == 1 {
                    sigmaInverse[i] = 1
                } else {
                    var sum = 0.0
                    for v in window { sum += v }
                    let centre = sum / Double(m)
                    var squares = 0.0
                    for v in window { squares = squares.addingProduct(v - centre, v - centre) }
                    sigmaInverse[i] = 1 / (squares / Double(m)).squareRoot()
                }
                let shorter = NumpySum.pairwise(UnsafeBufferPointer(rebasing: t[i..<(i + m - 1)])) / Double(m - 1)
                a[i] = t[i + m - 1] - shorter
                c[i] = i > 0 ? t[i - 1] - shorter : 0
            }
        }

        var rho = [Double](repeating: -.infinity, count: l)
        var index = [Int](repeating: -1, count: l)
        guard e + 1 < l else { return ([Double](repeating: .infinity, count: l), index) }
        // Row by row: `covariance[g]` is the running covariance of diagonal g at row i, updated
        // with exactly STUMPY's operations for that diagonal; only the visiting order differs.
        var covariance = [Double](repeating: 0, count: l)
        var row = [Double](repeating: 0, count: l)
        let step = Double(m - 1) * mInverse * mInverse
        let special = kind.contains { $0 != 0 }
        t.withUnsafeBufferPointer { t in
            for g in (e + 1)..<l { covariance[g] = dot(t, g, mean[g], mean[0], m) * mInverse }
        }
        kind.withUnsafeBufferPointer { kind in
            sigmaInverse.withUnsafeBufferPointer { sigmaInverse in
                a.withUnsafeBufferPointer { a in
                    c.withUnsafeBufferPointer { c in
                        covariance.withUnsafeMutableBufferPointer { covariance in
                            row.withUnsafeMutableBufferPointer { row in
                                rho.withUnsafeMutableBufferPointer { rho in
                                    index.withUnsafeMutableBufferPointer { index in
                                        for i in 0..<(l - e - 1) {
                                            correlate(
                                                i, through: l - 1 - i, from: e + 1, step: step, special: special,
                                                kind: kind,
                                                sigmaInverse: sigmaInverse, a: a, c: c, covariance: covariance,
                                                row: row, rho: rho, index: index)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let twiceM = Double(2 * m)
        let p = rho.map { r -> Double in
            let square = abs(twiceM * (1 - r))
            return (square < 1e-14 ? 0 : square).squareRoot()
        }
        return (p, index)
    }

    /// Row i of the correlation matrix, diagonals g = `first` … `last` (columns j = i + g).
    ///
    /// STUMPY visits diagonal by diagonal and keeps a candidate only if its ρ is strictly larger,
    /// so on equal ρ row r keeps the candidate met first: the smaller lag, and on equal lag the
    /// left one (r − g, met at step r − g, before r + g at step r). Row by row the order differs,
    /// and the same winner is kept this way: row j = i + g (left candidate i) takes an equal ρ,
    /// since it only held left candidates of larger lag; row i takes its best right candidate
    /// (smallest g on equal ρ) over an equal left one only when g is smaller than that one's lag.
    @inline(__always)
    static func correlate(
        _ i: Int, through last: Int, from first: Int, step: Double, special: Bool, kind: UnsafeBufferPointer<UInt8>,
        sigmaInverse: UnsafeBufferPointer<Double>, a: UnsafeBufferPointer<Double>, c: UnsafeBufferPointer<Double>,
        covariance: UnsafeMutableBufferPointer<Double>, row: UnsafeMutableBufferPointer<Double>,
        rho: UnsafeMutableBufferPointer<Double>, index: UnsafeMutableBufferPointer<Int>
    ) {
        let ai = a[i]
        let ci = c[i]
        let si = sigmaInverse[i]
        let ki = kind[i]
        let a = a.baseAddress! + i
        let c = c.baseAddress! + i
        let s = sigmaInverse.baseAddress! + i
        let kind = kind.baseAddress! + i
        let rho = rho.baseAddress! + i
        let index = index.baseAddress! + i
        let covariance = covariance.baseAddress!
        let row = row.baseAddress!
        var g = first
        if i > 0 {
            while g <= last {
                let cov = covariance[g] + step * (a[g] * ai - c[g] * ci)
                covariance[g] = cov
                let pearson = cov * s[g] * si
                row[g] = pearson < 1 ? pearson : 1 // numba's min(1.0, ρ): NaN becomes 1
                g &+= 1
            }
        } else {
            while g <= last {
                let pearson = covariance[g] * s[g] * si
                row[g] = pearson < 1 ? pearson : 1
                g &+= 1
            }
        }
        if special {
            g = first
            while g <= last {
                let kinds = ki | kind[g]
                if kinds != 0 {
                    // A pair with a non-finite value is skipped (NaN never compares larger).
                    row[g] = kinds & 2 != 0 ? .nan : (ki & kind[g] == 1 ? 1 : 0.5)
                }
                g &+= 1
            }
        }
        // Rows j = i + g take an equal ρ; row i keeps its first largest ρ (smallest g).
        var best = -Double.infinity
        var bestLag = -1
        g = first
        while g <= last {
            let pearson = row[g]
            if pearson >= rho[g] {
                rho[g] = pearson
                index[g] = i
            }
            if pearson > best {
                best = pearson
                bestLag = g
            }
            g &+= 1
        }
        if bestLag >= 0, best > rho[0] || (best == rho[0] && bestLag < i - index[0]) {
            rho[0] = best
            index[0] = i + bestLag
        }
    }

    /// (x_{g…g+m−1} − μ_g) · (x_{0…m−1} − μ₀) summed as OpenBLAS's Haswell `ddot` kernel sums
    /// (what numba's `np.dot` calls): the first ⌊m/16⌋·16 products fused-accumulated into 16
    /// lanes (lane k mod 16), the lanes reduced as the kernel's AVX2 registers are, then the
    /// remaining products added one by one.
    static func dot(_ t: UnsafeBufferPointer<Double>, _ g: Int, _ meanG: Double, _ mean0: Double, _ m: Int) -> Double {
        let blocked = m & ~15
        var total = 0.0
        if blocked > 0 {
            var lanes = (
                0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
            )
            withUnsafeMutableBytes(of: &lanes) { raw in
                let lane = raw.bindMemory(to: Double.self)
                var k = 0
                while k < blocked {
                    for q in 0..<16 { lane[q] = lane[q].addingProduct(t[g + k + q] - meanG, t[k + q] - mean0) }
                    k += 16
                }
                // Per register r: (r₀ + r₂, r₁ + r₃); then r0 + r1 and r2 + r3; their sum; its two halves.
                func half(_ r: Int, _ h: Int) -> Double { lane[4 * r + h] + lane[4 * r + h + 2] }
                let low = (half(0, 0) + half(1, 0)) + (half(2, 0) + half(3, 0))
                let high = (half(0, 1) + half(1, 1)) + (half(2, 1) + half(3, 1))
                total = low + high
            }
        }
        for k in blocked..<m { total += (t[k] - mean0) * (t[g + k] - meanG) }
        return total
    }

    /// The columns of one length from its profile.
    static func summary(_ p: [Double], _ index: [Int], exclusion e: Int) -> [Double] {
        let width = statistics.count + topK * (motifFields.count + discordFields.count)
        var values = [Double](repeating: .nan, count: width)
        let finite = p.filter(\.isFinite)
        guard !finite.isEmpty else { return values }

        let count = Double(finite.count)
        let mean = NumpySum.pairwise(finite) / count
        let deviations = finite.map { ($0 - mean) * ($0 - mean) }
        let sorted = finite.sorted()
        values[0] = sorted[0]
        values[1] = sorted[sorted.count - 1]
        values[2] = mean
        values[3] = (NumpySum.pairwise(deviations) / count).squareRoot()
        values[4] = quantile(sorted, 0.25)
        values[5] = quantile(sorted, 0.5)
        values[6] = quantile(sorted, 0.75)

        func exclude(_ excluded: inout [Bool], around centre: Int) {
            for k in max(0, centre - e)...min(p.count - 1, centre + e) { excluded[k] = true }
        }

        var excluded = [Bool](repeating: false, count: p.count)
        var column = statistics.count
        for _ in 0..<topK {
            var best = -1
            for k in 0..<p.count where !excluded[k] && p[k].isFinite && (best < 0 || p[k] < p[best]) {
                best = k
            }
            guard best >= 0 else { break }
            values[column] = p[best]
            values[column + 1] = Double(best)
            values[column + 2] = Double(index[best])
            exclude(&excluded, around: best)
            exclude(&excluded, around: index[best])
            column += motifFields.count
        }

        excluded = [Bool](repeating: false, count: p.count)
        column = statistics.count + topK * motifFields.count
        for _ in 0..<topK {
            var best = -1
            for k in 0..<p.count where !excluded[k] && p[k].isFinite && (best < 0 || p[k] > p[best]) {
                best = k
            }
            guard best >= 0 else { break }
            values[column] = p[best]
            values[column + 1] = Double(best)
            exclude(&excluded, around: best)
            column += discordFields.count
        }
        return values
    }

    /// `np.quantile(a, q)` (method 'linear') of sorted values: numpy's `_lerp`, which
    /// interpolates from the upper neighbour when the fraction is at least 0.5.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = Double(sorted.count - 1) * q
        let below = Int(position.rounded(.down))
        let above = min(below + 1, sorted.count - 1)
        let fraction = position - Double(below)
        let low = sorted[below]
        let high = sorted[above]
        let difference = high - low
        return fraction >= 0.5 ? high - difference * (1 - fraction) : low + difference * fraction
    }
}
