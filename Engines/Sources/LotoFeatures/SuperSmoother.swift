/// Friedman's super smoother ("A Variable Span Smoother", 1984) as the Python `supersmoother`
/// package (version 0.4) computes it. Nixtla's tsfeatures fits it as the trend of a non-seasonal
/// series in `stl_features` (`SuperSmoother().fit(t, x).predict(t)`), so
/// ``TimeSeriesFeatures`` needs it, value for value, for trend strength, spikiness, linearity,
/// curvature and the remainder's autocorrelations.
///
/// With the package's defaults, the steps are:
/// 1. a local linear smooth for each primary span (0.05, 0.2 and 0.5 of the points), each point
///    left out of its own window (the package's cross-validated values);
/// 2. the absolute residuals of each, smoothed with the middle span (0.2), point kept;
/// 3. at each point the primary span with the least smoothed residual (the first on a tie);
/// 4. those spans smoothed with the middle span and clipped to the primary spans' range;
/// 5. the primary smooths interpolated linearly in span at that value;
/// 6. the result smoothed once more with the final span (0.05).
///
/// Not ported, because tsfeatures uses neither: bass enhancement (`alpha`, off by default) and
/// periodic smoothing (`period`). Weights are 1 (the package's `dy = 1`).
public struct SuperSmoother: Sendable, Equatable {
    /// The spans of step 1 as fractions of the number of points, increasing (the package sorts
    /// and deduplicates them; at least two are needed for the interpolation of step 5).
    public let primarySpans: [Double]
    /// The span that smooths the residuals and the chosen spans (steps 2 and 4).
    public let middleSpan: Double
    /// The span of the last smooth (step 6).
    public let finalSpan: Double

    /// A smoother with the given spans; the defaults are the package's (and tsfeatures').
    public init(primarySpans: [Double] = [0.05, 0.2, 0.5], middleSpan: Double = 0.2, finalSpan: Double = 0.05) {
        let spans = Array(Set(primarySpans)).sorted()
        precondition(spans.count >= 2, "the super smoother interpolates between at least two primary spans")
        self.primarySpans = spans
        self.middleSpan = middleSpan
        self.finalSpan = finalSpan
    }

    /// The smoothed values of `y` at its own abscissas `t` (non-decreasing, as many as `y`):
    /// the package's `fit(t, y).predict(t)`. Nil where the package raises its "Zero denominator
    /// in linear smooth" error: some window's abscissas are all equal (for instance a single
    /// point). At the default spans and `t = 1...n` that is every `n < 100`: the 0.05 span is
    /// then 3 or 4 points, the first point's window is cut to 2 at the edge, and leaving the
    /// point out of it (step 1) keeps one.
    public func smooth(_ y: [Double], at t: [Double]) -> [Double]? {
        let n = y.count
        precondition(t.count == n, "one abscissa per value")
        precondition(zip(t, t.dropFirst()).allSatisfy { $0 <= $1 }, "abscissas must be sorted")
        guard n > 0 else { return [] }
        // 1. Cross-validated primary smooths.
        var primary: [[Double]] = []
        for span in primarySpans {
            guard let fit = LocalLinearSmoother(span: span, count: n).smooth(y, at: t, leaveOneOut: true) else {
                return nil
            }
            primary.append(fit)
        }
        // 2. Their absolute residuals, smoothed with the middle span.
        let middle = LocalLinearSmoother(span: middleSpan, count: n)
        var residuals: [[Double]] = []
        for fit in primary {
            let absolute = zip(fit, y).map { abs($0 - $1) }
            guard let smoothed = middle.smooth(absolute, at: t, leaveOneOut: false) else { return nil }
            residuals.append(smoothed)
        }
        // 3. The best span at each point: numpy's argmin (the first least value; a NaN wins).
        var best = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var k = 0
            for j in 1..<residuals.count where !residuals[k][i].isNaN {
                if residuals[j][i].isNaN || residuals[j][i] < residuals[k][i] { k = j }
            }
            best[i] = primarySpans[k]
        }
        // 4. Those spans smoothed, then 5. the primary smooths interpolated at them.
        guard let spans = middle.smooth(best, at: t, leaveOneOut: false) else { return nil }
        let low = primarySpans[0]
        let high = primarySpans[primarySpans.count - 1]
        var raw = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let span = Swift.min(Swift.max(spans[i], low), high)
            // numpy's searchsorted(side: right) − 1, kept inside the table.
            var k = 0
            while k + 2 < primarySpans.count, primarySpans[k + 1] <= span { k += 1 }
            let below = primary[k][i]
            let above = primary[k + 1][i]
            raw[i] = below + (span - primarySpans[k]) * (above - below) / (primarySpans[k + 1] - primarySpans[k])
        }
        // 6. The final smooth with a constant span.
        return LocalLinearSmoother(span: finalSpan, count: n).smooth(raw, at: t, leaveOneOut: false)
    }
}

/// The `supersmoother` package's `linear_smooth` with a constant span: at each point, the least
/// squares line through a window of neighbouring points, evaluated at the point. It is the
/// building block of every step of ``SuperSmoother``.
///
/// The window of point `i` is indices `i − width/2 ..< i − width/2 + width`, cut at both ends of
/// the data (so it is lopsided and shorter near the edges, as the package's `np.convolve(…,
/// mode: "same")` makes it). The line comes from the package's closed form over the window
/// sums w = Σ1, Σy, Σt, Σty and Σt², not from centred sums, because that is what tsfeatures
/// reports. On non-integer values near 1e7 the closed form cancels away about four digits, so
/// there the last digits depend on the order the window is summed in (``WindowSum`` adds first
/// to last; numpy's order depends on the BLAS kernel): on the golden series `edge/large` that
/// moves the trend by up to 2.4e-5 and spike, linearity and curvature by up to 1.3e-8 relative.
struct LocalLinearSmoother {
    /// Points in a full window: the package's `span_int`, span × count, at least 3, truncated.
    let width: Int

    /// The smoother whose window is `span` of `count` points.
    init(span: Double, count: Int) {
        width = Int(Swift.max(span * Double(count), 3))
    }

    /// The fitted value at each `t` (sorted, as many as `y`), nil on a zero denominator (a window
    /// of one distinct abscissa), where the package raises. With `leaveOneOut`, each point is
    /// subtracted from its own window's sums first (the package's `cv=True`, `subtract_mid`).
    func smooth(_ y: [Double], at t: [Double], leaveOneOut: Bool) -> [Double]? {
        let n = y.count
        // The summed arrays, as the package forms them: y·t and t² (its t ** 2, exact as t·t).
        let ty = zip(t, y).map { $0 * $1 }
        let tt = t.map { $0 * $0 }
        var out = [Double](repeating: 0, count: n)
        let ok = y.withUnsafeBufferPointer { yp in
            t.withUnsafeBufferPointer { tp in
                ty.withUnsafeBufferPointer { typ in
                    tt.withUnsafeBufferPointer { ttp in
                        for i in 0..<n {
                            let start = Swift.max(0, i - width / 2)
                            let end = Swift.min(n, i - width / 2 + width)
                            let count = end - start
                            // The weight sum is a sum of ones: exact in any order.
                            var w = Double(count)
                            var yw = WindowSum.sum(yp.baseAddress! + start, count: count)
                            var tw = WindowSum.sum(tp.baseAddress! + start, count: count)
                            var tyw = WindowSum.sum(typ.baseAddress! + start, count: count)
                            var ttw = WindowSum.sum(ttp.baseAddress! + start, count: count)
                            if leaveOneOut {
                                w -= 1
                                yw -= yp[i]
                                tw -= tp[i]
                                tyw -= typ[i]
                                ttw -= ttp[i]
                            }
                            let denominator = w * ttw - tw * tw
                            if denominator == 0 { return false }
                            let slope = tyw * w - tw * yw
                            let intercept = ttw * yw - tyw * tw
                            out[i] = (slope * tp[i] + intercept) / denominator
                        }
                        return true
                    }
                }
            }
        }
        return ok ? out : nil
    }
}

/// The plain sum of a window of values, first to last.
///
/// numpy (through OpenBLAS' `ddot`) groups long windows into vector lanes whose order depends on
/// the processor's kernel; that order only moves the last digits of sums of non-integer values,
/// and draws are integers, which every order sums exactly.
enum WindowSum {
    /// The sum of the `count` values from `base`.
    static func sum(_ base: UnsafePointer<Double>, count: Int) -> Double {
        var sum = 0.0
        for k in 0..<count { sum += base[k] }
        return sum
    }
}
