import LibPQ
import SoakGateBasics

/// The PostgreSQL store: tables created if missing, each batch loaded by `COPY` into a
/// temporary table and upserted from it, one transaction per batch.
///
/// The upsert rewrites only rows whose values differ, so a rerun changes nothing (0 rows).
public final class PostgresFeatureStore: FeatureStore {
    /// The store's one connection; the work queue (``PostgresWorkQueue``) shares it so that a
    /// series is marked done in the transaction that writes its rows.
    let connection: PostgresConnection
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

    public func prepare(_ layouts: [TableLayout]) throws {
        try guarded {
            for layout in layouts {
                let table = layout.table
                if let found = try storedColumns(table) {
                    if let difference = schemaDifference(table, found: found, dialect: .postgres) {
                        throw LotoFeaturesError.store(
                            target: target, problem: SQLiteFeatureStore.refusal(table, difference, target: target))
                    }
                } else {
                    try connection.execute(SQLDialect.postgres.createTable(table, named: table.name))
                }
                for statement in SQLDialect.postgres.createIndexes(table) { try connection.execute(statement) }
                // A session's staging table, emptied at every commit.
                try connection.execute(
                    "CREATE TEMPORARY TABLE IF NOT EXISTS staging_\(table.name) (LIKE \(table.name) INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
                )
                self.layouts[table] = layout
            }
        }
    }

    private var layouts: [FeatureTable: TableLayout] = [:]

    /// The table's columns in order (types as `format_type` spells them), nil when there is none.
    private func storedColumns(_ table: FeatureTable) throws -> [StoredColumn]? {
        let found = try connection.execute(
            """
            SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relname = $1 AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum
            """, [table.name])
        guard found.rowCount > 0 else { return nil }
        return (0..<found.rowCount).map {
            StoredColumn(name: found.value(row: $0, column: 0) ?? "", type: found.value(row: $0, column: 1) ?? "")
        }
    }

    public func migrationPlan() throws -> [TableMigration] {
        try guarded {
            var plans: [TableMigration] = []
            for table in FeatureTable.allCases {
                guard let found = try storedColumns(table),
                    schemaDifference(table, found: found, dialect: .postgres) != nil
                else { continue }
                let rows =
                    Int(try connection.execute("SELECT count(*) FROM \(table.name)").value(row: 0, column: 0) ?? "0")
                    ?? 0
                plans.append(TableMigration(table: table, found: found, rows: rows, dialect: .postgres))
            }
            return plans
        }
    }

    public func migrate() throws -> [TableMigration] {
        try guarded {
            try connection.execute("BEGIN")
            do {
                let plans = try migrationPlan()
                for plan in plans {
                    for statement in plan.statements(dialect: .postgres) { try connection.execute(statement) }
                }
                try connection.execute("COMMIT")
                return plans
            } catch {
                _ = try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    public func forEachRow(
        _ table: FeatureTable, loto: String?, uniqueId: String?, _ body: ([String]) throws -> Bool
    ) throws {
        try guarded {
            guard let found = try storedColumns(table) else {
                throw LotoFeaturesError.store(
                    target: target, problem: "there is no table \(table.name) yet; run loto-features generate first")
            }
            guard try body(found.map(\.name)) else { return }
            let types = found.map { SQLDialect.postgres.type(of: $0.name, in: table) }
            // A cursor, a thousand rows at a time: a whole table never sits in memory at once.
            try connection.execute("BEGIN")
            defer { _ = try? connection.execute("ROLLBACK") }
            try connection.execute(
                "DECLARE show_rows NO SCROLL CURSOR FOR SELECT * FROM \(table.name) WHERE ($1::text IS NULL OR loto = $1) AND ($2::text IS NULL OR unique_id = $2) ORDER BY \(table.keyColumns.joined(separator: ", "))",
                [loto, uniqueId])
            while true {
                let page = try connection.execute("FETCH 1000 FROM show_rows")
                guard page.rowCount > 0 else { return }
                for row in 0..<page.rowCount {
                    let cells = types.enumerated().map { column, type in
                        CSVCell.format(page.value(row: row, column: column), type: type)
                    }
                    guard try body(cells) else { return }
                }
            }
        }
    }

    public func info() throws -> [TableInfo] {
        try guarded {
            try FeatureTable.allCases.map { table in
                guard try storedColumns(table) != nil else {
                    return TableInfo(table: table, exists: false, rows: 0, series: 0)
                }
                let (first, last) =
                    table == .stat
                    ? ("min(stat_series_start_date)", "max(stat_series_end_date)") : ("min(ds)", "max(ds)")
                let result = try connection.execute(
                    "SELECT count(*), (SELECT count(*) FROM (SELECT 1 FROM \(table.name) GROUP BY loto, unique_id) s), to_char(\(first), 'YYYY-MM-DD'), to_char(\(last), 'YYYY-MM-DD'), to_char(max(updated_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM \(table.name)"
                )
                return TableInfo(
                    table: table, exists: true, rows: Int(result.value(row: 0, column: 0) ?? "") ?? 0,
                    series: Int(result.value(row: 0, column: 1) ?? "") ?? 0, firstDay: result.value(row: 0, column: 2),
                    lastDay: result.value(row: 0, column: 3), lastUpdate: result.value(row: 0, column: 4))
            }
        }
    }

    public func write(_ batch: FeatureBatch) throws -> Int {
        try write(batch, beforeCommit: nil)
    }

    /// Writes `batch` in one transaction and runs `beforeCommit` inside it, last: what it
    /// throws rolls the whole batch back.
    func write(_ batch: FeatureBatch, beforeCommit: ((PostgresConnection) throws -> Void)?) throws -> Int {
        try guarded {
            try connection.execute("BEGIN")
            do {
                var changed = 0
                for table in batch.blocks.keys.sorted() {
                    let target = self.target
                    guard let layout = layouts[table] else {
                        throw LotoFeaturesError.store(target: target, problem: "table \(table.name) was not prepared")
                    }
                    let columns = (table.keyColumns + layout.columns.map(\.name)).joined(separator: ", ")
                    try connection.copyIn("COPY staging_\(table.name) (\(columns)) FROM STDIN") { copy in
                        for block in batch.blocks[table]! {
                            try block.check(for: layout, target: target)
                            try Self.append(block, layout: layout, to: copy)
                        }
                    }
                    changed += try connection.execute(Self.upsertSQL(layout)).affectedRows
                }
                try beforeCommit?(connection)
                try connection.execute("COMMIT")
                return changed
            } catch {
                _ = try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// One block's rows as COPY text, a line at a time, in the layout's column order: the key's
    /// fields and the texts are escaped once per block; days and numbers never hold a byte that
    /// needs escaping, so the line goes in as formatted text without a second scan.
    private static func append(_ block: FeatureBlock, layout: TableLayout, to copy: PostgresCopy) throws {
        let width = block.columnCount
        let key = copyTextField(block.key.loto) + "\t" + copyTextField(block.key.uniqueId)
        let texts = block.texts.map { copyTextField($0) }
        var numeric = 0
        var textIndex = 0
        let plan: [(type: ColumnType, index: Int)] = layout.columns.map { column in
            if column.type.isText {
                textIndex += 1
                return (column.type, textIndex - 1)
            }
            numeric += 1
            return (column.type, numeric - 1)
        }
        var line = ""
        line.reserveCapacity(key.utf8.count + 16 + width * 24 + texts.reduce(0) { $0 + $1.utf8.count + 1 })
        for row in 0..<block.rowCount {
            line.removeAll(keepingCapacity: true)
            line += key
            if layout.table.keyColumns.count == 3 {
                line += "\t"
                line += block.days[row].description
            }
            for (type, index) in plan {
                line += "\t"
                if case .text = type {
                    line += texts[index]
                    continue
                }
                let value = block.values[row * width + index]
                guard value.isFinite else {
                    line += "\\N"
                    continue
                }
                switch type {
                // Swift's shortest round-trip form; PostgreSQL reads it back to the same double.
                case .float: line += value.description
                case .integer: line += Int(exactly: value.rounded()).map(String.init) ?? "\\N"
                case .boolean: line += value != 0 ? "t" : "f"
                case .date: line += Int(exactly: value).map { CivilDay(daysSinceEpoch: $0).description } ?? "\\N"
                case .text: break
                }
            }
            line += "\n"
            try copy.appendFormatted(line)
        }
    }

    static func upsertSQL(_ layout: TableLayout) -> String {
        let table = layout.table
        let updated = layout.columns.map(\.name)
        let columns = (table.keyColumns + updated).joined(separator: ", ")
        return """
            INSERT INTO \(table.name) (\(columns)) SELECT \(columns) FROM staging_\(table.name)
            ON CONFLICT (\(table.keyColumns.joined(separator: ", "))) DO UPDATE SET \(updated.map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")), updated_at = now()
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

    func guarded<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PostgresError {
            throw LotoFeaturesError.store(
                target: "postgresql://\(error.target)",
                problem: error.message + (error.sqlState.map { " [SQLSTATE \($0)]" } ?? ""))
        }
    }
}
