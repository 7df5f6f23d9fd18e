/// P14, static: features_stat's series statistics, metadata, the series-level tsfeatures
/// (``TimeSeriesFeatures``) and the domain columns, one row per series.
///
/// Global statistics skip missing values, as pandas does; `std` has ddof = 1; skewness and
/// kurtosis are pandas' bias-corrected (adjusted Fisher–Pearson) estimators, NULL below 3 and
/// 4 values and for a constant series; `cv` is std / mean, NULL where the mean is 0.
/// `stat_series_frequency_days` is the mean gap between draws (span / (draws − 1)).
/// Domain: `stat_unique_id_category` is the unique_id without its trailing digits (`N1` →
/// `N`); `stat_loto_type` is the kind of game — `pick` (distinct numbers from a range: loto6,
/// loto7, miniloto), `bingo` (bingo5) or `digits` (numbers3, numbers4) — and the number range
/// is that of the position in the game; both NULL for a game this engine does not know.
/// `stat_loto_draw_count_total` counts the game's distinct draw days in the input.
public struct StaticPipeline: FeaturePipeline {
    public init() {}
    public var id: PipelineID { .p14 }
    public var title: String { "static" }
    public var reference: String { "pandas mean/std/skew/kurt; Nixtla tsfeatures 0.4.5 (freq = 1)" }
    public var columns: [FeatureColumn] {
        var columns = Self.stat(StatFeatures.globalColumns, id)
        columns += [
            FeatureColumn("stat_series_length", .integer, table: .stat, pipeline: id),
            FeatureColumn("stat_series_start_date", .date, table: .stat, pipeline: id),
            FeatureColumn("stat_series_end_date", .date, table: .stat, pipeline: id),
            FeatureColumn("stat_series_frequency_days", table: .stat, pipeline: id),
        ]
        columns += Self.stat(TimeSeriesFeatures.schemaColumns, id)
        columns[columns.firstIndex { $0.name == "stat_crossing_points" }!].type = .integer
        columns += [
            FeatureColumn("stat_unique_id_category", .text(maxLength: 10), table: .stat, pipeline: id),
            FeatureColumn("stat_loto_type", .text(maxLength: 50), table: .stat, pipeline: id),
        ]
        columns += Self.stat(
            ["stat_loto_number_range_min", "stat_loto_number_range_max", "stat_loto_draw_count_total"], id,
            type: .integer)
        columns += Self.stat(StatFeatures.extraColumns + TimeSeriesFeatures.extraColumns, id)
        return columns
    }

    public func compute(_ series: DrawSeries, context: SeriesContext) -> PipelineOutput {
        StatFeatures.compute(series, context: context)
    }
}

/// The computations of ``StaticPipeline``.
public enum StatFeatures {
    /// Global statistics of `y`, in column order.
    public static let globalColumns = ["mean", "std", "min", "max", "range", "cv", "skewness", "kurtosis"].map {
        "stat_y_global_\($0)"
    }
    /// This project's own columns: more statistics of `y`, its gaps and the draws' number and
    /// carry-over columns.
    public static let extraColumns = [
        "stat_y_count", "stat_y_median", "stat_y_q25", "stat_y_q75", "stat_n_missing", "stat_span_days",
        "stat_y_unique", "stat_y_mode", "stat_num_first", "stat_num_last", "stat_co_mean", "stat_co_max",
        "stat_co_share",
    ]

    /// The pipeline's values: numbers in the order of ``StaticPipeline/columns`` (its non-text
    /// columns), then the two texts.
    public static func compute(_ series: DrawSeries, context: SeriesContext = SeriesContext()) -> PipelineOutput {
        let present = series.y.filter { !$0.isNaN }
        let stats = global(present)
        let n = series.count
        let span = n > 0 ? Double(series.days[n - 1].daysSinceEpoch - series.days[0].daysSinceEpoch) : .nan
        var row = Array(stats[0..<8])
        row += [
            Double(n), n > 0 ? Double(series.days[0].daysSinceEpoch) : .nan,
            n > 0 ? Double(series.days[n - 1].daysSinceEpoch) : .nan, n > 1 ? span / Double(n - 1) : .nan,
        ]
        let ts = TimeSeriesFeatures.compute(present)
        row += TimeSeriesFeatures.schemaColumns.map { ts[TimeSeriesFeatures.columns.firstIndex(of: $0)!] }
        let position = Int(series.uniqueId.drop { !$0.isNumber })
        let range = context.game.flatMap { game in
            position.flatMap { (1...game.count).contains($0) ? game.range($0) : nil }
        }
        row += [
            range.map { Double($0.lowerBound) } ?? .nan, range.map { Double($0.upperBound) } ?? .nan,
            context.gameDrawCount.map(Double.init) ?? .nan,
        ]
        row += Array(stats[8...]) + meta(series, present: present, span: span)
        row += TimeSeriesFeatures.extraColumns.map { ts[TimeSeriesFeatures.columns.firstIndex(of: $0)!] }
        var category = String(series.uniqueId.reversed().drop { $0.isNumber }.reversed())
        if category.isEmpty { category = series.uniqueId }
        return PipelineOutput(
            stat: row, statTexts: [String(category.prefix(10)), context.game.map(\.kind)])
    }

    /// mean, std, min, max, range, cv, skewness, kurtosis, then count, median, q25, q75.
    static func global(_ values: [Double]) -> [Double] {
        let n = Double(values.count)
        guard !values.isEmpty else { return [Double](repeating: .nan, count: 8) + [0, .nan, .nan, .nan] }
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
        var std = values.count > 1 ? (m2 / (n - 1)).squareRoot() : .nan
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
        let center = constant ? sorted[0] : mean
        if constant && values.count > 1 { std = 0 }
        let low = sorted[0]
        let high = sorted[sorted.count - 1]
        return [
            center, std, low, high, high - low, center != 0 ? std / center : .nan, skew, kurt,
            n, quantile(sorted, 0.5), quantile(sorted, 0.25), quantile(sorted, 0.75),
        ]
    }

    /// stat_n_missing … stat_co_share.
    static func meta(_ series: DrawSeries, present: [Double], span: Double) -> [Double] {
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
            Double(series.count - present.count), span, unique, mode,
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
