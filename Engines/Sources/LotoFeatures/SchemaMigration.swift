import Foundation

/// A column as a store's catalogue reports it: name and type in the store's own words.
public struct StoredColumn: Sendable, Equatable {
    public var name: String
    public var type: String

    public init(name: String, type: String) {
        self.name = name
        self.type = type
    }
}

/// The SQL dialect of a store: type names and the casts a migration copies values with.
enum SQLDialect {
    case sqlite, postgres

    /// Every column of `table` as the store creates it: key, schema columns, timestamps, this
    /// project's own columns.
    func columns(of table: FeatureTable) -> [StoredColumn] {
        let values = table.columns
        let schema = values[..<table.schemaColumnCount]
        let own = values[table.schemaColumnCount...]
        return table.keyColumns.map { StoredColumn(name: $0, type: typeName(FeatureSchema.keyType($0))) }
            + schema.map { StoredColumn(name: $0.name, type: typeName($0.type)) }
            + FeatureSchema.timestampColumns.map { StoredColumn(name: $0, type: timestampType) }
            + own.map { StoredColumn(name: $0.name, type: typeName($0.type)) }
    }

    func typeName(_ type: ColumnType) -> String {
        self == .sqlite ? type.sqliteName : type.postgresName
    }

    var timestampType: String { self == .sqlite ? "TIMESTAMP" : "timestamp with time zone" }
    var now: String { self == .sqlite ? "CURRENT_TIMESTAMP" : "now()" }

    /// `CREATE TABLE` with every column, the key as primary key, timestamps defaulting to now.
    func createTable(_ table: FeatureTable, named name: String) -> String {
        let definitions = columns(of: table).map { column in
            if table.keyColumns.contains(column.name) { return "\(column.name) \(column.type) NOT NULL" }
            if FeatureSchema.timestampColumns.contains(column.name) {
                return "\(column.name) \(column.type) NOT NULL DEFAULT \(now)"
            }
            return "\(column.name) \(column.type)"
        }
        return
            "CREATE TABLE \(name) (\(definitions.joined(separator: ", ")), PRIMARY KEY (\(table.keyColumns.joined(separator: ", "))))"
    }

    /// The schema's indexes: `(loto, unique_id)` and, where the key has a day, `(ds)`.
    func createIndexes(_ table: FeatureTable) -> [String] {
        var statements = [
            "CREATE INDEX IF NOT EXISTS \(table.name)_loto_unique_id ON \(table.name) (loto, unique_id)"
        ]
        if table.keyColumns.contains("ds") {
            statements.append("CREATE INDEX IF NOT EXISTS \(table.name)_ds ON \(table.name) (ds)")
        }
        return statements
    }

    /// `source` converted to `type` (a migration copies an old REAL into an INTEGER column).
    func cast(_ source: String, to type: ColumnType) -> String {
        switch (self, type) {
        case (.sqlite, .float): "CAST(\(source) AS REAL)"
        case (.sqlite, .integer), (.sqlite, .boolean): "CAST(\(source) AS INTEGER)"
        case (.sqlite, _): source
        case (.postgres, .float): "\(source)::double precision"
        case (.postgres, .integer): "round(\(source)::double precision)::integer"
        case (.postgres, .boolean): "(\(source)::double precision <> 0)"
        case (.postgres, .date): "\(source)::date"
        case (.postgres, .text(let length)): "\(source)::varchar(\(length))"
        }
    }

    /// The type of a stored column, key and timestamp columns included.
    func type(of column: String, in table: FeatureTable) -> ColumnType? {
        if table.keyColumns.contains(column) { return FeatureSchema.keyType(column) }
        return table.columns.first { $0.name == column }?.type
    }
}

/// The first place a stored table differs from this version's schema, as one line.
func schemaDifference(_ table: FeatureTable, found: [StoredColumn], dialect: SQLDialect) -> String? {
    let expected = dialect.columns(of: table)
    for (index, column) in expected.enumerated() {
        guard index < found.count else {
            return "column \(index + 1) should be \(column.name) and is missing"
        }
        if found[index].name != column.name {
            return "column \(index + 1) is \(found[index].name) where the schema has \(column.name)"
        }
        if found[index].type.lowercased() != column.type.lowercased() {
            return "column \(column.name) is \(found[index].type) where the schema has \(column.type)"
        }
    }
    if found.count > expected.count {
        return "column \(expected.count + 1), \(found[expected.count].name), is not in the schema"
    }
    return nil
}

/// What `loto-features migrate` does to one table that has an earlier column set.
public struct TableMigration: Sendable, Equatable {
    public var table: FeatureTable
    /// Rows the table holds; all are kept.
    public var rows: Int
    /// Earlier columns whose values move to a column of another name.
    public var renamed: [Rename]
    /// Columns the schema has and the table does not: NULL until the next `generate`.
    public var added: [String]
    /// Earlier columns this version does not have: their values are dropped.
    public var dropped: [String]
    /// Columns kept under their name whose type changes.
    public var retyped: [String]
    /// The copy: per schema column, the old column it comes from (nil: added).
    var sources: [(column: String, from: String?)]

    public struct Rename: Sendable, Equatable {
        public var from: String
        public var to: String
    }

    public static func == (lhs: TableMigration, rhs: TableMigration) -> Bool {
        lhs.table == rhs.table && lhs.rows == rhs.rows && lhs.renamed == rhs.renamed && lhs.added == rhs.added
            && lhs.dropped == rhs.dropped && lhs.retyped == rhs.retyped
    }

    /// The plan for a table whose stored columns are `found`.
    init(table: FeatureTable, found: [StoredColumn], rows: Int, dialect: SQLDialect) {
        self.table = table
        self.rows = rows
        let foundNames = Set(found.map(\.name))
        let legacy = LegacyColumns.renames
        var used = Set<String>()
        var sources: [(String, String?)] = []
        var renamed: [Rename] = []
        var added: [String] = []
        var retyped: [String] = []
        for column in dialect.columns(of: table) where !FeatureSchema.timestampColumns.contains(column.name) {
            if foundNames.contains(column.name) {
                sources.append((column.name, column.name))
                used.insert(column.name)
                if let old = found.first(where: { $0.name == column.name }),
                    old.type.lowercased() != column.type.lowercased()
                {
                    retyped.append("\(column.name) \(old.type) → \(column.type)")
                }
            } else if let old = legacy.first(where: { $0.value == column.name && foundNames.contains($0.key) })?.key {
                sources.append((column.name, old))
                used.insert(old)
                renamed.append(Rename(from: old, to: column.name))
            } else {
                sources.append((column.name, nil))
                added.append(column.name)
            }
        }
        self.sources = sources
        self.renamed = renamed.sorted { $0.to < $1.to }
        self.added = added
        self.retyped = retyped
        dropped = found.map(\.name).filter { !used.contains($0) && !FeatureSchema.timestampColumns.contains($0) }
    }

    /// The statements that rebuild the table in this version's schema, keeping every row:
    /// a new table, the copy, the old one dropped, the new one renamed, the indexes.
    func statements(dialect: SQLDialect) -> [String] {
        let staging = "\(table.name)__migrating"
        let targets = sources.map(\.column)
        let values = sources.map { column, from in
            guard let from else { return "NULL" }
            return dialect.type(of: column, in: table).map { dialect.cast(from, to: $0) } ?? from
        }
        return [
            "DROP TABLE IF EXISTS \(staging)",
            dialect.createTable(table, named: staging),
            "INSERT INTO \(staging) (\(targets.joined(separator: ", "))) SELECT \(values.joined(separator: ", ")) FROM \(table.name)",
            "DROP TABLE \(table.name)",
            "ALTER TABLE \(staging) RENAME TO \(table.name)",
        ] + dialect.createIndexes(table)
    }

    /// The dry run's lines for this table.
    public var summary: [String] {
        var lines = ["\(table.name): rebuild in the current schema, keeping its \(rows) rows"]
        if !renamed.isEmpty {
            lines.append(
                "  rename \(renamed.count): " + renamed.map { "\($0.from) → \($0.to)" }.joined(separator: ", "))
        }
        if !retyped.isEmpty { lines.append("  retype \(retyped.count): " + retyped.joined(separator: ", ")) }
        if !added.isEmpty {
            lines.append(
                "  add \(added.count) (NULL until the next generate without --resume): " + added.joined(separator: ", ")
            )
        }
        if !dropped.isEmpty { lines.append("  drop \(dropped.count): " + dropped.joined(separator: ", ")) }
        return lines
    }
}

/// Columns of earlier versions and their names in the schema (values unchanged).
public enum LegacyColumns {
    public static let renames: [String: String] = [
        "futr_ds_week": "futr_ds_week_of_year", "futr_ds_day": "futr_ds_day_of_month",
        "futr_ds_dayofweek": "futr_ds_day_of_week", "futr_ds_dayofyear": "futr_ds_day_of_year",
        "futr_month_sin": "futr_ds_month_sin", "futr_month_cos": "futr_ds_month_cos",
        "stat_y_mean": "stat_y_global_mean", "stat_y_std": "stat_y_global_std", "stat_y_min": "stat_y_global_min",
        "stat_y_max": "stat_y_global_max", "stat_y_skew": "stat_y_global_skewness",
        "stat_y_kurt": "stat_y_global_kurtosis", "stat_n_rows": "stat_series_length",
        "stat_first_ds": "stat_series_start_date", "stat_last_ds": "stat_series_end_date",
        "stat_mean_gap_days": "stat_series_frequency_days", "stat_ts_linearity": "stat_linearity",
        "stat_ts_curvature": "stat_curvature", "stat_ts_spike": "stat_spikiness", "stat_ts_stability": "stat_stability",
        "stat_ts_lumpiness": "stat_lumpiness", "stat_ts_entropy": "stat_entropy_tsfeatures",
        "stat_ts_hurst": "stat_hurst_exponent", "stat_ts_crossing_points": "stat_crossing_points",
        "stat_ts_flat_spots": "stat_flat_spots",
    ]
}

/// What `loto-features info` prints per table.
public struct TableInfo: Sendable, Equatable {
    public var table: FeatureTable
    /// False when the store has no such table yet.
    public var exists: Bool
    public var rows: Int
    public var series: Int
    /// The first and last day the rows cover (features_stat: its series' start and end dates).
    public var firstDay: String?
    public var lastDay: String?
    /// The latest `updated_at`.
    public var lastUpdate: String?

    public init(
        table: FeatureTable, exists: Bool, rows: Int, series: Int, firstDay: String? = nil, lastDay: String? = nil,
        lastUpdate: String? = nil
    ) {
        self.table = table
        self.exists = exists
        self.rows = rows
        self.series = series
        self.firstDay = firstDay
        self.lastDay = lastDay
        self.lastUpdate = lastUpdate
    }

    public var line: String {
        guard exists else { return "\(table.name): not created yet" }
        let range = firstDay.map { "\($0) to \(lastDay ?? "?")" } ?? "no days"
        return "\(table.name): \(rows) rows, \(series) series, \(range), last update \(lastUpdate ?? "never")"
    }
}

/// Rows read back for `loto-features show`: values as CSV text in the store-independent form
/// (numbers in Swift's shortest round-trip form, booleans `true`/`false`, days `YYYY-MM-DD`).
enum CSVCell {
    /// A stored value's text in the common form, by the column's type; nil is NULL.
    static func format(_ text: String?, type: ColumnType?) -> String {
        guard let text else { return "" }
        switch type {
        case .float?: return Double(text).map { $0.description } ?? text
        case .integer?: return Double(text).flatMap { Int(exactly: $0) }.map(String.init) ?? text
        case .boolean?:
            return text == "t" || text == "1" || text == "true" ? "true" : text == "f" || text == "0" ? "false" : text
        default: return quoted(text)
        }
    }

    /// RFC 4180 quoting where the text needs it.
    static func quoted(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
