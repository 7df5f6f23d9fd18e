import CSQLite

/// The embedded store: one SQLite file, tables created if missing, idempotent upserts by key,
/// one transaction per batch.
///
/// An upsert only rewrites a row whose values differ, so a rerun over the same input changes
/// nothing (and reports 0 rows) and a run over extended input adds only the new rows.
public final class SQLiteFeatureStore: FeatureStore {
    private let database: SQLiteDatabase
    private var upserts: [FeatureTable: (statement: SQLiteStatement, layout: TableLayout)] = [:]
    public var target: String { "sqlite:\(database.path)" }

    /// Opens (creating if missing) the file at `path`.
    public init(path: String) throws {
        database = try SQLiteDatabase(path: path)
        // 64 KiB pages: a features_hist row is about 700 bytes (75 REAL columns), so 4 KiB pages
        // hold five of them and every few rows split a page. page_size only takes effect on a
        // new, empty file and must come before WAL and the first table; an existing file keeps
        // its page size (the pragma is then a no-op).
        // WAL keeps readers working during a run; NORMAL sync is durable at each commit in WAL.
        // A 32 MiB page cache keeps the key and index pages of a large load resident.
        try database.execute(
            "PRAGMA page_size=65536; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=\(Self.cacheKiB)"
        )
    }

    /// Creates missing tables as rowid tables whose key is a PRIMARY KEY (a unique index), plus
    /// the schema's `(loto, unique_id)` and `(ds)` indexes. Not `WITHOUT ROWID`: that clusters
    /// whole ~1 KB rows in an index b-tree (interior pages included), which SQLite's
    /// documentation advises against for large rows, and measured slower for a 2,000,000-row
    /// load. A table with another column set is refused, naming its first difference: nothing
    /// is written until `loto-features migrate` rebuilds it.
    public func prepare(_ layouts: [TableLayout]) throws {
        for layout in layouts {
            let table = layout.table
            if let found = try storedColumns(table) {
                if let difference = schemaDifference(table, found: found, dialect: .sqlite) {
                    throw database.failure(Self.refusal(table, difference, target: target))
                }
                // Built here if a run that created the table stopped before `finish`.
                for statement in SQLDialect.sqlite.createIndexes(table) { try database.execute(statement) }
            } else {
                try database.execute(SQLDialect.sqlite.createTable(table, named: table.name))
                deferredIndexes.insert(table)
            }
            upserts[table] = (try database.prepare(Self.upsertSQL(layout)), layout)
        }
    }

    /// The `CREATE TABLE` this store runs for a missing table (every column, the key, timestamps
    /// defaulting to now).
    public static func createTableSQL(_ table: FeatureTable) -> String {
        SQLDialect.sqlite.createTable(table, named: table.name)
    }

    /// Tables this store created whose secondary indexes wait for ``finish()``.
    private var deferredIndexes: Set<FeatureTable> = []

    /// Builds the `(loto, unique_id)` and `(ds)` indexes of the tables this run created, after
    /// the load: measured on 2,000,000 rows, an index built row by row cost about three times
    /// a `CREATE INDEX` over the loaded table.
    public func finish() throws {
        for table in deferredIndexes.sorted() {
            for statement in SQLDialect.sqlite.createIndexes(table) { try database.execute(statement) }
        }
        deferredIndexes.removeAll()
    }

    /// The one line that refuses a table of another schema, with the command to type.
    static func refusal(_ table: FeatureTable, _ difference: String, target: String) -> String {
        "table \(table.name) does not have this version's schema (\(difference)); nothing was written. See what a migration does with: loto-features migrate --store \(target) --dry-run"
    }

    /// The table's columns in order, nil when there is no such table.
    private func storedColumns(_ table: FeatureTable) throws -> [StoredColumn]? {
        let statement = try database.prepare("SELECT name, type FROM pragma_table_info(?) ORDER BY cid")
        statement.bind(table.name, at: 1)
        var found: [StoredColumn] = []
        while try statement.step() {
            found.append(StoredColumn(name: statement.text(0) ?? "", type: statement.text(1) ?? ""))
        }
        return found.isEmpty ? nil : found
    }

    public func migrationPlan() throws -> [TableMigration] {
        var plans: [TableMigration] = []
        for table in FeatureTable.allCases {
            guard let found = try storedColumns(table),
                schemaDifference(table, found: found, dialect: .sqlite) != nil
            else { continue }
            plans.append(TableMigration(table: table, found: found, rows: try rowCount(table), dialect: .sqlite))
        }
        return plans
    }

    public func migrate() throws -> [TableMigration] {
        try database.execute("BEGIN IMMEDIATE")
        do {
            let plans = try migrationPlan()
            for plan in plans {
                for statement in plan.statements(dialect: .sqlite) { try database.execute(statement) }
            }
            try database.execute("COMMIT")
            return plans
        } catch {
            try? database.execute("ROLLBACK")
            throw error
        }
    }

    static func upsertSQL(_ layout: TableLayout) -> String {
        let table = layout.table
        let updated = layout.columns.map(\.name)
        let columns = table.keyColumns + updated
        return """
            INSERT INTO \(table.name) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))
            ON CONFLICT (\(table.keyColumns.joined(separator: ", "))) DO UPDATE SET \(updated.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")), updated_at = CURRENT_TIMESTAMP
            WHERE \(updated.map { "\(table.name).\($0) IS NOT excluded.\($0)" }.joined(separator: " OR "))
            """
    }

    public func write(_ batch: FeatureBatch) throws -> Int {
        try database.execute("BEGIN IMMEDIATE")
        do {
            var changed = 0
            for table in batch.blocks.keys.sorted() {
                guard let (statement, layout) = upserts[table] else {
                    throw database.failure("table \(table.name) was not prepared")
                }
                changed += try write(batch.blocks[table]!, of: layout, with: statement)
            }
            try database.execute("COMMIT")
            return changed
        } catch {
            try? database.execute("ROLLBACK")
            throw error
        }
    }

    /// One row of a batch: its block and row in the block.
    private struct RowRef {
        var loto: Int32
        var day: Int
        var block: Int32
        var row: Int32
    }

    /// The rows of a table's blocks in the order of its `(loto, ds)` index: day by day across
    /// the batch's series rather than series by series, so the index is filled in one sweep
    /// per batch instead of at 2,000 scattered places per series (the key index and the
    /// table's rowids do not mind the order). Tables without a day keep block order.
    private static func indexOrder(_ blocks: [FeatureBlock], days: Bool) -> [RowRef] {
        let lotos = Set(blocks.map(\.key.loto)).sorted()
        var rows: [RowRef] = []
        rows.reserveCapacity(blocks.reduce(0) { $0 + $1.rowCount })
        for (index, block) in blocks.enumerated() {
            let loto = Int32(lotos.firstIndex(of: block.key.loto)!)
            for row in 0..<block.rowCount {
                rows.append(
                    RowRef(
                        loto: loto, day: days ? block.days[row].daysSinceEpoch : 0, block: Int32(index), row: Int32(row)
                    ))
            }
        }
        if days { rows.sort { ($0.loto, $0.day, $0.block) < ($1.loto, $1.day, $1.block) } }
        return rows
    }

    private func write(_ blocks: [FeatureBlock], of layout: TableLayout, with statement: SQLiteStatement) throws -> Int
    {
        let table = layout.table
        for block in blocks { try block.check(for: layout, target: target) }
        // Each layout column's parameter: its value or text index and its type.
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
        let hasDay = table.keyColumns.count == 3
        let keyCount = Int32(table.keyColumns.count)
        // The key texts of every block in one buffer, bound without copying; unbound below
        // before the buffer goes away.
        var keyBytes: [UInt8] = []
        var keySpans: [(loto: Range<Int>, uniqueId: Range<Int>)] = []
        for block in blocks {
            let loto = keyBytes.count
            keyBytes += block.key.loto.utf8
            let uniqueId = keyBytes.count
            keyBytes += block.key.uniqueId.utf8
            keySpans.append((loto..<uniqueId, uniqueId..<keyBytes.count))
        }
        defer {
            statement.bind(nil as String?, at: 1)
            statement.bind(nil as String?, at: 2)
        }
        var changed = 0
        var dayText = DayText()
        try keyBytes.withUnsafeBytes { keys in
            for ref in Self.indexOrder(blocks, days: hasDay) {
                let block = blocks[Int(ref.block)]
                let row = Int(ref.row)
                let span = keySpans[Int(ref.block)]
                statement.bindTextNoCopy(UnsafeRawBufferPointer(rebasing: keys[span.loto]), at: 1)
                statement.bindTextNoCopy(UnsafeRawBufferPointer(rebasing: keys[span.uniqueId]), at: 2)
                if hasDay { dayText.bind(block.days[row], to: statement, at: 3) }
                let width = block.columnCount
                block.values.withUnsafeBufferPointer { values in
                    for (parameter, (type, index)) in plan.enumerated() {
                        let at = keyCount + 1 + Int32(parameter)
                        switch type {
                        case .float: statement.bind(values[row * width + index], at: at)
                        case .integer, .boolean:
                            let value = values[row * width + index]
                            statement.bind(value.isFinite ? Int(exactly: value.rounded()) : nil, at: at)
                        case .date:
                            let value = values[row * width + index]
                            if value.isFinite, let days = Int(exactly: value) {
                                dayText.bind(CivilDay(daysSinceEpoch: days), to: statement, at: at)
                            } else {
                                statement.bind(nil as Double?, at: at)
                            }
                        case .text: statement.bind(block.texts[index], at: at)
                        }
                    }
                }
                changed += try statement.run()
            }
        }
        return changed
    }

    public func forEachRow(
        _ table: FeatureTable, loto: String?, uniqueId: String?, _ body: ([String]) throws -> Bool
    ) throws {
        guard let found = try storedColumns(table) else {
            throw database.failure("there is no table \(table.name) yet; run loto-features generate first")
        }
        let statement = try database.prepare(
            "SELECT * FROM \(table.name) WHERE (?1 IS NULL OR loto = ?1) AND (?2 IS NULL OR unique_id = ?2) ORDER BY \(table.keyColumns.joined(separator: ", "))"
        )
        statement.bind(loto, at: 1)
        statement.bind(uniqueId, at: 2)
        guard try body(found.map(\.name)) else { return }
        let types = found.map { SQLDialect.sqlite.type(of: $0.name, in: table) }
        while try statement.step() {
            let cells = types.enumerated().map { column, type in
                // A REAL read as a double: SQLite's own text keeps only 15 digits.
                type == .float
                    ? (statement.double(Int32(column))?.description ?? "")
                    : CSVCell.format(statement.text(Int32(column)), type: type)
            }
            guard try body(cells) else { return }
        }
    }

    public func info() throws -> [TableInfo] {
        try FeatureTable.allCases.map { table in
            guard try storedColumns(table) != nil else {
                return TableInfo(table: table, exists: false, rows: 0, series: 0)
            }
            let (first, last) =
                table == .stat ? ("min(stat_series_start_date)", "max(stat_series_end_date)") : ("min(ds)", "max(ds)")
            let statement = try database.prepare(
                "SELECT count(*), (SELECT count(*) FROM (SELECT 1 FROM \(table.name) GROUP BY loto, unique_id)), \(first), \(last), max(updated_at) FROM \(table.name)"
            )
            _ = try statement.step()
            return TableInfo(
                table: table, exists: true, rows: statement.int(0), series: statement.int(1),
                firstDay: statement.text(2), lastDay: statement.text(3), lastUpdate: statement.text(4))
        }
    }

    /// Rows in a table (for tests and the summary).
    public func rowCount(_ table: FeatureTable) throws -> Int {
        let statement = try database.prepare("SELECT count(*) FROM \(table.name)")
        _ = try statement.step()
        return statement.int(0)
    }

    /// Rows and last day per series, from the key columns only (the `ds` texts are
    /// `YYYY-MM-DD`, so their maximum is the last day).
    public func storedSeries(_ table: FeatureTable) throws -> [SeriesKey: StoredSeries] {
        let hasDay = table.keyColumns.contains("ds")
        let statement = try database.prepare(
            "SELECT loto, unique_id, count(*)\(hasDay ? ", max(ds)" : "") FROM \(table.name) GROUP BY loto, unique_id")
        var stored: [SeriesKey: StoredSeries] = [:]
        while try statement.step() {
            let key = SeriesKey(loto: statement.text(0) ?? "", uniqueId: statement.text(1) ?? "")
            let lastDay = hasDay ? statement.text(3).flatMap { CivilDay(iso: Substring($0)) } : nil
            stored[key] = StoredSeries(rows: statement.int(2), lastDay: lastDay)
        }
        return stored
    }

    /// Bytes in SQLite's page cache for this connection.
    public var cacheBytes: Int {
        var current: Int32 = 0
        var highest: Int32 = 0
        guard sqlite3_db_status(database.handle, SQLITE_DBSTATUS_CACHE_USED, &current, &highest, 0) == SQLITE_OK else {
            return 0
        }
        return Int(current)
    }

    /// Frees the page cache's unused pages (all of them between transactions); SQLite reads
    /// pages back from the file as the next batch needs them.
    public func releaseCache() -> Int {
        let before = cacheBytes
        sqlite3_db_release_memory(database.handle)
        return max(before - cacheBytes, 0)
    }

    /// The page cache is 32 MiB normally and 2 MiB in light mode: a smaller cache costs
    /// re-reads of index pages, not correctness. Shrinking it frees the pages above the limit.
    public func setLightMode(_ light: Bool) {
        guard light != isLight else { return }
        isLight = light
        try? database.execute("PRAGMA cache_size=\(light ? Self.lightCacheKiB : Self.cacheKiB)")
    }

    private var isLight = false
    /// `cache_size` values: negative numbers are KiB.
    private static let cacheKiB = -32768
    private static let lightCacheKiB = -2048
}

/// A day's `YYYY-MM-DD` (its `description`) formatted without allocating a String.
private struct DayText {
    private var bytes: (UInt64, UInt64) = (0, 0)

    mutating func bind(_ day: CivilDay, to statement: SQLiteStatement, at index: Int32) {
        let (y, m, d) = day.components
        // Years outside 0…9999 are not four digits; the description handles them.
        guard (0...9999).contains(y) else { return statement.bind(day.description, at: index) }
        withUnsafeMutableBytes(of: &bytes) { raw in
            func digit(_ value: Int) -> UInt8 { UInt8(truncatingIfNeeded: 48 + value) }
            raw[0] = digit(y / 1000)
            raw[1] = digit(y / 100 % 10)
            raw[2] = digit(y / 10 % 10)
            raw[3] = digit(y % 10)
            raw[4] = UInt8(ascii: "-")
            raw[5] = digit(m / 10)
            raw[6] = digit(m % 10)
            raw[7] = UInt8(ascii: "-")
            raw[8] = digit(d / 10)
            raw[9] = digit(d % 10)
            statement.bindText(UnsafeRawBufferPointer(rebasing: raw[0..<10]), at: index)
        }
    }
}
