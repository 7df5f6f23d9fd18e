import Foundation
import LibPQ
import LotoFeatures
import XCTest

/// The PostgreSQL store and source against the real server ci/test.sh starts.
final class PostgresFeatureStoreTests: XCTestCase {
    /// A fresh schema per test, dropped afterwards, so tests do not see each other's tables.
    private func schemaURL() throws -> String {
        let url = try testDatabaseURL()
        let schema = "loto_test_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = try PostgresConnection(connectionString: url)
        try admin.execute("CREATE SCHEMA \(schema)")
        addTeardownBlock {
            _ = try? PostgresConnection(connectionString: url).execute("DROP SCHEMA \(schema) CASCADE")
        }
        let separator = url.contains("?") ? "&" : "?"
        return url + separator + "options=-csearch_path%3D\(schema)"
    }

    func testGeneratesEveryTableIdempotentlyAndExtensionAddsOnlyNewRows() async throws {
        let url = try schemaURL()
        let full = sampleSeries(draws: 100)
        let short = droppingLastDraws(20, of: full)
        // The causal pipelines: P4 and P11 fit the whole series, so extending it rewrites earlier rows.
        let generator = FeatureGenerator(pipelines: FeaturePipelines.causal, workers: 2, fixedBatch: 4)
        let first = try await generator.run(short, into: PostgresFeatureStore(connectionString: url))
        XCTAssertEqual(first.rowsChanged, first.rowsComputed)
        let rerun = try await generator.run(short, into: PostgresFeatureStore(connectionString: url))
        XCTAssertEqual(rerun.rowsChanged, 0, "a rerun changes nothing")
        let extended = try await generator.run(full, into: PostgresFeatureStore(connectionString: url))
        XCTAssertEqual(extended.rowsChanged, 11 * (20 + 20) + 11)
        let store = try PostgresFeatureStore(connectionString: url)
        XCTAssertEqual(try store.rowCount(.hist), 11 * 100)
        XCTAssertEqual(try store.rowCount(.stat), 11)
    }

    func testPostgresAndSQLiteHoldTheSameValues() async throws {
        let url = try schemaURL()
        let series = Array(sampleSeries(draws: 70).prefix(2))
        _ = try await FeatureGenerator(tables: [.hist], workers: 2).run(
            series, into: PostgresFeatureStore(connectionString: url))
        let connection = try PostgresConnection(connectionString: url)
        let rows = try connection.execute(
            "SELECT hist_y_roll_std_w30, hist_y_roll_median_w14 FROM features_hist WHERE unique_id = $1 ORDER BY ds",
            [series[0].uniqueId])
        let expected = HistFeatures.compute(series[0])
        let std = HistFeatures.columns.firstIndex(of: "hist_y_roll_std_w30")!
        let median = HistFeatures.columns.firstIndex(of: "hist_y_roll_median_w14")!
        XCTAssertEqual(rows.rowCount, 70)
        for row in 0..<70 {
            XCTAssertEqual(
                rows.value(row: row, column: 0).flatMap(Double.init), expected.value(row: row, column: std),
                "bit-identical after the text COPY")
            XCTAssertEqual(
                rows.value(row: row, column: 1).flatMap(Double.init), expected.value(row: row, column: median))
        }
    }

    func testATableIsReadAsASourceWithTheCSVChecks() async throws {
        let url = try schemaURL()
        let connection = try PostgresConnection(connectionString: url)
        try connection.execute(
            "CREATE TABLE draws (loto text, unique_id text, ds date, y integer, num integer, co bigint)")
        let series = sampleSeries(draws: 30, games: ["bingo5"])
        try connection.copyIn("COPY draws FROM STDIN") { copy in
            for one in series {
                for row in 0..<one.count {
                    try copy.appendRow([
                        one.loto, one.uniqueId, one.days[row].description, String(Int(one.y[row])),
                        one.num[row].map(String.init), one.co[row].map { String(Int($0)) },
                    ])
                }
            }
        }
        XCTAssertEqual(try PostgresDrawReader.read(connectionString: url, table: "draws"), series)
        try connection.execute(
            "INSERT INTO draws VALUES ('bingo5', 'N1', $1, 3, 99, 0)", [series[0].days[4].description])
        XCTAssertThrowsError(try PostgresDrawReader.read(connectionString: url, table: "draws")) { error in
            XCTAssertTrue("\(error)".contains("column 'ds': duplicate key"), "\(error)")
        }
        XCTAssertThrowsError(try PostgresDrawReader.read(connectionString: url, table: "missing_table")) { error in
            XCTAssertTrue("\(error)".contains("table missing_table: no such table"), "\(error)")
        }
    }

    /// Numbers from the server go through the same range checks as the CSV reader's.
    func testASourceTableWithNumbersOutOfRangeIsRefusedNamingTheRow() throws {
        let url = try schemaURL()
        let connection = try PostgresConnection(connectionString: url)
        for (column, value, expected) in [
            ("y", "'Infinity'", "column 'y': 'Infinity' is out of range"),
            ("y", "1e300", "column 'y': '1e+300' is out of range"),
            ("num", "-1", "column 'num': '-1' is not a whole number from 0"),
            ("co", "-5", "column 'co': '-5' is out of range"),
        ] {
            try connection.execute("DROP TABLE IF EXISTS draws")
            try connection.execute(
                "CREATE TABLE draws (loto text, unique_id text, ds date, y double precision, num bigint, co double precision)"
            )
            try connection.execute(
                "INSERT INTO draws (loto, unique_id, ds, y, num, co) VALUES ('loto6', 'N1', '2020-01-02', 3, 1, 0)")
            try connection.execute("UPDATE draws SET \(column) = \(value)")
            XCTAssertThrowsError(try PostgresDrawReader.read(connectionString: url, table: "draws")) { error in
                XCTAssertTrue("\(error)".contains("row (loto6, N1, 2020-01-02), \(expected)"), "\(error)")
            }
        }
    }

    /// A URL libpq cannot parse is refused before any connection, named redacted.
    func testAnUnparseableStoreURLNeverShowsItsPassword() {
        let secret = "pw-\(UUID().uuidString)"
        let location = StoreLocation("postgresql://alice:\(secret)@[::1/loto")
        XCTAssertEqual(location?.shown, "postgresql://***@[::1/loto")
        let problem = location?.problem ?? ""
        XCTAssertTrue(problem.contains("IPv6"), problem)
        XCTAssertFalse(problem.contains(secret), problem)
    }

    func testADatabaseThatIsDownIsNamedWithoutThePassword() {
        let secret = "pw-\(UUID().uuidString)"
        XCTAssertThrowsError(
            try PostgresFeatureStore(
                connectionString: "postgresql://alice:\(secret)@127.0.0.1:1/loto?connect_timeout=2")
        ) { error in
            let text = "\(error)"
            // The URL as given, its user information hidden: libpq may fail before it has a host.
            XCTAssertTrue(text.hasPrefix("store postgresql://***@127.0.0.1:1/loto?connect_timeout=2:"), text)
            XCTAssertFalse(text.contains(secret))
        }
    }

    /// The server ends the store's session after the first batch (as a restart or an
    /// administrator would): the run stops with one line naming the database, the finished
    /// batch stays committed whole, nothing of the failed one is written, and a rerun completes.
    func testADatabaseThatGoesAwayMidRunKeepsWholeBatchesAndARerunCompletes() async throws {
        let url = try schemaURL()
        let series = sampleSeries(draws: 100)
        XCTAssertEqual(series.count, 11)
        let victim = url + "&application_name=loto_victim"
        let admin = try PostgresConnection(connectionString: try testDatabaseURL())
        let generator = FeatureGenerator(workers: 2, fixedBatch: 4)
        var batchesSeen = 0
        do {
            _ = try await generator.run(series, into: PostgresFeatureStore(connectionString: victim)) { _ in
                batchesSeen += 1
                guard batchesSeen == 1 else { return }
                let ended = try? admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'loto_victim'")
                XCTAssertEqual(ended?.rowCount, 1, "the store's session was found and ended")
            }
            XCTFail("a run whose session was ended must fail")
        } catch {
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("store postgresql://127.0.0.1:"), text)
            XCTAssertFalse(text.contains("\n"), "one line: \(text)")
        }
        XCTAssertEqual(batchesSeen, 1)
        let store = try PostgresFeatureStore(connectionString: url)
        XCTAssertEqual(try store.rowCount(.hist), 4 * 100, "the first batch of 4 series, whole")
        XCTAssertEqual(try store.rowCount(.stat), 4)
        let rerun = try await generator.run(series, into: PostgresFeatureStore(connectionString: url))
        XCTAssertEqual(rerun.rowsChanged, 7 * (100 + 100 + 1), "the rerun writes only the 7 series that were missing")
        XCTAssertEqual(try store.rowCount(.hist), 11 * 100)
    }
}
