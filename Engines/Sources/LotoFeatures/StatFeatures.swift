/// `features_stat`: one row per series — pandas' global statistics of `y`, the series' meta
/// data, domain columns of the draw, and the tsfeatures set (see ``TimeSeriesFeatures``).
///
/// Global statistics skip missing values, as pandas does; `std` has ddof = 1; skewness and
/// kurtosis are pandas' bias-corrected (adjusted Fisher–Pearson) estimators, NULL below 3 and
/// 4 values and for a constant series.
public enum StatFeatures {
    /// Global statistics of `y`, in column order.
    public static let globalColumns = [
        "stat_y_count", "stat_y_mean", "stat_y_std", "stat_y_min", "stat_y_max", "stat_y_median",
        "stat_y_q25", "stat_y_q75", "stat_y_skew", "stat_y_kurt",
    ]
    /// Series meta data and domain columns.
    public static let metaColumns = [
        "stat_n_rows", "stat_n_missing", "stat_span_days", "stat_mean_gap_days", "stat_y_unique",
        "stat_y_mode", "stat_num_first", "stat_num_last", "stat_co_mean", "stat_co_max", "stat_co_share",
    ]

    /// Every numeric column after the key, in table order.
    public static let columns: [String] = globalColumns + metaColumns + TimeSeriesFeatures.columns

    /// Text columns: the first and last draw day.
    public static let textColumns = ["stat_first_ds", "stat_last_ds"]

    /// The one row of a series.
    public static func compute(_ series: DrawSeries) -> FeatureBlock {
        let present = series.y.filter { !$0.isNaN }
        var row = global(present)
        row += meta(series, present: present)
        row += TimeSeriesFeatures.compute(present)
        return FeatureBlock(
            key: series.key, days: [], columnCount: columns.count, values: row,
            texts: [series.days.first?.description, series.days.last?.description])
    }

    static func global(_ values: [Double]) -> [Double] {
        let n = Double(values.count)
        guard !values.isEmpty else { return [0] + [Double](repeating: .nan, count: globalColumns.count - 1) }
        let sorted = values.sorted()
        let mean = values.reduce(0, +) / n
        var m2 = 0.0
        var m3 = 0.0
        var m4 = 0.0
        for value in values {
            let d = value - mean
            let d2 = d * d
            m2 += d2
            m3 += d2 * d
            m4 += d2 * d2
        }
        let std = values.count > 1 ? (m2 / (n - 1)).squareRoot() : .nan
        let constant = sorted.first == sorted.last
        var skew = Double.nan
        var kurt = Double.nan
        if values.count >= 3, !constant {
            skew = (n * (n - 1).squareRoot() / (n - 2)) * (m3 / (m2 * m2.squareRoot()))
        }
        if values.count >= 4, !constant {
            let numerator = n * (n + 1) * (n - 1) * m4
            let denominator = (n - 2) * (n - 3) * m2 * m2
            kurt = numerator / denominator - 3 * (n - 1) * (n - 1) / ((n - 2) * (n - 3))
        }
        return [
            n, constant ? sorted[0] : mean, constant && values.count > 1 ? 0 : std, sorted.first!, sorted.last!,
            quantile(sorted, 0.5), quantile(sorted, 0.25), quantile(sorted, 0.75), skew, kurt,
        ]
    }

    static func meta(_ series: DrawSeries, present: [Double]) -> [Double] {
        let rows = Double(series.count)
        let span =
            series.count > 0 ? Double(series.days.last!.daysSinceEpoch - series.days.first!.daysSinceEpoch) : .nan
        let gap = series.count > 1 ? span / (rows - 1) : .nan
        // The mode: the most frequent value, the smallest on a tie (deterministic).
        var mode = Double.nan
        var unique = 0.0
        let sorted = present.sorted()
        var index = 0
        var best = 0
        while index < sorted.count {
            var end = index
            while end < sorted.count, sorted[end] == sorted[index] { end += 1 }
            unique += 1
            if end - index > best {
                best = end - index
                mode = sorted[index]
            }
            index = end
        }
        let numbers = series.num.compactMap { $0 }
        let carry = series.co.compactMap { $0 }
        return [
            rows, rows - Double(present.count), span, gap, unique, mode,
            numbers.first.map(Double.init) ?? .nan, numbers.last.map(Double.init) ?? .nan,
            carry.isEmpty ? .nan : carry.reduce(0, +) / Double(carry.count), carry.max() ?? .nan,
            carry.isEmpty ? .nan : Double(carry.filter { $0 > 0 }.count) / Double(carry.count),
        ]
    }

    /// Linear interpolation between order statistics, as pandas' `quantile`.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let index = Int(position)
        let fraction = position - Double(index)
        if fraction == 0 { return sorted[index] }
        if q == 0.5 { return (sorted[index] + sorted[index + 1]) / 2 }
        return sorted[index] + (sorted[index + 1] - sorted[index]) * fraction
    }
}
