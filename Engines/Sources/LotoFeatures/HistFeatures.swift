/// `features_hist`: lags, rolling statistics, differences and the percentage change of `y`,
/// per series, with pandas' default semantics.
///
/// - `hist_y_lag{k}` is `shift(k)`.
/// - `hist_y_roll_{stat}_w{w}` is `rolling(w)` with `min_periods = w`: NULL until `w` values
///   are in the window and whenever one of them is missing. `std` has `ddof = 1`; median and
///   quartiles interpolate linearly.
/// - `hist_y_roll_iqr_w{w}` is q75 − q25; `hist_y_roll_zscore_w{w}` is (y − mean) / std.
/// - `hist_y_diff{k}` is `diff(k)`; `hist_y_pct_change1` is `pct_change(1, fill_method=None)`
///   (pandas 3's default: no forward fill of missing values).
///
/// Deviation: where pandas gives ±infinity (a percentage change from 0, a z-score over a
/// window of equal values) the table holds NULL, as it does for NaN: neither SQL consumers nor
/// a forecasting model can use an infinity.
public enum HistFeatures {
    /// Lags, in column order.
    public static let lags = [1, 2, 3, 7, 14, 21, 28, 30, 60]
    /// Rolling windows, in column order.
    public static let windows = [3, 7, 14, 21, 30, 60, 90]
    /// Statistics per window, in column order (the 49 rolling columns).
    public static let rollingStats = ["mean", "std", "min", "max", "median", "q25", "q75"]

    /// Every column after the key, in table order: the 58 lag and rolling columns first, then
    /// iqr and zscore per window, the differences and the percentage change.
    public static let columns: [String] = {
        var names = lags.map { "hist_y_lag\($0)" }
        for window in windows { names += rollingStats.map { "hist_y_roll_\($0)_w\(window)" } }
        names += windows.map { "hist_y_roll_iqr_w\($0)" }
        names += windows.map { "hist_y_roll_zscore_w\($0)" }
        names += ["hist_y_diff1", "hist_y_diff7", "hist_y_pct_change1"]
        return names
    }()

    /// The number of lag and rolling columns (the benchmark's 58).
    public static let coreColumnCount = lags.count + windows.count * rollingStats.count

    /// Computes every column of one series; `coreOnly` stops after the 58 lag and rolling
    /// columns (the benchmark's set), leaving the rest NaN.
    public static func compute(_ series: DrawSeries, coreOnly: Bool = false) -> FeatureBlock {
        let n = series.count
        let width = columns.count
        var out = [Double](repeating: .nan, count: n * width)
        let y = series.y
        out.withUnsafeMutableBufferPointer { out in
            for (column, lag) in lags.enumerated() where lag < n {
                for row in lag..<n { out[row * width + column] = y[row - lag] }
            }
            for (windowIndex, w) in windows.enumerated() {
                let base = lags.count + windowIndex * rollingStats.count
                let iqrColumn = coreColumnCount + windowIndex
                let zColumn = coreColumnCount + windows.count + windowIndex
                forEachFullWindow(y, size: w) { row, stats in
                    let at = row * width + base
                    out[at] = stats.mean
                    out[at + 1] = stats.std
                    out[at + 2] = stats.min
                    out[at + 3] = stats.max
                    out[at + 4] = stats.median
                    out[at + 5] = stats.q25
                    out[at + 6] = stats.q75
                    if !coreOnly {
                        out[row * width + iqrColumn] = stats.q75 - stats.q25
                        out[row * width + zColumn] = (y[row] - stats.mean) / stats.std
                    }
                }
            }
            guard !coreOnly else { return }
            let diffBase = coreColumnCount + 2 * windows.count
            for (offset, k) in [1, 7].enumerated() where k < n {
                for row in k..<n { out[row * width + diffBase + offset] = y[row] - y[row - k] }
            }
            for row in 1..<max(n, 1) { out[row * width + diffBase + 2] = y[row] / y[row - 1] - 1 }
        }
        return FeatureBlock(key: series.key, days: series.days, columnCount: width, values: out)
    }

    /// Calls `body` with each row whose window of `size` values (ending at the row) is full
    /// and has no missing value, in row order: pandas' `rolling(size)` with `min_periods = size`.
    static func forEachFullWindow(_ y: [Double], size: Int, _ body: (Int, WindowStatistics) -> Void) {
        var window = RollingWindow(capacity: size)
        window.reset(size: size)
        for row in y.indices {
            window.push(y[row], leaving: row >= size ? y[row - size] : nil)
            guard row >= size - 1, window.isFull else { continue }
            body(row, window.statistics())
        }
    }
}
