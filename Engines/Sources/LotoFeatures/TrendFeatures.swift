import Foundation

/// Pipeline P4, trend and seasonality: an ``STLDecomposition`` of each series with the draw
/// calendar's yearly period, the tsfeatures strengths of its trend and seasonality, and
/// drawdown / drawup.
///
/// The period is the draw calendar's number of draws a year: round(7 / mean gap in days) draws
/// a week (Python's `round`, halves to even) × 52, e.g. loto6 (Monday and Thursday) → 104,
/// numbers3 (Monday to Friday) → 260, a weekly game → 52. A calendar with at most half a draw
/// a week (a mean gap of 14 days or more, which rounds to 0 draws a week) has no period.
///
/// Missing values: STL is fitted on the present values in draw order, as if the missing draws
/// were not there (with the calendar's period, so a missing draw shifts the later seasonal
/// positions by one); the per-draw STL columns are NULL on missing draws.
///
/// Warning for forecasting use: the STL trend, seasonal and residual at a draw come from a
/// decomposition of the whole series (centred loess windows), so they depend on later draws.
/// The series-level strengths do too. The drawdown / drawup columns use only the draw and the
/// draws before it.
public enum TrendFeatures {
    /// Series-level columns (features_stat), in order:
    /// - `stat_trend_strength`: tsfeatures' trend strength (Nixtla's `tsfeatures` 0.4.5
    ///   `stl_features`, Hyndman's F_T) from the STL parts of the present values x:
    ///   0 when var(x) < machine epsilon (2.22e-16) or var(x − S) / var(x) < 1e-10, else
    ///   max(0, min(1, 1 − var(R) / var(x − S))), where S and R are STL's seasonal and resid
    ///   (x − S is T + R up to rounding);
    /// - `stat_seasonality_strength`: tsfeatures' seasonal strength F_S: 0 when var(x) < machine
    ///   epsilon or var(R + S) < machine epsilon, else max(0, min(1, 1 − var(R) / var(R + S)));
    /// - `stat_stl_period`: the calendar's period (draws a year) STL is fitted with, given even
    ///   when the series is too short for STL;
    /// - `stat_max_drawdown`: the largest running maximum − x_t over the present values (≥ 0);
    /// - `stat_max_drawup`: the largest x_t − running minimum (≥ 0).
    ///
    /// Variances have ddof = 1 and numpy's pairwise summation (`np.nanvar`, as tsfeatures).
    /// Unlike tsfeatures, which calls `STL(x, m, 13)`, STL here uses statsmodels' default
    /// seasonal smoother length 7 (the same decomposition as the per-draw columns).
    ///
    /// NULL: both strengths when there is no period or STL cannot be fitted (fewer than
    /// 2 periods of present values); `stat_stl_period` when the calendar has no period;
    /// drawdown and drawup when no value is present.
    public static let statColumns = [
        "stat_trend_strength", "stat_seasonality_strength", "stat_stl_period", "stat_max_drawdown",
        "stat_max_drawup",
    ]

    /// Per-draw columns (features_hist), in order:
    /// - `hist_stl_trend`, `hist_stl_seasonal`, `hist_stl_resid`: the ``STLDecomposition``
    ///   parts at the draw (see the warning above: they use later draws);
    /// - `hist_y_roll_drawdown_w{w}`: max(y over the last w draws, this one included) − y_t;
    /// - `hist_y_roll_drawup_w{w}`: y_t − min(y over the last w draws), for w = 30 and 90
    ///   (pandas `rolling(w, min_periods=w).max()` / `.min()`).
    ///
    /// NULL: the STL columns on missing draws and on every draw when STL cannot be fitted (no
    /// period, or fewer than 2 periods of present values); the rolling columns until w draws
    /// are in the window and whenever one of the window's draws is missing.
    public static let histColumns = [
        "hist_stl_trend", "hist_stl_seasonal", "hist_stl_resid", "hist_y_roll_drawdown_w30", "hist_y_roll_drawup_w30",
        "hist_y_roll_drawdown_w90", "hist_y_roll_drawup_w90",
    ]

    /// The drawdown / drawup windows, in column order.
    public static let windows = [30, 90]

    /// The draw calendar's period in draws a year: round(7 / mean gap in days) draws a week
    /// (halves to even) × 52, where the mean gap is (last − first) / (count − 1).
    /// nil below 2 draws, when the days do not increase, or at most half a draw a week.
    /// - Parameter days: days since 1970-01-01 of each draw, increasing.
    public static func period(days: [Int]) -> Int? {
        guard days.count >= 2, let first = days.first, let last = days.last, last > first else { return nil }
        let meanGap = Double(last - first) / Double(days.count - 1)
        let perWeek = (7 / meanGap).rounded(.toNearestOrEven)
        guard perWeek >= 1 else { return nil }
        return Int(perWeek) * 52
    }

    /// The ``statColumns`` of a series' present values (NaN, if any, are dropped first).
    public static func stat(_ y: [Double], period: Int?) -> [Double] {
        let x = y.filter { !$0.isNaN }
        return stat(x, period: period, stl: period.flatMap { STLDecomposition.fit(x, period: $0) })
    }

    /// The ``histColumns`` of a series, one array of `y.count` values each.
    /// - Parameter y: one value per draw, NaN where missing.
    public static func hist(_ y: [Double], period: Int?) -> [[Double]] {
        let present = y.indices.filter { !y[$0].isNaN }
        let x = present.map { y[$0] }
        return hist(y, present: present, stl: period.flatMap { STLDecomposition.fit(x, period: $0) })
    }

    /// Both ``stat(_:period:)`` (of the present values) and ``hist(_:period:)`` with one STL fit,
    /// which is most of the work.
    /// - Parameter y: one value per draw, NaN where missing.
    public static func compute(_ y: [Double], period: Int?) -> (stat: [Double], hist: [[Double]]) {
        let present = y.indices.filter { !y[$0].isNaN }
        let x = present.map { y[$0] }
        let stl = period.flatMap { STLDecomposition.fit(x, period: $0) }
        return (stat(x, period: period, stl: stl), hist(y, present: present, stl: stl))
    }

    static func stat(_ x: [Double], period: Int?, stl: STLDecomposition?) -> [Double] {
        let strengths = stl.map { self.strengths(x, $0) } ?? (trend: .nan, season: .nan)
        let stlPeriod = period.map { $0 >= 2 ? Double($0) : .nan } ?? .nan
        let (drawdown, drawup) = maxDrawdownAndDrawup(x)
        return [strengths.trend, strengths.season, stlPeriod, drawdown, drawup]
    }

    /// - Parameters:
    ///   - present: the indices of the present values, which `stl` decomposes in order.
    static func hist(_ y: [Double], present: [Int], stl: STLDecomposition?) -> [[Double]] {
        let n = y.count
        var trend = [Double](repeating: .nan, count: n)
        var seasonal = trend
        var resid = trend
        if let stl {
            for (k, index) in present.enumerated() {
                trend[index] = stl.trend[k]
                seasonal[index] = stl.seasonal[k]
                resid[index] = stl.resid[k]
            }
        }
        var columns = [trend, seasonal, resid]
        for w in windows {
            let extremes = rollingExtremes(y, window: w)
            var drawdown = [Double](repeating: .nan, count: n)
            var drawup = drawdown
            for t in 0..<n where !extremes.max[t].isNaN {
                drawdown[t] = extremes.max[t] - y[t]
                drawup[t] = y[t] - extremes.min[t]
            }
            columns += [drawdown, drawup]
        }
        return columns
    }

    /// tsfeatures' trend and seasonal strengths from x and its STL parts.
    static func strengths(_ x: [Double], _ stl: STLDecomposition) -> (trend: Double, season: Double) {
        let n = x.count
        let eps = Double.ulpOfOne
        var deseason = [Double](repeating: 0, count: n)
        var remainderSeason = deseason
        for i in 0..<n {
            deseason[i] = x[i] - stl.seasonal[i]
            remainderSeason[i] = stl.resid[i] + stl.seasonal[i]
        }
        let varx = variance(x)
        let vare = variance(stl.resid)
        let vardeseason = variance(deseason)
        let trend: Double
        if varx < eps || vardeseason / varx < 1e-10 {
            trend = 0
        } else {
            trend = max(0, min(1, 1 - vare / vardeseason))
        }
        let varRS = variance(remainderSeason)
        let season: Double
        if varx < eps || varRS < eps {
            season = 0
        } else {
            season = max(0, min(1, 1 - vare / varRS))
        }
        return (trend, season)
    }

    /// The sample variance (ddof = 1) as numpy computes it: pairwise sums of the values and of
    /// the squared deviations from their mean. NaN below 2 values.
    static func variance(_ x: [Double]) -> Double {
        guard x.count >= 2 else { return .nan }
        return x.withUnsafeBufferPointer { x in
            let mean = pairwiseSum(x) / Double(x.count)
            var squares = [Double](repeating: 0, count: x.count)
            for i in 0..<x.count {
                let d = x[i] - mean
                squares[i] = d * d
            }
            return squares.withUnsafeBufferPointer { pairwiseSum($0) } / Double(x.count - 1)
        }
    }

    static func pairwiseSum(_ a: UnsafeBufferPointer<Double>) -> Double { NumpySum.pairwise(a) }

    /// The largest running-maximum − x_t and x_t − running-minimum; NaN for an empty series.
    static func maxDrawdownAndDrawup(_ x: [Double]) -> (Double, Double) {
        guard var high = x.first else { return (.nan, .nan) }
        var low = high
        var drawdown = 0.0
        var drawup = 0.0
        for value in x {
            high = max(high, value)
            low = min(low, value)
            drawdown = max(drawdown, high - value)
            drawup = max(drawup, value - low)
        }
        return (drawdown, drawup)
    }

    /// Rolling max and min over the last `window` draws (monotonic queues, O(n)); NaN until
    /// `window` draws and whenever one in the window is missing.
    static func rollingExtremes(_ y: [Double], window: Int) -> (max: [Double], min: [Double]) {
        let n = y.count
        var highs = [Double](repeating: .nan, count: n)
        var lows = highs
        // Indices of candidate extremes, front = oldest; heads advance instead of removing.
        var maxQueue = [Int]()
        var minQueue = [Int]()
        maxQueue.reserveCapacity(n)
        minQueue.reserveCapacity(n)
        var maxHead = 0
        var minHead = 0
        var lastMissing = -1
        for t in 0..<n {
            let value = y[t]
            if value.isNaN {
                lastMissing = t
            } else {
                while maxQueue.count > maxHead, y[maxQueue[maxQueue.count - 1]] <= value { maxQueue.removeLast() }
                maxQueue.append(t)
                while minQueue.count > minHead, y[minQueue[minQueue.count - 1]] >= value { minQueue.removeLast() }
                minQueue.append(t)
            }
            while maxHead < maxQueue.count, maxQueue[maxHead] <= t - window { maxHead += 1 }
            while minHead < minQueue.count, minQueue[minHead] <= t - window { minHead += 1 }
            guard t >= window - 1, t - lastMissing >= window else { continue }
            highs[t] = y[maxQueue[maxHead]]
            lows[t] = y[minQueue[minHead]]
        }
        return (highs, lows)
    }
}
