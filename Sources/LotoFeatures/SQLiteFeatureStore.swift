/// The embedded store: one SQLite file, tables created if missing, idempotent upserts by key,
/// one transaction per batch.
///
/// An upsert only rewrites a row whose values differ, so a rerun over the same input changes
/// nothing (and reports 0 rows) and a run over extended input adds only the new rows.
public final class SQLiteFeatureStore: FeatureStore {
    private let database: SQLiteDatabase
    private var upserts: [FeatureTable: SQLiteStatement] = [:]
    public var target: String { "sqlite:\(database.path)" }

    /// Opens (creating if missing) the file at `path`. Tables are clustered on their key
    /// (`WITHOUT ROWID`): one b-tree fewer to update per row than a rowid table with a key index.
    public init(path: String) throws {
        database = try SQLiteDatabase(path: path)
        // WAL keeps readers working during a run; NORMAL sync is durable at each commit in WAL.
        // A 32 MiB page cache keeps the key and index pages of a large load resident.
        try database.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-32768")
    }

    public func prepare(_ tables: [FeatureTable]) throws {
        for table in tables {
            let types = table.keyColumns.map { "\($0) TEXT NOT NULL" } + table.valueColumns.map { "\($0) REAL" } + table.textColumns.map { "\($0) TEXT" }
            try database.execute("""
                CREATE TABLE IF NOT EXISTS \(table.name) (\(types.joined(separator: ", ")), PRIMARY KEY (\(table.keyColumns.joined(separator: ", ")))) WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS \(table.name)_loto_ds ON \(table.name) (\(table.keyColumns.count == 3 ? "loto, ds" : "loto"));
                """)
            try checkColumns(of: table)
            upserts[table] = try database.prepare(Self.upsertSQL(table))
        }
    }

    /// Refuses a table of the same name whose columns are not this schema's.
    private func checkColumns(of table: FeatureTable) throws {
        let statement = try database.prepare("SELECT name FROM pragma_table_info(?) ORDER BY cid")
        statement.bind(table.name, at: 1)
        var found: [String] = []
        while try statement.step() { found.append(statement.text(0) ?? "") }
        guard found == table.allColumns else {
            let missing = table.allColumns.filter { !found.contains($0) }
            throw database.failure("table \(table.name) exists with other columns (\(missing.count) missing, e.g. \(missing.first ?? found.first ?? "?")); drop it or use another --store file")
        }
    }

    static func upsertSQL(_ table: FeatureTable) -> String {
        let columns = table.allColumns
        let updated = table.valueColumns + table.textColumns
        return """
            INSERT INTO \(table.name) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))
            ON CONFLICT (\(table.keyColumns.joined(separator: ", "))) DO UPDATE SET \(updated.map { "\($0) = excluded.\($0)" }.joined(separator: ", "))
            WHERE \(updated.map { "\(table.name).\($0) IS NOT excluded.\($0)" }.joined(separator: " OR "))
            """
    }

    public func write(_ batch: FeatureBatch) throws -> Int {
        try database.execute("BEGIN IMMEDIATE")
        do {
            var changed = 0
            for table in batch.blocks.keys.sorted() {
                guard let statement = upserts[table] else { throw database.failure("table \(table.name) was not prepared") }
                for block in batch.blocks[table]! {
                    changed += try write(block, of: table, with: statement)
                }
            }
            try database.execute("COMMIT")
            return changed
        } catch {
            try? database.execute("ROLLBACK")
            throw error
        }
    }

    private func write(_ block: FeatureBlock, of table: FeatureTable, with statement: SQLiteStatement) throws -> Int {
        try block.check(for: table, target: target)
        var changed = 0
        let width = block.columnCount
        let keyCount = Int32(table.keyColumns.count)
        try block.values.withUnsafeBufferPointer { values in
            for row in 0..<block.rowCount {
                statement.bind(block.key.loto, at: 1)
                statement.bind(block.key.uniqueId, at: 2)
                if keyCount == 3 { statement.bind(block.days[row].description, at: 3) }
                for column in 0..<width {
                    statement.bind(values[row * width + column], at: keyCount + 1 + Int32(column))
                }
                for (offset, text) in block.texts.enumerated() {
                    statement.bind(text, at: keyCount + 1 + Int32(width + offset))
                }
                changed += try statement.run()
            }
        }
        return changed
    }

    /// Rows in a table (for tests and the summary).
    public func rowCount(_ table: FeatureTable) throws -> Int {
        let statement = try database.prepare("SELECT count(*) FROM \(table.name)")
        _ = try statement.step()
        return statement.int(0)
    }
}
