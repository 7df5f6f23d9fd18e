import Foundation

/// Seasonal-trend decomposition by loess: a port of statsmodels 0.15.0's `STL`
/// (`statsmodels.tsa.seasonal.STL`, Cython `statsmodels/tsa/stl/_stl.pyx`, itself a port of the
/// NETLIB Fortran of Cleveland, Cleveland, McRae and Terpenning, 1990) with the defaults of
/// `STL(y, period=period).fit()`:
/// - `seasonal` = 7 (the length of the seasonal smoother of each cycle-subseries);
/// - `trend` = ceil(1.5 · period / (1 − 1.5 / 7)), plus 1 when even (199 for period 104);
/// - `low_pass` = period + 1, plus 1 when even (105 for period 104);
/// - seasonal, trend and low-pass degrees 1 (local lines), jumps 1 (a loess fit at every point,
///   so `_ess`'s interpolation between jumped points is not needed and not ported);
/// - `robust = False`, hence `fit()`'s defaults of 5 inner iterations (`inner_iter = 2 if
///   robust else 5`) and 0 outer (robustness) iterations: no robustness weights are ever used,
///   so this port leaves the robust path out.
///
/// Each inner iteration: detrend (y − trend); smooth every cycle-subseries (the values at
/// positions j, j + period, …) by loess of length 7 and extend it by one cycle at each end;
/// low-pass filter that extended seasonal series by moving averages of lengths period, period
/// and 3 and a loess of length `low_pass`; seasonal = extended seasonal − low-pass; trend =
/// loess of length `trend` of y − seasonal. The loess (`_est`) uses tricube weights
/// (1 − (r/h)³)³ over the window, h = the larger distance to the window's ends (plus
/// (len − n) / 2 when the smoother is longer than the series), weight 1 within 0.001·h and 0
/// beyond 0.999·h, and a local line when its weighted spread √c exceeds 0.001·(n − 1).
/// resid = (y − seasonal) − trend. Every operation runs in statsmodels' order, with the tricube
/// powers from libm's `pow` as the Cython code takes them, so with the same libm (glibc) the
/// parts are bit-identical to statsmodels' (as on the golden series); elsewhere they agree to
/// rounding.
///
/// Warning for forecasting use: the decomposition is of the whole series, so the trend,
/// seasonal and residual at a draw depend on later draws (the loess windows are centred).
/// They describe the series, not what was known at the draw.
public struct STLDecomposition: Sendable {
    /// The trend component, one value per input value.
    public var trend: [Double]
    /// The seasonal component.
    public var seasonal: [Double]
    /// The remainder, (y − seasonal) − trend.
    public var resid: [Double]

    /// The seasonal smoother's length (statsmodels' default `seasonal = 7`).
    public static let seasonalLength = 7
    /// statsmodels' inner iterations with `robust = False`.
    static let innerIterations = 5

    /// Decomposes `y` (finite values in order; no missing values).
    ///
    /// nil when the series is shorter than 2 periods or `period` < 2 (statsmodels refuses
    /// period < 2; R's `stl` refuses fewer than two periods, which statsmodels 0.15 does not
    /// check although its cycle-subseries then have fewer than two values), or when a value is
    /// not finite.
    public static func fit(_ y: [Double], period: Int) -> STLDecomposition? {
        guard period >= 2, y.count >= 2 * period, y.allSatisfy(\.isFinite) else { return nil }
        var worker = STLWorker(y: y, period: period)
        worker.run()
        let n = y.count
        var resid = [Double](repeating: 0, count: n)
        for i in 0..<n { resid[i] = y[i] - worker.season[i] - worker.trend[i] }
        return STLDecomposition(trend: worker.trend, seasonal: worker.season, resid: resid)
    }

    /// statsmodels' default trend length: ceil(1.5 · period / (1 − 1.5 / seasonal)), made odd.
    static func trendLength(period: Int) -> Int {
        var length = Int((1.5 * Double(period) / (1 - 1.5 / Double(seasonalLength))).rounded(.up))
        if length % 2 == 0 { length += 1 }
        return length
    }

    /// statsmodels' default low-pass length: period + 1, made odd.
    static func lowPassLength(period: Int) -> Int {
        let length = period + 1
        return length % 2 == 0 ? length + 1 : length
    }
}

/// The work arrays of one fit and its tricube weight tables (the weights depend only on the
/// integer distance r and the integer bandwidth h, so each table is computed once per fit).
///
/// Speed: `_ess` fits the points eight at a time, one SIMD lane per point, each lane doing
/// `_est`'s arithmetic in `_est`'s order (lane-wise IEEE operations, no reassociation), so the
/// result is the same to the last bit as one point at a time, while the eight independent sums
/// keep the processor busy. In the interior, where the window slides with the point, the
/// normalised weights are the same for every point and are computed once; and since the trend
/// and low-pass smoothers' weights and local lines do not depend on the values, the lines of
/// the first iteration serve the other four. Both reuse the very numbers statsmodels
/// recomputes. About 45 million instructions for n = 2,000 and period 104 (~5 ms).
private struct STLWorker {
    let y: [Double]
    let n: Int
    let period: Int
    let trendLength: Int
    let lowPassLength: Int
    var trend: [Double]
    var season: [Double]
    /// statsmodels' `work` rows 0–2, each n + 2·period long (rows 3 and 4 are scratch for
    /// robustness weights and loess weights, kept here in `laneWeights` and `scalarWeights`).
    var work0, work1, work2: [Double]
    /// Tricube tables, all in one array: the table of bandwidth h starts at `tableStart[h]`
    /// (−1 until computed) and holds the weights at distances 0…h.
    var tableStore: [Double] = []
    var tableStart: [Int] = []
    /// Loess weights of eight points at a time, and of one.
    var laneWeights: [SIMD8<Double>]
    var scalarWeights: [Double]
    /// The normalised weights of the last interior window shape (h, xs − left, length).
    var sharedWeights: [Double]
    var sharedKey = (0, -1, 0)
    /// The local lines of eight points (`_est`'s weighted mean position a and slope factor
    /// b / c, 0 where there is no line), by the index of the first point, per smoother length.
    struct Line {
        var mean: SIMD8<Double>
        var factor: SIMD8<Double>
    }
    var lines: [Int: [Line?]] = [:]

    init(y: [Double], period: Int) {
        self.y = y
        n = y.count
        self.period = period
        trendLength = STLDecomposition.trendLength(period: period)
        lowPassLength = STLDecomposition.lowPassLength(period: period)
        trend = [Double](repeating: 0, count: n)
        season = trend
        let size = n + 2 * period
        work0 = [Double](repeating: 0, count: size)
        work1 = work0
        work2 = work0
        laneWeights = [SIMD8<Double>](repeating: .zero, count: size)
        scalarWeights = work0
        sharedWeights = work0
    }

    /// `fit()` without robustness: `_onestp` with 5 inner iterations.
    mutating func run() {
        for _ in 0..<STLDecomposition.innerIterations {
            for i in 0..<n { work0[i] = y[i] - trend[i] }
            seasonalSmoothing()
            lowPass()
            for i in 0..<n {
                season[i] = work1[period + i] - work0[i]
                work0[i] = y[i] - season[i]
            }
            trend = smooth(work0, count: n, length: trendLength)
        }
    }

    /// `_ss`: loess of each cycle-subseries of work0 (length 7) at its points and one cycle
    /// beyond each end, into work1 (n + 2·period values).
    mutating func seasonalSmoothing() {
        let ns = STLDecomposition.seasonalLength
        var sub = [Double](repeating: 0, count: n / period + 1)
        for j in 0..<period {
            let k = (n - (j + 1)) / period + 1
            for i in 0..<k { sub[i] = work0[i * period + j] }
            let fitted = smooth(sub, count: k, length: ns)
            var before = estimate(sub, count: k, length: ns, at: 0, left: 1, right: min(ns, k))
            if before.isNaN { before = fitted[0] }
            var after = estimate(sub, count: k, length: ns, at: k + 1, left: max(1, k - ns + 1), right: k)
            if after.isNaN { after = fitted[k - 1] }
            work1[j] = before
            for m in 0..<k { work1[(m + 1) * period + j] = fitted[m] }
            work1[(k + 1) * period + j] = after
        }
    }

    /// `_fts` then `_ess`: moving averages of lengths period, period and 3 of work1, then the
    /// low-pass loess, into work0 (n values).
    mutating func lowPass() {
        let total = n + 2 * period
        Self.movingAverage(work1, count: total, length: period, into: &work2)
        Self.movingAverage(work2, count: total - period + 1, length: period, into: &work0)
        Self.movingAverage(work0, count: total - 2 * period + 2, length: 3, into: &work2)
        let low = smooth(work2, count: n, length: lowPassLength)
        for i in 0..<n { work0[i] = low[i] }
    }

    /// `_ma`: the running mean of `length` values, updated by adding (entering − leaving).
    static func movingAverage(_ x: [Double], count: Int, length: Int, into ave: inout [Double]) {
        let flen = Double(length)
        var v = 0.0
        for i in 0..<length { v += x[i] }
        ave[0] = v / flen
        var k = length
        var m = 0
        for j in 1..<(count - length + 1) {
            v += x[k] - x[m]
            ave[j] = v / flen
            k += 1
            m += 1
        }
    }

    /// `_ess` with jump 1: the loess fit of the first `count` values of `x` at every point
    /// (the point's own value where the fit has no weight).
    mutating func smooth(_ x: [Double], count: Int, length: Int) -> [Double] {
        var ys = [Double](repeating: 0, count: count)
        if count < 2 {
            if count == 1 { ys[0] = x[0] }
            return ys
        }
        // The windows (1-based `left`, `span` values): the whole series when the smoother is
        // at least as long; else they slide with the point once it passes the first
        // half-window, and stop at the series' end.
        let span = min(length, count)
        let nsh = (length + 2) / 2
        var lefts = [Int](repeating: 1, count: count)
        if length < count {
            var left = 1
            var right = length
            for i in 0..<count {
                if i + 1 > nsh && right != count {
                    left += 1
                    right += 1
                }
                lefts[i] = left
            }
        }
        // The trend and low-pass smoothers run on the whole series in every iteration: their
        // local lines depend only on the weights, so they are kept from the first iteration.
        let reuse = count == n
        var known = reuse ? lines.removeValue(forKey: length) ?? [] : []
        if known.count != count { known = [Line?](repeating: nil, count: count) }
        var i = 0
        while i < count {
            if i + 8 <= count {
                let left = lefts[i]
                var fit: SIMD8<Double>?
                if length < count, lefts[i + 7] == left + 7, i + 1 - left == nsh - 1 {
                    fit = estimateSliding(x, count: count, length: length, at: i + 1, left: left, line: &known[i])
                } else if lefts[i + 7] == left {
                    fit = estimateSameWindow(
                        x, count: count, length: length, at: i + 1, left: left, span: span, line: &known[i])
                }
                if let fit {
                    for p in 0..<8 { ys[i + p] = fit[p] }
                    i += 8
                    continue
                }
            }
            ys[i] = estimate(x, count: count, length: length, at: i + 1, left: lefts[i], right: lefts[i] + span - 1)
            if ys[i].isNaN { ys[i] = x[i] }
            i += 1
        }
        if reuse { lines[length] = known }
        return ys
    }

    /// The start of the tricube table for bandwidth `h` in `tableStore`: entry r is
    /// (1 − (r/h)³)³, 1 within 0.001·h, 0 beyond 0.999·h (`_est`'s weights).
    mutating func table(_ h: Int) -> Int {
        if h < tableStart.count, tableStart[h] >= 0 { return tableStart[h] }
        if h >= tableStart.count { tableStart += [Int](repeating: -1, count: h + 1 - tableStart.count) }
        let start = tableStore.count
        let hd = Double(h)
        let h9 = 0.999 * hd
        let h1 = 0.001 * hd
        for r in 0...h {
            let rd = Double(r)
            var weight = 0.0
            if rd <= h9 { weight = rd <= h1 ? 1 : pow(1.0 - pow(rd / hd, 3), 3) }
            tableStore.append(weight)
        }
        tableStart[h] = start
        return start
    }

    /// `_est`'s bandwidth: the larger distance from `xs` to the window's ends, plus
    /// (length − count) / 2 when the smoother is longer than the series.
    static func bandwidth(count: Int, length: Int, xs: Int, left: Int, right: Int) -> Int {
        var h = max(xs - left, right - xs)
        if length > count { h += (length - count) / 2 }
        return h
    }

    /// `_est` with degree 1: the local-line loess fit at position `xs` (1-based) from the
    /// values `left…right` (1-based, inclusive); NaN when every weight is 0.
    mutating func estimate(_ y: [Double], count: Int, length: Int, at xs: Int, left: Int, right: Int) -> Double {
        let range = Double(count) - 1
        let h = Self.bandwidth(count: count, length: length, xs: xs, left: left, right: right)
        let start = table(h)
        // A weight beyond 0.999·h is 0 in the table; adding it leaves every sum unchanged.
        return tableStore.withUnsafeBufferPointer { table in
            y.withUnsafeBufferPointer { y in
                scalarWeights.withUnsafeMutableBufferPointer { w in
                    var a = 0.0
                    for j in (left - 1)..<right {
                        let weight = table[start + abs(j + 1 - xs)]
                        w[j] = weight
                        a += weight
                    }
                    if a <= 0 { return .nan }
                    for j in (left - 1)..<right { w[j] = w[j] / a }
                    if h > 0 {
                        var mean = 0.0
                        for j in (left - 1)..<right { mean += w[j] * Double(j + 1) }
                        var b = Double(xs) - mean
                        var c = 0.0
                        for j in (left - 1)..<right {
                            let d = Double(j + 1) - mean
                            c += w[j] * (d * d)
                        }
                        if c.squareRoot() > 0.001 * range {
                            b /= c
                            for j in (left - 1)..<right { w[j] = w[j] * (b * (Double(j + 1) - mean) + 1.0) }
                        }
                    }
                    var ys = 0.0
                    for j in (left - 1)..<right { ys += w[j] * y[j] }
                    return ys
                }
            }
        }
    }

    /// `_est` at the eight points `xs`, …, `xs + 7` (1-based) that share the window of `span`
    /// values from `left` (the series' ends, and every point when the smoother is longer than
    /// the series), one lane each. nil when a point's weights sum to 0. `line`: the points' local
    /// lines, computed when nil.
    mutating func estimateSameWindow(
        _ y: [Double], count: Int, length: Int, at xs: Int, left: Int, span: Int, line: inout Line?
    ) -> SIMD8<Double>? {
        var starts = [Int](repeating: 0, count: 8)
        var h = SIMD8<Double>.zero
        for p in 0..<8 {
            let bandwidth = Self.bandwidth(count: count, length: length, xs: xs + p, left: left, right: left + span - 1)
            h[p] = Double(bandwidth)
            starts[p] = table(bandwidth)
        }
        let range = Double(count) - 1
        let lanes = SIMD8<Double>(0, 1, 2, 3, 4, 5, 6, 7) + Double(xs)
        return tableStore.withUnsafeBufferPointer { table in
            y.withUnsafeBufferPointer { y in
                laneWeights.withUnsafeMutableBufferPointer { w in
                    var a = SIMD8<Double>.zero
                    for k in 0..<span {
                        // Distance from point xs + p to position left + k.
                        let base = left + k - xs
                        let weight = SIMD8<Double>(
                            table[starts[0] + abs(base)], table[starts[1] + abs(base - 1)],
                            table[starts[2] + abs(base - 2)], table[starts[3] + abs(base - 3)],
                            table[starts[4] + abs(base - 4)], table[starts[5] + abs(base - 5)],
                            table[starts[6] + abs(base - 6)], table[starts[7] + abs(base - 7)])
                        w[k] = weight
                        a += weight
                    }
                    guard a.min() > 0 else { return nil }
                    for k in 0..<span { w[k] = w[k] / a }
                    if line == nil {
                        var mean = SIMD8<Double>.zero
                        for k in 0..<span { mean += w[k] * Double(left + k) }
                        var c = SIMD8<Double>.zero
                        for k in 0..<span {
                            let d: SIMD8<Double> = Double(left + k) - mean
                            c += w[k] * (d * d)
                        }
                        let b: SIMD8<Double> = lanes - mean
                        var factor = SIMD8<Double>.zero
                        for p in 0..<8 where h[p] > 0 && c[p].squareRoot() > 0.001 * range { factor[p] = b[p] / c[p] }
                        line = Line(mean: mean, factor: factor)
                    }
                    let known = line ?? Line(mean: .zero, factor: .zero)
                    return Self.weightedSum(
                        y: y, w: UnsafeBufferPointer(w), count: span, left: left, factor: known.factor,
                        mean: known.mean)
                }
            }
        }
    }

    /// `_est` at the eight interior points `xs`, …, `xs + 7` whose windows of `length` values
    /// start at `left`, …, `left + 7`: the same shape, so the same normalised weights (kept in
    /// `sharedWeights` while the shape lasts). nil when those weights sum to 0. `line`: the
    /// points' local lines, computed when nil.
    mutating func estimateSliding(
        _ y: [Double], count: Int, length: Int, at xs: Int, left: Int, line: inout Line?
    ) -> SIMD8<Double>? {
        let h = Self.bandwidth(count: count, length: length, xs: xs, left: left, right: left + length - 1)
        let offset = xs - left
        if sharedKey != (h, offset, length) {
            let start = table(h)
            var a = 0.0
            for k in 0..<length {
                let weight = tableStore[start + abs(k - offset)]
                sharedWeights[k] = weight
                a += weight
            }
            guard a > 0 else { return nil }
            for k in 0..<length { sharedWeights[k] = sharedWeights[k] / a }
            sharedKey = (h, offset, length)
        }
        let range = Double(count) - 1
        return sharedWeights.withUnsafeBufferPointer { w in
            y.withUnsafeBufferPointer { y in
                let shift = SIMD8<Double>(0, 1, 2, 3, 4, 5, 6, 7)
                var factor = line?.factor ?? .zero
                var mean = line?.mean ?? .zero
                if h > 0, line == nil {
                    for k in 0..<length {
                        let position: SIMD8<Double> = shift + Double(left + k)
                        mean += w[k] * position
                    }
                    var c = SIMD8<Double>.zero
                    for k in 0..<length {
                        let position: SIMD8<Double> = shift + Double(left + k)
                        let d: SIMD8<Double> = position - mean
                        c += w[k] * (d * d)
                    }
                    let b: SIMD8<Double> = (shift + Double(xs)) - mean
                    for p in 0..<8 where c[p].squareRoot() > 0.001 * range { factor[p] = b[p] / c[p] }
                }
                line = Line(mean: mean, factor: factor)
                var ys = SIMD8<Double>.zero
                let one = SIMD8<Double>(repeating: 1)
                // The eight points' values at offset k are y[left − 1 + k …], read as one vector.
                guard let start = y.baseAddress.map({ UnsafeRawPointer($0 + (left - 1)) }),
                    left - 1 + length + 7 <= y.count
                else { return nil }
                var position: SIMD8<Double> = shift + Double(left)
                // A point without a local line has factor 0: w · (0 · d + 1) = w exactly.
                for k in 0..<length {
                    let d: SIMD8<Double> = position - mean
                    let weight: SIMD8<Double> = w[k] * (factor * d + one)
                    let values = start.loadUnaligned(fromByteOffset: k * 8, as: SIMD8<Double>.self)
                    ys += weight * values
                    position += one
                }
                return ys
            }
        }
    }

    /// Σ w·(factor·(position − mean) + 1)·y over one window shared by eight lanes: `_est`'s
    /// final sum with the local line applied (factor 0 where there is none, which leaves w as
    /// it is).
    static func weightedSum(
        y: UnsafeBufferPointer<Double>, w: UnsafeBufferPointer<SIMD8<Double>>, count: Int, left: Int,
        factor: SIMD8<Double>, mean: SIMD8<Double>
    ) -> SIMD8<Double> {
        var ys = SIMD8<Double>.zero
        let one = SIMD8<Double>(repeating: 1)
        for k in 0..<count {
            let d: SIMD8<Double> = Double(left + k) - mean
            let weight: SIMD8<Double> = w[k] * (factor * d + one)
            ys += weight * y[left - 1 + k]
        }
        return ys
    }
}
