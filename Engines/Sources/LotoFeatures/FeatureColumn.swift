/// A column's SQL type, as `../shared/loto-schema.md` gives it. In a ``FeatureBlock`` every
/// non-text type is a `Double`: integers and booleans as whole numbers (1/0), a date as days
/// since 1970-01-01; NaN is NULL.
public enum ColumnType: Sendable, Hashable, CustomStringConvertible {
    case float
    case integer
    case boolean
    case date
    /// Text of at most this many characters.
    case text(maxLength: Int)

    public var isText: Bool {
        if case .text = self { return true }
        return false
    }

    /// The type in SQLite's `CREATE TABLE` (its declared type, which `pragma_table_info` returns).
    public var sqliteName: String {
        switch self {
        case .float: "REAL"
        case .integer: "INTEGER"
        case .boolean: "BOOLEAN"
        case .date: "DATE"
        case .text(let length): "VARCHAR(\(length))"
        }
    }

    /// The type in PostgreSQL's `CREATE TABLE`, as its `format_type` spells it.
    public var postgresName: String {
        switch self {
        case .float: "double precision"
        case .integer: "integer"
        case .boolean: "boolean"
        case .date: "date"
        case .text(let length): "character varying(\(length))"
        }
    }

    public var description: String { postgresName }
}

/// One value column of a feature table: its name, type, and the pipeline that computes it.
public struct FeatureColumn: Sendable, Hashable {
    public var name: String
    public var type: ColumnType
    public var table: FeatureTable
    public var pipeline: PipelineID

    public init(_ name: String, _ type: ColumnType = .float, table: FeatureTable, pipeline: PipelineID) {
        self.name = name
        self.type = type
        self.table = table
        self.pipeline = pipeline
    }
}

/// The tables' columns that downstream code reads by name, exactly as `../shared/loto-schema.md`
/// lists them and in its order. Columns this project adds come after them in every table.
public enum FeatureSchema {
    /// `loto` text ≤ 50, `unique_id` text ≤ 10.
    public static let lotoLength = 50
    public static let uniqueIdLength = 10

    /// The key columns' types (`ds` only in features_hist and features_futr).
    public static func keyType(_ column: String) -> ColumnType {
        switch column {
        case "loto": .text(maxLength: lotoLength)
        case "unique_id": .text(maxLength: uniqueIdLength)
        default: .date
        }
    }

    /// features_hist: the 9 lags, then 7 statistics for each of the 7 windows.
    public static let hist: [(String, ColumnType)] = {
        var columns = HistFeatures.lags.map { ("hist_y_lag\($0)", ColumnType.float) }
        for window in HistFeatures.windows {
            columns += HistFeatures.rollingStats.map { ("hist_y_roll_\($0)_w\(window)", .float) }
        }
        return columns
    }()

    /// features_futr: calendar, cyclic encodings, Fourier terms, holidays.
    public static let futr: [(String, ColumnType)] = {
        var columns: [(String, ColumnType)] = [
            "futr_ds_year", "futr_ds_quarter", "futr_ds_month", "futr_ds_week_of_year", "futr_ds_day_of_month",
            "futr_ds_day_of_year", "futr_ds_day_of_week", "futr_ds_days_in_month",
        ].map { ($0, .integer) }
        columns += [
            "futr_ds_is_weekend", "futr_ds_leapyear", "futr_ds_quarter_start", "futr_ds_quarter_end",
            "futr_ds_month_start", "futr_ds_month_end",
        ].map { ($0, .boolean) }
        columns += ["day", "week", "month", "quarter"].flatMap { ["futr_ds_\($0)_sin", "futr_ds_\($0)_cos"] }
            .map { ($0, .float) }
        columns += FutrFeatures.fourierColumns.map { ($0, .float) }
        columns += [
            ("futr_is_holiday", .boolean), ("futr_days_since_holiday", .integer), ("futr_days_until_holiday", .integer),
        ]
        return columns
    }()

    /// features_stat: series statistics, metadata, tsfeatures and the domain columns.
    public static let stat: [(String, ColumnType)] = {
        var columns = ["mean", "std", "min", "max", "range", "cv", "skewness", "kurtosis"].map {
            ("stat_y_global_\($0)", ColumnType.float)
        }
        columns += [
            ("stat_series_length", .integer), ("stat_series_start_date", .date), ("stat_series_end_date", .date),
            ("stat_series_frequency_days", .float),
        ]
        columns += [
            "stat_trend_strength", "stat_seasonality_strength", "stat_linearity", "stat_curvature", "stat_spikiness",
            "stat_stability", "stat_lumpiness", "stat_entropy_tsfeatures", "stat_hurst_exponent",
        ].map { ($0, .float) }
        columns += [("stat_crossing_points", .integer), ("stat_flat_spots", .float)]
        columns += [
            ("stat_unique_id_category", .text(maxLength: 10)), ("stat_loto_type", .text(maxLength: 50)),
            ("stat_loto_number_range_min", .integer), ("stat_loto_number_range_max", .integer),
            ("stat_loto_draw_count_total", .integer),
        ]
        return columns
    }()

    /// The schema's columns of `table`, in order.
    public static func columns(of table: FeatureTable) -> [(String, ColumnType)] {
        switch table {
        case .hist: hist
        case .futr: futr
        case .stat: stat
        }
    }

    /// `created_at` and `updated_at`: after the schema's columns, before this project's own.
    public static let timestampColumns = ["created_at", "updated_at"]
}
