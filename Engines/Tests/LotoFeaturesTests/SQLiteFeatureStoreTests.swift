import CSQLite
import Foundation
import LotoFeatures
import XCTest

/// The SQLite store: idempotent upserts, extension adds only new rows, whole batches only.
final class SQLiteFeatureStoreTests: XCTestCase {
    /// The causal pipelines only: with P4 and P11 (fitted on the whole series) an extended
    /// series rewrites its earlier rows too, which the extension tests below would count.
    private func generate(_ series: [DrawSeries], into path: String, batch: Int = 3) async throws -> GenerateSummary {
        let store = try SQLiteFeatureStore(path: path)
        return try await FeatureGenerator(pipelines: FeaturePipelines.causal, workers: 2, fixedBatch: batch).run(
            series, into: store)
    }

    func testARerunOverTheSameInputChangesNothing() async throws {
        let path = try temporaryDirectory(self).appendingPathComponent("f.sqlite").path
        let series = sampleSeries(draws: 120)
        let first = try await generate(series, into: path)
        XCTAssertEqual(first.rowsChanged, first.rowsComputed)
        XCTAssertEqual(first.rowsComputed, 11 * 120 * 2 + 11)
        let again = try await generate(series, into: path)
        XCTAssertEqual(again.rowsChanged, 0)
        let store = try SQLiteFeatureStore(path: path)
        XCTAssertEqual(try store.rowCount(.hist), 11 * 120)
        XCTAssertEqual(try store.rowCount(.stat), 11)
    }

    func testExtendedInputAddsOnlyTheNewRows() async throws {
        let path = try temporaryDirectory(self).appendingPathComponent("f.sqlite").path
        let full = sampleSeries(draws: 150)
        let short = droppingLastDraws(30, of: full)
        _ = try await generate(short, into: path)
        let extended = try await generate(full, into: path)
        // 30 new hist and 30 new futr rows per series; each stat row is updated (it covers
        // the whole series); no old hist or futr row changes.
        XCTAssertEqual(extended.rowsChanged, 11 * (30 + 30) + 11)
        let store = try SQLiteFeatureStore(path: path)
        XCTAssertEqual(try store.rowCount(.futr), 11 * 150)
    }

    func testStoredValuesAreTheComputedOnesAndNaNIsNull() async throws {
        let path = try temporaryDirectory(self).appendingPathComponent("f.sqlite").path
        let series = Array(sampleSeries(draws: 40).prefix(1))
        _ = try await generate(series, into: path)
        let expected = HistFeatures.compute(series[0])
        var db: OpaquePointer?
        XCTAssertEqual(sqlite3_open(path, &db), SQLITE_OK)
        defer { sqlite3_close(db) }
        var statement: OpaquePointer?
        XCTAssertEqual(
            sqlite3_prepare_v2(
                db, "SELECT ds, hist_y_lag1, hist_y_roll_q75_w7 FROM features_hist ORDER BY ds", -1, &statement, nil),
            SQLITE_OK)
        defer { sqlite3_finalize(statement) }
        let q75 = HistFeatures.columns.firstIndex(of: "hist_y_roll_q75_w7")!
        var row = 0
        while sqlite3_step(statement) == SQLITE_ROW {
            XCTAssertEqual(String(cString: sqlite3_column_text(statement, 0)), series[0].days[row].description)
            let lag1 = sqlite3_column_type(statement, 1) == SQLITE_NULL ? nil : sqlite3_column_double(statement, 1)
            XCTAssertEqual(lag1, expected.value(row: row, column: 0))
            let stored = sqlite3_column_type(statement, 2) == SQLITE_NULL ? nil : sqlite3_column_double(statement, 2)
            XCTAssertEqual(stored, expected.value(row: row, column: q75))
            row += 1
        }
        XCTAssertEqual(row, 40)
    }

    func testAFailedBatchLeavesNothingHalfWrittenAndARerunCompletesIt() async throws {
        let path = try temporaryDirectory(self).appendingPathComponent("f.sqlite").path
        let series = sampleSeries(draws: 50)
        let store = try SQLiteFeatureStore(path: path)
        let generator = FeatureGenerator(workers: 2)
        try store.prepare(generator.layouts)
        var batch = await generator.compute(Array(series.prefix(2)))
        // A block whose row count disagrees with its keys fails mid-batch (no day for row 50).
        var broken = batch.blocks[.futr]![1]
        broken.days.removeLast()
        batch.blocks[.futr]![1] = broken
        do {
            _ = try store.write(batch)
            XCTFail("a broken batch was accepted")
        } catch {}
        XCTAssertEqual(try store.rowCount(.hist), 0, "the batch's hist rows were rolled back with it")
        let summary = try await FeatureGenerator(workers: 2).run(series, into: store)
        XCTAssertEqual(summary.rowsChanged, summary.rowsComputed)
    }

    func testATableWithAnotherSchemaIsRefusedByName() async throws {
        let path = try temporaryDirectory(self).appendingPathComponent("f.sqlite").path
        let database = try SQLiteDatabase(path: path)
        try database.execute(
            "CREATE TABLE features_hist (loto TEXT, unique_id TEXT, ds TEXT, y REAL, PRIMARY KEY (loto, unique_id, ds))"
        )
        let store = try SQLiteFeatureStore(path: path)
        XCTAssertThrowsError(try store.prepare(FeatureGenerator(tables: [.hist]).layouts)) { error in
            XCTAssertTrue(
                "\(error)".contains(
                    "table features_hist does not have this version's schema (column loto is TEXT where the schema has VARCHAR(50)); nothing was written. See what a migration does with: loto-features migrate --store sqlite:"
                ), "\(error)")
        }
    }

    func testNewTablesHaveTheirKeyTheirIndexAnd64KiBPages() async throws {
        let path = try temporaryDirectory(self).appendingPathComponent("f.sqlite").path
        _ = try await generate(sampleSeries(draws: 30), into: path)
        let database = try SQLiteDatabase(path: path)
        for (table, key, index) in [
            ("features_hist", ["loto", "unique_id", "ds"], true),
            ("features_futr", ["loto", "unique_id", "ds"], true),
            ("features_stat", ["loto", "unique_id"], false),
        ] {
            let indexes = try database.prepare(
                "SELECT name, \"unique\", origin FROM pragma_index_list(?) ORDER BY name")
            indexes.bind(table, at: 1)
            var found: [String: (unique: Int, origin: String)] = [:]
            while try indexes.step() { found[indexes.text(0)!] = (indexes.int(1), indexes.text(2)!) }
            let primary = try XCTUnwrap(found.first { $0.value.origin == "pk" }, "\(table) has no key: \(found)")
            XCTAssertEqual(primary.value.unique, 1)
            XCTAssertEqual(try columns(of: primary.key, in: database), key)
            XCTAssertEqual(try columns(of: "\(table)_loto_unique_id", in: database), ["loto", "unique_id"])
            XCTAssertEqual(try columns(of: "\(table)_ds", in: database), index ? ["ds"] : [])
        }
        let pageSize = try database.prepare("PRAGMA page_size")
        _ = try pageSize.step()
        XCTAssertEqual(pageSize.int(0), 65536)
        let journal = try database.prepare("PRAGMA journal_mode")
        _ = try journal.step()
        XCTAssertEqual(journal.text(0), "wal")
    }

    private func columns(of index: String, in database: SQLiteDatabase) throws -> [String] {
        let statement = try database.prepare("SELECT name FROM pragma_index_info(?) ORDER BY seqno")
        statement.bind(index, at: 1)
        var names: [String] = []
        while try statement.step() { names.append(statement.text(0)!) }
        return names
    }

    /// Files made before the tables became rowid tables hold `WITHOUT ROWID` tables with 4 KiB
    /// pages; they open, take upserts and stay idempotent.
    func testAStoreMadeWithTheEarlierWithoutRowidTablesStillWorks() async throws {
        let path = try temporaryDirectory(self).appendingPathComponent("f.sqlite").path
        do {
            let database = try SQLiteDatabase(path: path)
            try database.execute("PRAGMA journal_mode=WAL")
            for table in FeatureTable.allCases {
                try database.execute(SQLiteFeatureStore.createTableSQL(table) + " WITHOUT ROWID")
            }
        }
        let full = sampleSeries(draws: 80)
        let short = droppingLastDraws(10, of: full)
        let first = try await generate(short, into: path)
        XCTAssertEqual(first.rowsChanged, first.rowsComputed)
        let extended = try await generate(full, into: path)
        XCTAssertEqual(extended.rowsChanged, 11 * (10 + 10) + 11)
        let again = try await generate(full, into: path)
        XCTAssertEqual(again.rowsChanged, 0)
        let store = try SQLiteFeatureStore(path: path)
        XCTAssertEqual(try store.rowCount(.hist), 11 * 80)
        let database = try SQLiteDatabase(path: path)
        let schema = try database.prepare("SELECT sql FROM sqlite_master WHERE name = 'features_hist'")
        _ = try schema.step()
        XCTAssertTrue(schema.text(0)!.hasSuffix("WITHOUT ROWID"), "the existing table was kept as it was")
        let pageSize = try database.prepare("PRAGMA page_size")
        _ = try pageSize.step()
        XCTAssertEqual(pageSize.int(0), 4096, "an existing file keeps its page size")
    }

    func testAnUnopenableFileIsNamed() {
        XCTAssertThrowsError(try SQLiteFeatureStore(path: "/nonexistent-dir/x/f.sqlite")) { error in
            XCTAssertTrue(
                "\(error)".hasPrefix("store sqlite:/nonexistent-dir/x/f.sqlite: cannot be opened"), "\(error)")
        }
    }
}
