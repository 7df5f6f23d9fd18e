import Foundation

/// P1, basic statistics: the 49 rolling columns of features_hist, `hist_y_roll_{stat}_w{w}`
/// for the statistics mean, std, min, max, median, q25, q75 and the windows 3 … 90, with
/// pandas' semantics (``HistFeatures``).
public struct BasicStatisticsPipeline: FeaturePipeline {
    public init() {}
    public var id: PipelineID { .p1 }
    public var title: String { "basic statistics" }
    public var reference: String { "pandas rolling(w).mean/std/min/max/median/quantile" }
    public var columns: [FeatureColumn] {
        Self.hist(
            HistFeatures.windows.flatMap { w in HistFeatures.rollingStats.map { "hist_y_roll_\($0)_w\(w)" } }, id)
    }

    public func compute(_ series: DrawSeries, context: SeriesContext) -> PipelineOutput {
        let n = series.count
        var out = [[Double]](
            repeating: [Double](repeating: .nan, count: n),
            count: HistFeatures.windows.count * HistFeatures.rollingStats.count)
        for (index, w) in HistFeatures.windows.enumerated() {
            let base = index * HistFeatures.rollingStats.count
            HistFeatures.forEachFullWindow(series.y, size: w) { row, stats in
                out[base][row] = stats.mean
                out[base + 1][row] = stats.std
                out[base + 2][row] = stats.min
                out[base + 3][row] = stats.max
                out[base + 4][row] = stats.median
                out[base + 5][row] = stats.q25
                out[base + 6][row] = stats.q75
            }
        }
        return PipelineOutput(hist: out)
    }
}

/// P2, rolling windows: per window w of 3 … 90, the interquartile range
/// `hist_y_roll_iqr_w{w}` (q75 − q25), the z-score `hist_y_roll_zscore_w{w}` ((y − mean) / std)
/// and the deviation from the rolling mean `hist_y_roll_dev_w{w}` (y − mean), the window
/// ending at the draw itself. NULL where the window is not full or holds a missing value, and
/// the z-score where std is 0 (pandas gives ±inf or NaN there).
public struct RollingWindowPipeline: FeaturePipeline {
    public init() {}
    public var id: PipelineID { .p2 }
    public var title: String { "rolling windows" }
    public var reference: String { "pandas rolling(w): q75 − q25, (y − mean)/std, y − mean" }
    public var columns: [FeatureColumn] {
        Self.hist(
            ["iqr", "zscore", "dev"].flatMap { stat in HistFeatures.windows.map { "hist_y_roll_\(stat)_w\($0)" } }, id)
    }

    public func compute(_ series: DrawSeries, context: SeriesContext) -> PipelineOutput {
        let windows = HistFeatures.windows
        var out = [[Double]](repeating: [Double](repeating: .nan, count: series.count), count: 3 * windows.count)
        let y = series.y
        for (index, w) in windows.enumerated() {
            HistFeatures.forEachFullWindow(y, size: w) { row, stats in
                out[index][row] = stats.q75 - stats.q25
                let z = (y[row] - stats.mean) / stats.std
                out[windows.count + index][row] = z.isFinite ? z : .nan
                out[2 * windows.count + index][row] = y[row] - stats.mean
            }
        }
        return PipelineOutput(hist: out)
    }
}

/// P3, lags and differences: `hist_y_lag{k}` (pandas `shift(k)`) for k in 1, 2, 3, 7, 14, 21,
/// 28, 30, 60; `hist_y_diff1` and `hist_y_diff7` (`diff(k)`); `hist_y_pct_change1`
/// (`pct_change(1, fill_method=None)`, NULL where pandas gives ±inf, a change from 0).
public struct LagPipeline: FeaturePipeline {
    public init() {}
    public var id: PipelineID { .p3 }
    public var title: String { "lags and differences" }
    public var reference: String { "pandas shift(k), diff(k), pct_change(1, fill_method=None)" }
    public var columns: [FeatureColumn] {
        Self.hist(
            HistFeatures.lags.map { "hist_y_lag\($0)" } + ["hist_y_diff1", "hist_y_diff7", "hist_y_pct_change1"], id)
    }

    public func compute(_ series: DrawSeries, context: SeriesContext) -> PipelineOutput {
        let y = series.y
        let n = y.count
        var out: [[Double]] = HistFeatures.lags.map { lag in
            (0..<n).map { $0 >= lag ? y[$0 - lag] : .nan }
        }
        for k in [1, 7] { out.append((0..<n).map { $0 >= k ? y[$0] - y[$0 - k] : .nan }) }
        out.append(
            (0..<n).map { row in
                guard row >= 1 else { return .nan }
                let change = y[row] / y[row - 1] - 1
                return change.isFinite ? change : .nan
            })
        return PipelineOutput(hist: out)
    }
}

/// P11, anomaly detection: per window w of 3 … 90, Tukey's and the z-score's flags for the
/// draw against the window ending at it — `hist_y_anomaly_zscore_w{w}` is |y − mean| > 3·std,
/// `hist_y_anomaly_iqr_w{w}` is y < q25 − 1.5·IQR or y > q75 + 1.5·IQR — booleans, NULL where
/// the window is not full or holds a missing value (a window of equal values flags nothing);
/// and `hist_y_iforest_score`, an Isolation Forest score per draw (``IsolationForest``).
public struct AnomalyPipeline: FeaturePipeline {
    public init() {}
    public var id: PipelineID { .p11 }
    public var title: String { "anomaly detection" }
    /// The Isolation Forest is fitted on the whole series.
    public var usesLaterDraws: Bool { true }
    public var reference: String { "z-score > 3 and Tukey's fences per window; Isolation Forest (Liu et al. 2008)" }
    /// The z-score beyond which a draw is flagged.
    public static let zscoreLimit = 3.0
    /// Tukey's fence factor.
    public static let fenceFactor = 1.5

    public var columns: [FeatureColumn] {
        Self.hist(
            ["zscore", "iqr"].flatMap { kind in HistFeatures.windows.map { "hist_y_anomaly_\(kind)_w\($0)" } }, id,
            type: .boolean) + Self.hist(IsolationForest.histColumns, id)
    }

    public func compute(_ series: DrawSeries, context: SeriesContext) -> PipelineOutput {
        let windows = HistFeatures.windows
        let y = series.y
        var out = [[Double]](repeating: [Double](repeating: .nan, count: series.count), count: 2 * windows.count)
        for (index, w) in windows.enumerated() {
            HistFeatures.forEachFullWindow(y, size: w) { row, stats in
                let value = y[row]
                out[index][row] = abs(value - stats.mean) > Self.zscoreLimit * stats.std ? 1 : 0
                let fence = Self.fenceFactor * (stats.q75 - stats.q25)
                out[windows.count + index][row] = value < stats.q25 - fence || value > stats.q75 + fence ? 1 : 0
            }
        }
        out.append(
            IsolationForest.scores(y, seed: IsolationForest.seed(loto: series.loto, uniqueId: series.uniqueId)))
        return PipelineOutput(hist: out)
    }
}
