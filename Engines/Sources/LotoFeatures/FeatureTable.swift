/// The three tables the engine writes and their keys; their columns are ``FeatureSchema``'s and
/// the pipelines' (``columns``), the one schema every store creates and checks against
/// (identifiers in SQL come only from here).
public enum FeatureTable: String, CaseIterable, Sendable, Comparable {
    case hist, futr, stat

    /// `features_hist`, `features_futr`, `features_stat`.
    public var name: String { "features_\(rawValue)" }

    /// The key: game, position and (for hist and futr) the day.
    public var keyColumns: [String] { self == .stat ? ["loto", "unique_id"] : ["loto", "unique_id", "ds"] }

    public static func < (lhs: FeatureTable, rhs: FeatureTable) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Parses `hist,futr,stat` (any subset, any order) into tables in table order.
    public static func parseList(_ text: String) throws -> [FeatureTable] {
        var tables: [FeatureTable] = []
        for part in text.split(separator: ",") {
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let table = FeatureTable(rawValue: name) ?? FeatureTable.allCases.first(where: { $0.name == name })
            else {
                throw LotoFeaturesError.usage(
                    "--tables: unknown table '\(name)'; use a comma-separated subset of hist,futr,stat, e.g. --tables hist,stat"
                )
            }
            if !tables.contains(table) { tables.append(table) }
        }
        guard !tables.isEmpty else {
            throw LotoFeaturesError.usage("--tables is empty; use e.g. --tables hist,futr,stat")
        }
        return tables.sorted()
    }
}

/// The features of one batch of series, per table, in series order.
public struct FeatureBatch: Sendable {
    /// Blocks per table; a table not generated has no entry.
    public var blocks: [FeatureTable: [FeatureBlock]] = [:]
    /// Seconds each chosen pipeline spent on the batch (summed over its series).
    public var pipelineSeconds: [Double] = []

    public init(blocks: [FeatureTable: [FeatureBlock]] = [:]) { self.blocks = blocks }

    /// Rows across every table.
    public var rowCount: Int { blocks.values.reduce(0) { $0 + $1.reduce(0) { $0 + $1.rowCount } } }

    /// Bytes held, for the governor.
    public var byteCount: Int { blocks.values.reduce(0) { $0 + $1.reduce(0) { $0 + $1.byteCount } } }
}

/// Where the features go: creates the tables, then writes one batch per transaction.
public protocol FeatureStore: AnyObject {
    /// `sqlite:PATH` or `postgresql://user@host:port/db`, never with a password.
    var target: String { get }
    /// Creates missing tables (every column of ``FeatureTable/columns``, keys, indexes) and
    /// checks that existing ones have exactly that schema; then writes go to the layouts'
    /// columns only, so a run of some pipelines leaves the other pipelines' columns as they are.
    func prepare(_ layouts: [TableLayout]) throws
    /// Upserts a batch in one transaction, whole or not at all; returns rows inserted or
    /// changed (rows whose values were already stored count zero; `updated_at` changes only
    /// on a changed row).
    func write(_ batch: FeatureBatch) throws -> Int
    /// What `table` holds per series, from one `GROUP BY loto, unique_id` query that reads only
    /// the key columns (`--resume` compares it with the input to skip finished series).
    func storedSeries(_ table: FeatureTable) throws -> [SeriesKey: StoredSeries]
    /// The tables that differ from this version's schema and how `migrate` would rebuild them.
    func migrationPlan() throws -> [TableMigration]
    /// Rebuilds every table of `migrationPlan()` in one transaction; returns the plan it carried out.
    func migrate() throws -> [TableMigration]
    /// Rows of `table` (optionally one game, one unique_id), key order, as CSV cells; the first
    /// call gives the header. Stops early when `body` returns false.
    func forEachRow(
        _ table: FeatureTable, loto: String?, uniqueId: String?, _ body: ([String]) throws -> Bool
    ) throws
    /// Per table: rows, series, date range, last update.
    func info() throws -> [TableInfo]
    /// Ends a run: builds what the store deferred until the rows were in (SQLite: the schema's
    /// secondary indexes of the tables this run created, one sort over the loaded rows instead of
    /// an insert per row). A run that stops early leaves them to the next run's `prepare`.
    func finish() throws
    /// Bytes the store's own cache holds now (SQLite's page cache; 0 for a store without one).
    var cacheBytes: Int { get }
    /// Empties the store's cache between transactions and returns about how many bytes that freed.
    func releaseCache() -> Int
    /// Light mode: keep the cache small until it is turned off again.
    func setLightMode(_ light: Bool)
}

extension FeatureStore {
    public var cacheBytes: Int { 0 }
    public func releaseCache() -> Int { 0 }
    public func finish() throws {}
    public func setLightMode(_ light: Bool) {}
}

/// One series as a table holds it: its rows and the last day among them (nil for
/// `features_stat`, whose key has no day).
public struct StoredSeries: Sendable, Equatable {
    public var rows: Int
    public var lastDay: CivilDay?

    public init(rows: Int, lastDay: CivilDay?) {
        self.rows = rows
        self.lastDay = lastDay
    }

    /// True when the rows are those of `series`: for a table keyed by day, one row per draw
    /// up to the series' last draw day; for `features_stat`, the row exists.
    public func isComplete(for series: DrawSeries, in table: FeatureTable) -> Bool {
        guard table.keyColumns.contains("ds") else { return rows >= 1 }
        return rows == series.count && lastDay != nil && lastDay == series.days.last
    }
}
