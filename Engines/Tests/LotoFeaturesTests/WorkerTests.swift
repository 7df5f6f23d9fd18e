import CommandTestSupport
import Foundation
import LibPQ
import LotoFeatures
import XCTest

/// `loto-features generate --worker`: processes sharing series through the PostgreSQL store,
/// against the real server ci/test.sh starts.
final class WorkerTests: XCTestCase {
    /// A fresh schema (dropped afterwards) and the URL whose search_path is it.
    private func schema(_ url: String) throws -> (name: String, url: String) {
        let name = "loto_work_\(UUID().uuidString.prefix(8).lowercased())"
        try PostgresConnection(connectionString: url).execute("CREATE SCHEMA \(name)")
        addTeardownBlock { _ = try? PostgresConnection(connectionString: url).execute("DROP SCHEMA \(name) CASCADE") }
        return (name, url + (url.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(name)")
    }

    /// Draws of three games: 18 series.
    private func draws() throws -> String {
        let directory = try Command.temporaryDirectory(self)
        var lines: [String] = []
        for game in ["loto6", "loto7", "miniloto"] {
            let path = directory + "/\(game).csv"
            let sample = try Command.run("loto-features", ["sample", "--loto", game, "--draws", "150", "--out", path])
            XCTAssertEqual(sample.status, 0, sample.standardError)
            let text = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            lines += text.dropFirst(lines.isEmpty ? 0 : 1).map(String.init)
        }
        let csv = directory + "/draws.csv"
        try (lines.joined(separator: "\n") + "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        return csv
    }

    /// Three workers, one killed with -9 while it holds a claim: the other two finish its
    /// series once its lease expires, and the tables equal a one-process run's row for row.
    func testThreeWorkersOneKilledEqualOneProcess() throws {
        let url = try testDatabaseURL()
        let csv = try draws()
        let reference = try schema(url)
        let shared = try schema(url)
        let alone = try Command.run("loto-features", ["generate", "--input", csv, "--store", reference.url])
        XCTAssertEqual(alone.status, 0, alone.standardError)

        let arguments = [
            "generate", "--input", csv, "--store", shared.url, "--worker", "--workers", "1", "--lease", "5",
        ]
        let workers = try (0..<3).map { _ in try RunningCommand("loto-features", arguments) }
        let watcher = try PostgresConnection(connectionString: shared.url)
        func count(_ sql: String, _ parameters: [String?] = []) -> Int {
            (try? watcher.execute(sql, parameters)).flatMap { $0.value(row: 0, column: 0) }.flatMap(Int.init) ?? -1
        }
        let victim = workers[0]
        let pid = String(victim.process.processIdentifier)
        // Under way (a series done) and the victim holding a claim: kill it there. The victim
        // is frozen first and its claim checked again, so it cannot finish the claim between
        // the look and the kill.
        func holdsClaim() -> Bool {
            count(
                "SELECT count(*) FROM loto_features_work WHERE state = 'claimed' AND split_part(worker, ':', 2) = $1",
                [pid]) > 0
        }
        var caught = false
        let deadline = Date().addingTimeInterval(120)
        while !caught && Date() < deadline && victim.process.isRunning {
            _ = victim.waitUntil(seconds: 1) {
                count("SELECT count(*) FROM loto_features_work WHERE state = 'done'") > 0 && holdsClaim()
            }
            victim.signal(SIGSTOP)
            if count("SELECT count(*) FROM loto_features_work WHERE state = 'done'") > 0 && holdsClaim() {
                caught = true
            } else {
                victim.signal(SIGCONT)
            }
        }
        XCTAssertTrue(
            caught, "the first worker never held a claim while others were done: \(victim.standardErrorSoFar)")
        victim.signal(SIGKILL)
        let killed = try victim.wait()
        XCTAssertEqual(killed.status, SIGKILL, "killed, not finished")
        let orphaned = count(
            "SELECT count(*) FROM loto_features_work WHERE state = 'claimed' AND split_part(worker, ':', 2) = $1", [pid]
        )
        XCTAssertGreaterThan(orphaned, 0, "its claim outlives it")

        for survivor in workers.dropFirst() {
            let outcome = try survivor.wait()
            XCTAssertEqual(outcome.status, 0, outcome.standardError)
            XCTAssertTrue(outcome.standardError.contains("no series left"), outcome.standardError)
        }
        // One features_stat row per series.
        let series = count("SELECT count(*) FROM \(reference.name).features_stat")
        XCTAssertEqual(series, 18, "three games' positions")
        XCTAssertEqual(count("SELECT count(*) FROM loto_features_work"), series)
        XCTAssertEqual(count("SELECT count(*) FROM loto_features_work WHERE state = 'done'"), series, "nothing lost")
        XCTAssertGreaterThanOrEqual(
            count("SELECT count(*) FROM loto_features_work WHERE attempts >= 2"), orphaned,
            "the killed worker's series were claimed again")

        // Row for row, value for value (the timestamps apart).
        for table in FeatureTable.allCases {
            let columns =
                try watcher.execute(
                    """
                    SELECT string_agg(column_name, ', ' ORDER BY ordinal_position) FROM information_schema.columns
                    WHERE table_schema = $1 AND table_name = $2 AND column_name NOT IN ('created_at', 'updated_at')
                    """, [reference.name, table.name]
                ).value(row: 0, column: 0) ?? ""
            XCTAssertFalse(columns.isEmpty, table.name)
            let rows = count("SELECT count(*) FROM \(reference.name).\(table.name)")
            XCTAssertGreaterThan(rows, 0, table.name)
            XCTAssertEqual(
                count("SELECT count(*) FROM \(shared.name).\(table.name)"), rows, "\(table.name): nothing twice")
            for (left, right) in [(reference.name, shared.name), (shared.name, reference.name)] {
                XCTAssertEqual(
                    count(
                        "SELECT count(*) FROM (SELECT \(columns) FROM \(left).\(table.name) EXCEPT ALL SELECT \(columns) FROM \(right).\(table.name)) d"
                    ), 0, "\(table.name): rows of \(left) not in \(right)")
            }
        }

        // status: everything done, exit 0; a worker started now finds nothing to do.
        let status = try Command.run("loto-features", ["status", "--store", shared.url])
        XCTAssertEqual(status.status, 0, status.standardError)
        XCTAssertTrue(status.standardOutput.contains("done     \(series)"), status.standardOutput)
        let late = try Command.run("loto-features", arguments)
        XCTAssertEqual(late.status, 0, late.standardError)
        XCTAssertTrue(late.standardError.contains(": 0 series in 0 claims"), late.standardError)
    }

    /// A worker pointed at a store of another schema: one line, nothing claimed (no work table).
    func testAStoreOfAnotherSchemaIsRefusedBeforeAnythingIsClaimed() throws {
        let url = try testDatabaseURL()
        let csv = try draws()
        let store = try schema(url)
        try PostgresConnection(connectionString: store.url).execute(
            "CREATE TABLE features_stat (loto varchar, unique_id varchar, stat_y_mean double precision)")
        let outcome = try Command.run(
            "loto-features", ["generate", "--input", csv, "--store", store.url, "--worker", "--lease", "5"])
        XCTAssertEqual(outcome.status, 1, outcome.standardError)
        XCTAssertEqual(outcome.standardError.split(separator: "\n").count, 1, outcome.standardError)
        XCTAssertTrue(outcome.standardError.contains("features_stat"), outcome.standardError)
        let exists = try PostgresConnection(connectionString: store.url).execute(
            "SELECT to_regclass('loto_features_work') IS NOT NULL")
        XCTAssertEqual(exists.value(row: 0, column: 0), "f", "no work table, nothing claimed")
        let status = try Command.run("loto-features", ["status", "--store", store.url])
        XCTAssertEqual(status.status, 2, status.standardError)
        XCTAssertTrue(status.standardError.contains("has no work table yet"), status.standardError)
    }

    func testWorkerFlagsAreCheckedBeforeAnythingRuns() throws {
        for (arguments, text) in [
            (["--store", "sqlite:/tmp/x.sqlite", "--worker"], "--worker shares work through a PostgreSQL store"),
            (["--store", "postgresql://u@127.0.0.1:1/db", "--worker", "--resume"], "--resume goes without --worker"),
            (["--store", "postgresql://u@127.0.0.1:1/db", "--worker", "--lease", "0"], "--lease"),
            (["--store", "postgresql://u@127.0.0.1:1/db", "--worker", "--lease", "1e9"], "--lease"),
        ] {
            let outcome = try Command.run("loto-features", ["generate", "--input", "/nonexistent.csv"] + arguments)
            XCTAssertEqual(outcome.status, 2, "\(arguments): \(outcome.standardError)")
            XCTAssertEqual(outcome.standardError.split(separator: "\n").count, 1, outcome.standardError)
            XCTAssertTrue(outcome.standardError.contains(text), "\(arguments): \(outcome.standardError)")
        }
    }
}
