import LibPQ
import SoakGateBasics

/// The PostgreSQL store: tables created if missing, each batch loaded by `COPY` into a
/// temporary table and upserted from it, one transaction per batch.
///
/// The upsert rewrites only rows whose values differ, so a rerun changes nothing (0 rows).
public final class PostgresFeatureStore: FeatureStore {
    private let connection: PostgresConnection
    public var target: String { "postgresql://\(connection.target)" }

    /// Connects; errors name the server, never the password.
    public init(connectionString: String) throws {
        do {
            connection = try PostgresConnection(connectionString: connectionString)
        } catch let error as PostgresError {
            // The URL as given (secrets hidden): libpq may not have got as far as a host.
            throw LotoFeaturesError.store(target: Redaction.url(connectionString), problem: error.message)
        }
        // libpq prints NOTICEs ("relation already exists, skipping") to stderr by default.
        _ = try guarded { try connection.execute("SET client_min_messages = warning") }
    }

    public func prepare(_ tables: [FeatureTable]) throws {
        try guarded {
            for table in tables {
                let types =
                    table.keyColumns.map { "\($0) \($0 == "ds" ? "date" : "text") NOT NULL" }
                    + table.valueColumns.map { "\($0) double precision" } + table.textColumns.map { "\($0) text" }
                try connection.execute(
                    "CREATE TABLE IF NOT EXISTS \(table.name) (\(types.joined(separator: ", ")), PRIMARY KEY (\(table.keyColumns.joined(separator: ", "))))"
                )
                try connection.execute(
                    "CREATE INDEX IF NOT EXISTS \(table.name)_loto_ds ON \(table.name) (\(table.keyColumns.count == 3 ? "loto, ds" : "loto"))"
                )
                let found = try connection.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
                    [table.name])
                let names = (0..<found.rowCount).map { found.value(row: $0, column: 0) ?? "" }
                guard names == table.allColumns else {
                    throw LotoFeaturesError.store(
                        target: target,
                        problem: "table \(table.name) exists with other columns; drop it or use another database")
                }
                // A session's staging table, emptied at every commit.
                try connection.execute(
                    "CREATE TEMPORARY TABLE IF NOT EXISTS staging_\(table.name) (LIKE \(table.name)) ON COMMIT DELETE ROWS"
                )
            }
        }
    }

    public func write(_ batch: FeatureBatch) throws -> Int {
        try guarded {
            try connection.execute("BEGIN")
            do {
                var changed = 0
                for table in batch.blocks.keys.sorted() {
                    let target = self.target
                    try connection.copyIn("COPY staging_\(table.name) FROM STDIN") { copy in
                        for block in batch.blocks[table]! {
                            try block.check(for: table, target: target)
                            try Self.append(block, keyColumns: table.keyColumns.count, to: copy)
                        }
                    }
                    changed += try connection.execute(Self.upsertSQL(table)).affectedRows
                }
                try connection.execute("COMMIT")
                return changed
            } catch {
                _ = try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// One block's rows as COPY text, a line at a time: the key's fields and the texts are
    /// escaped once per block; days and numbers never hold a byte that needs escaping, so the
    /// line goes in as formatted text without a second scan.
    private static func append(_ block: FeatureBlock, keyColumns: Int, to copy: PostgresCopy) throws {
        let width = block.columnCount
        let key = copyTextField(block.key.loto) + "\t" + copyTextField(block.key.uniqueId)
        let texts = block.texts.map { copyTextField($0) }
        var line = ""
        line.reserveCapacity(key.utf8.count + 16 + width * 24 + texts.reduce(0) { $0 + $1.utf8.count + 1 })
        for row in 0..<block.rowCount {
            line.removeAll(keepingCapacity: true)
            line += key
            if keyColumns == 3 {
                line += "\t"
                line += block.days[row].description
            }
            for column in 0..<width {
                let value = block.values[row * width + column]
                line += "\t"
                // Swift's shortest round-trip form; PostgreSQL reads it back to the same double.
                line += value.isFinite ? value.description : "\\N"
            }
            for text in texts {
                line += "\t"
                line += text
            }
            line += "\n"
            try copy.appendFormatted(line)
        }
    }

    static func upsertSQL(_ table: FeatureTable) -> String {
        let updated = table.valueColumns + table.textColumns
        return """
            INSERT INTO \(table.name) SELECT * FROM staging_\(table.name)
            ON CONFLICT (\(table.keyColumns.joined(separator: ", "))) DO UPDATE SET \(updated.map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", "))
            WHERE (\(updated.map { "\(table.name).\($0)" }.joined(separator: ", "))) IS DISTINCT FROM (\(updated.map { "EXCLUDED.\($0)" }.joined(separator: ", ")))
            """
    }

    /// Rows in a table (for tests and the summary).
    public func rowCount(_ table: FeatureTable) throws -> Int {
        try guarded {
            Int(try connection.execute("SELECT count(*) FROM \(table.name)").value(row: 0, column: 0) ?? "0") ?? 0
        }
    }

    /// Rows and last day per series, from the key columns only; the day comes back as days
    /// since 1970-01-01, whatever the session's DateStyle.
    public func storedSeries(_ table: FeatureTable) throws -> [SeriesKey: StoredSeries] {
        let hasDay = table.keyColumns.contains("ds")
        return try guarded {
            let result = try connection.execute(
                "SELECT loto, unique_id, count(*)\(hasDay ? ", max(ds) - DATE '1970-01-01'" : "") FROM \(table.name) GROUP BY loto, unique_id"
            )
            var stored: [SeriesKey: StoredSeries] = [:]
            for row in 0..<result.rowCount {
                let key = SeriesKey(
                    loto: result.value(row: row, column: 0) ?? "", uniqueId: result.value(row: row, column: 1) ?? "")
                let lastDay =
                    hasDay
                    ? result.value(row: row, column: 3).flatMap(Int.init).map(CivilDay.init(daysSinceEpoch:)) : nil
                stored[key] = StoredSeries(
                    rows: result.value(row: row, column: 2).flatMap(Int.init) ?? 0, lastDay: lastDay)
            }
            return stored
        }
    }

    private func guarded<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PostgresError {
            throw LotoFeaturesError.store(
                target: "postgresql://\(error.target)",
                problem: error.message + (error.sqlState.map { " [SQLSTATE \($0)]" } ?? ""))
        }
    }
}
