import CSQLite

/// The embedded store: one SQLite file, tables created if missing, idempotent upserts by key,
/// one transaction per batch.
///
/// An upsert only rewrites a row whose values differ, so a rerun over the same input changes
/// nothing (and reports 0 rows) and a run over extended input adds only the new rows.
public final class SQLiteFeatureStore: FeatureStore {
    private let database: SQLiteDatabase
    private var upserts: [FeatureTable: SQLiteStatement] = [:]
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
    /// the `(loto, ds)` / `(loto)` index. Not `WITHOUT ROWID`: that clusters whole ~700-byte
    /// rows in an index b-tree (interior pages included), which SQLite's documentation advises
    /// against for large rows, and measured slower for a 2,000,000-row load. Files made with the
    /// earlier `WITHOUT ROWID` tables keep them and work unchanged (same columns, same key).
    public func prepare(_ tables: [FeatureTable]) throws {
        for table in tables {
            let types =
                table.keyColumns.map { "\($0) TEXT NOT NULL" } + table.valueColumns.map { "\($0) REAL" }
                + table.textColumns.map { "\($0) TEXT" }
            try database.execute(
                """
                CREATE TABLE IF NOT EXISTS \(table.name) (\(types.joined(separator: ", ")), PRIMARY KEY (\(table.keyColumns.joined(separator: ", "))));
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
            throw database.failure(
                "table \(table.name) exists with other columns (\(missing.count) missing, e.g. \(missing.first ?? found.first ?? "?")); drop it or use another --store file"
            )
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
                guard let statement = upserts[table] else {
                    throw database.failure("table \(table.name) was not prepared")
                }
                changed += try write(batch.blocks[table]!, of: table, with: statement)
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

    private func write(_ blocks: [FeatureBlock], of table: FeatureTable, with statement: SQLiteStatement) throws -> Int
    {
        for block in blocks { try block.check(for: table, target: target) }
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
                    for column in 0..<width {
                        statement.bind(values[row * width + column], at: keyCount + 1 + Int32(column))
                    }
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
