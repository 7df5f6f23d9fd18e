import Foundation
import LibPQ
import LotoFeatures
import XCTest

/// The tables' schema (`../shared/loto-schema.md`), pipelines as units of work, `migrate`,
/// and reading back (`show`, `info`), in SQLite and PostgreSQL.
final class SchemaAndPipelineTests: XCTestCase {
    /// The columns a table holds, in order, with their declared types.
    private func sqliteColumns(_ table: String, in path: String) throws -> [(String, String)] {
        let database = try SQLiteDatabase(path: path)
        let statement = try database.prepare("SELECT name, type FROM pragma_table_info(?) ORDER BY cid")
        statement.bind(table, at: 1)
        var columns: [(String, String)] = []
        while try statement.step() { columns.append((statement.text(0)!, statement.text(1)!)) }
        return columns
    }

    func testTablesHoldTheSchemaColumnsFirstUnderTheirNamesAndTypes() async throws {
        let path = try temporaryDirectory(self).appendingPathComponent("f.sqlite").path
        _ = try await FeatureGenerator(workers: 2).run(sampleSeries(draws: 40), into: SQLiteFeatureStore(path: path))
        for table in FeatureTable.allCases {
            let found = try sqliteColumns(table.name, in: path)
            let schema = FeatureSchema.columns(of: table)
            XCTAssertEqual(found.prefix(table.keyColumns.count).map(\.0), table.keyColumns)
            let values = Array(found.dropFirst(table.keyColumns.count))
            XCTAssertEqual(
                values.prefix(schema.count).map(\.0), schema.map(\.0), "\(table.name): the schema's names in order")
            XCTAssertEqual(values.prefix(schema.count).map(\.1), schema.map(\.1.sqliteName))
            XCTAssertEqual(values[schema.count..<schema.count + 2].map(\.0), ["created_at", "updated_at"])
            XCTAssertEqual(Set(found.map(\.0)).count, found.count, "\(table.name): no column twice")
        }
        // Spot checks against the schema document's own words.
        let futr = try sqliteColumns("features_futr", in: path)
        XCTAssertTrue(futr.contains { $0 == ("futr_ds_leapyear", "BOOLEAN") })
        XCTAssertTrue(futr.contains { $0 == ("futr_ds_days_in_month", "INTEGER") })
        let stat = try sqliteColumns("features_stat", in: path)
        XCTAssertTrue(stat.contains { $0 == ("stat_series_start_date", "DATE") })
        XCTAssertTrue(stat.contains { $0 == ("stat_loto_type", "VARCHAR(50)") })
        XCTAssertEqual(FeatureSchema.hist.count, 58)
        XCTAssertEqual(FeatureSchema.futr.count, 14 + 8 + 12 + 3)
        XCTAssertEqual(FeatureSchema.stat.count, 8 + 4 + 11 + 5)
    }

    /// updated_at moves only when a row's values change; created_at never.
    func testUpdatedAtChangesOnlyWithTheValues() async throws {
        let path = try temporaryDirectory(self).appendingPathComponent("f.sqlite").path
        var series = Array(sampleSeries(draws: 30).prefix(2))
        let generator = FeatureGenerator(tables: [.stat], pipelines: [.p14], workers: 1)
        _ = try await generator.run(series, into: SQLiteFeatureStore(path: path))
        let before = try stamps(path)
        // CURRENT_TIMESTAMP has whole seconds.
        try await Task.sleep(for: .milliseconds(1100))
        let rerun = try await generator.run(series, into: SQLiteFeatureStore(path: path))
        XCTAssertEqual(rerun.rowsChanged, 0)
        XCTAssertEqual(try stamps(path), before, "an unchanged row keeps its updated_at")
        series[1].y[3] += 1
        let changed = try await generator.run(series, into: SQLiteFeatureStore(path: path))
        XCTAssertEqual(changed.rowsChanged, 1)
        let after = try stamps(path)
        XCTAssertEqual(after[0], before[0], "the other series' row is untouched")
        XCTAssertEqual(after[1].created, before[1].created)
        XCTAssertGreaterThan(after[1].updated, before[1].updated)
    }

    private struct Stamp: Equatable {
        var created: String
        var updated: String
    }

    private func stamps(_ path: String) throws -> [Stamp] {
        let statement = try SQLiteDatabase(path: path).prepare(
            "SELECT created_at, updated_at FROM features_stat ORDER BY loto, unique_id")
        var stamps: [Stamp] = []
        while try statement.step() { stamps.append(Stamp(created: statement.text(0)!, updated: statement.text(1)!)) }
        return stamps
    }

    /// Only the pipelines that write to the chosen tables run.
    func testOnlyPipelinesWritingToTheChosenTablesRun() {
        XCTAssertEqual(FeatureGenerator(tables: [.futr]).pipelines, [.p12])
        XCTAssertEqual(FeatureGenerator(tables: [.stat], pipelines: [.p1, .p4, .p14]).pipelines, [.p4, .p14])
        XCTAssertEqual(FeatureGenerator(tables: [.futr], pipelines: [.p1]).tables, [])
        XCTAssertEqual(FeatureGenerator(coreHistOnly: true).layouts.map(\.columns.count), [58])
    }

    /// A run of some pipelines writes their columns and leaves the others' values in place.
    func testAPipelineSubsetLeavesTheOtherPipelinesColumnsAlone() async throws {
        let path = try temporaryDirectory(self).appendingPathComponent("f.sqlite").path
        let series = Array(sampleSeries(draws: 100).prefix(1))
        let lags = FeatureGenerator(tables: [.hist], pipelines: [.p3], workers: 1)
        let summary = try await lags.run(series, into: SQLiteFeatureStore(path: path))
        XCTAssertEqual(summary.pipelines.map(\.pipeline), ["P3"])
        XCTAssertEqual(summary.pipelines[0].rows, ["features_hist": 100])
        XCTAssertEqual(summary.pipelines[0].columns, 12)
        let rolling = try await FeatureGenerator(tables: [.hist], pipelines: [.p1], workers: 1).run(
            series, into: SQLiteFeatureStore(path: path))
        XCTAssertEqual(rolling.rowsChanged, 100 - 2, "P1 fills rows whose windows are full (w3 from the third draw)")
        let rows = try csv(SQLiteFeatureStore(path: path), .hist)
        let header = rows[0]
        let last = rows[100]
        XCTAssertEqual(last[header.firstIndex(of: "hist_y_lag1")!], "\(series[0].y[98])", "P3's lag kept")
        XCTAssertFalse(last[header.firstIndex(of: "hist_y_roll_mean_w90")!].isEmpty, "P1's mean written")
        XCTAssertTrue(last[header.firstIndex(of: "hist_stl_trend")!].isEmpty, "P4 never ran")
    }

    private func csv(_ store: any FeatureStore, _ table: FeatureTable, loto: String? = nil) throws -> [[String]] {
        var rows: [[String]] = []
        try store.forEachRow(table, loto: loto, uniqueId: nil) { cells in
            rows.append(cells)
            return true
        }
        return rows
    }

    /// An earlier version's tables: refused by name until migrate rebuilds them, keeping the rows.
    func testMigrateRebuildsAnEarlierStoreInOneGo() async throws {
        let path = try temporaryDirectory(self).appendingPathComponent("f.sqlite").path
        do {
            let database = try SQLiteDatabase(path: path)
            try database.execute(
                """
                CREATE TABLE features_futr (loto TEXT NOT NULL, unique_id TEXT NOT NULL, ds TEXT NOT NULL, futr_ds_year REAL, futr_ds_week REAL, futr_month_sin REAL, futr_gone REAL, PRIMARY KEY (loto, unique_id, ds));
                INSERT INTO features_futr VALUES ('loto6', 'N1', '2020-01-02', 2020, 1, 0.5, 9);
                CREATE TABLE features_stat (loto TEXT NOT NULL, unique_id TEXT NOT NULL, stat_y_mean REAL, stat_first_ds TEXT, PRIMARY KEY (loto, unique_id));
                INSERT INTO features_stat VALUES ('loto6', 'N1', 21.5, '2020-01-02');
                """)
        }
        let store = try SQLiteFeatureStore(path: path)
        XCTAssertThrowsError(try store.prepare(FeatureGenerator(tables: [.futr]).layouts)) { error in
            XCTAssertTrue(
                "\(error)".contains(
                    "table features_futr does not have this version's schema (column loto is TEXT where the schema has VARCHAR(50)); nothing was written"
                ), "\(error)")
        }
        let plan = try store.migrationPlan()
        XCTAssertEqual(plan.map(\.table), [.futr, .stat])
        XCTAssertEqual(
            plan[0].renamed.map { "\($0.from)→\($0.to)" },
            ["futr_month_sin→futr_ds_month_sin", "futr_ds_week→futr_ds_week_of_year"])
        XCTAssertEqual(plan[0].dropped, ["futr_gone"])
        XCTAssertEqual(plan[0].rows, 1)
        XCTAssertTrue(plan[0].added.contains("futr_ds_leapyear"))
        XCTAssertEqual(try sqliteColumns("features_futr", in: path).count, 7, "a plan changes nothing")
        let done = try store.migrate()
        XCTAssertEqual(done, plan)
        XCTAssertEqual(try store.migrationPlan(), [], "nothing left to migrate")
        let futr = try csv(store, .futr)
        XCTAssertEqual(futr.count, 2)
        func cell(_ rows: [[String]], _ name: String) -> String { rows[1][rows[0].firstIndex(of: name)!] }
        XCTAssertEqual(cell(futr, "futr_ds_year"), "2020")
        XCTAssertEqual(cell(futr, "futr_ds_week_of_year"), "1")
        XCTAssertEqual(cell(futr, "futr_ds_month_sin"), "0.5")
        XCTAssertEqual(cell(futr, "futr_ds_leapyear"), "")
        let stat = try csv(store, .stat)
        XCTAssertEqual(cell(stat, "stat_y_global_mean"), "21.5")
        XCTAssertEqual(cell(stat, "stat_series_start_date"), "2020-01-02")
        // Generate now writes into the migrated tables.
        let series = Array(sampleSeries(draws: 30).prefix(1))
        _ = try await FeatureGenerator(workers: 1).run(series, into: store)
        XCTAssertEqual(
            try store.info().map(\.rows), [30, 31, 1], "the migrated rows are loto6/N1's, kept beside the new ones")
    }

    func testPostgresHasTheSameSchemaAndMigrates() async throws {
        let url = try testDatabaseURL()
        let schema = "loto_schema_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = try PostgresConnection(connectionString: url)
        try admin.execute("CREATE SCHEMA \(schema)")
        addTeardownBlock { _ = try? PostgresConnection(connectionString: url).execute("DROP SCHEMA \(schema) CASCADE") }
        let scoped = url + (url.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
        try admin.execute(
            "CREATE TABLE \(schema).features_stat (loto text NOT NULL, unique_id text NOT NULL, stat_y_mean double precision, stat_n_rows double precision, PRIMARY KEY (loto, unique_id))"
        )
        try admin.execute("INSERT INTO \(schema).features_stat VALUES ('loto6', 'N1', 21.5, 30)")
        let store = try PostgresFeatureStore(connectionString: scoped)
        XCTAssertThrowsError(try store.prepare(FeatureGenerator(tables: [.stat]).layouts)) { error in
            XCTAssertTrue("\(error)".contains("features_stat does not have this version's schema"), "\(error)")
        }
        let done = try store.migrate()
        XCTAssertEqual(done.map(\.table), [.stat])
        XCTAssertEqual(done[0].renamed.map(\.to).sorted(), ["stat_series_length", "stat_y_global_mean"])
        let series = Array(sampleSeries(draws: 60).prefix(2))
        _ = try await FeatureGenerator(workers: 2).run(series, into: store)
        let types = try admin.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'features_futr' ORDER BY ordinal_position",
            [schema])
        let found = (0..<types.rowCount).map { (types.value(row: $0, column: 0)!, types.value(row: $0, column: 1)!) }
        XCTAssertEqual(found.prefix(4).map(\.0), ["loto", "unique_id", "ds", "futr_ds_year"])
        XCTAssertTrue(found.contains { $0 == ("futr_ds_is_weekend", "boolean") })
        XCTAssertTrue(found.contains { $0 == ("futr_ds_year", "integer") })
        XCTAssertTrue(found.contains { $0 == ("created_at", "timestamp with time zone") })
        // Reading back gives the same CSV as SQLite for the same input.
        let path = try temporaryDirectory(self).appendingPathComponent("f.sqlite").path
        let sqlite = try SQLiteFeatureStore(path: path)
        _ = try await FeatureGenerator(workers: 2).run(series, into: sqlite)
        for table in FeatureTable.allCases {
            let left = try csv(store, table)
            let right = try csv(sqlite, table)
            XCTAssertEqual(left[0], right[0], "\(table.name): the same header")
            let stamps = Set(["created_at", "updated_at"].compactMap { left[0].firstIndex(of: $0) })
            let strip = { (rows: [[String]]) in
                rows.map { $0.enumerated().filter { !stamps.contains($0.offset) }.map(\.element) }
            }
            XCTAssertEqual(strip(left), strip(right), "\(table.name): the same values as CSV")
        }
        XCTAssertEqual(try store.info().map(\.series), [2, 2, 2], "the migrated row is the first series' row")
    }

    /// Every pipeline over series too short or too degenerate for most features: NULLs of the
    /// right shape, never a crash or an infinity.
    func testShortAndDegenerateSeriesGiveNullsNeverACrash() {
        let day = CivilDay(year: 2024, month: 1, day: 4)!
        func series(_ values: [Double]) -> DrawSeries {
            var one = DrawSeries(loto: "loto6", uniqueId: "N1")
            for (index, value) in values.enumerated() {
                one.append(day: day.adding(days: 3 * index), y: value, num: index + 1, co: nil)
            }
            return one
        }
        let cases: [(String, [Double])] = [
            ("one draw", [7]), ("two draws", [7, 9]), ("three draws", [1, 2, 3]),
            ("all missing", [.nan, .nan, .nan, .nan]), ("constant", [Double](repeating: 5, count: 250)),
            ("zeros", [Double](repeating: 0, count: 40)),
            ("missing in the middle", [3, .nan, 4, 1, .nan, 5, 9, 2, 6, 5]),
        ]
        let generator = FeatureGenerator()
        for (name, values) in cases {
            let blocks = FeatureGenerator.features(of: series(values))
            for layout in generator.layouts {
                let block = blocks[layout.table]!
                XCTAssertEqual(block.columnCount, layout.numericColumns.count, "\(name): \(layout.table.name)")
                XCTAssertEqual(
                    block.rowCount, layout.table == .stat ? 1 : values.count, "\(name): \(layout.table.name)")
                XCTAssertFalse(
                    block.values.contains { $0.isInfinite }, "\(name): \(layout.table.name) holds an infinity")
            }
        }
    }
}
