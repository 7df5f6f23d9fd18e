import CSoakGateTCacheOff
import Foundation
import LibPQ
import SoakGate
import XCTest

/// Runs against the throwaway PostgreSQL that ci/test.sh starts. In CI a missing or unreachable
/// database fails these tests; elsewhere a missing SOAKGATE_TEST_DATABASE_URL skips them.
final class PostgresConnectionTests: XCTestCase {
    private func connectionString() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["SOAKGATE_TEST_DATABASE_URL"], !url.isEmpty { return url }
        if environment["CI"] == "true" {
            XCTFail("SOAKGATE_TEST_DATABASE_URL is not set in CI: run the tests through 'bash ci/test.sh', which starts PostgreSQL")
            throw CancellationError()
        }
        throw XCTSkip("no PostgreSQL: run 'bash ci/test.sh', or set SOAKGATE_TEST_DATABASE_URL")
    }

    func testParametersAreNeverSplicedIntoSQL() throws {
        let connection = try PostgresConnection(connectionString: connectionString())
        try connection.execute("CREATE TEMPORARY TABLE people (name text, age integer)")
        let hostile = "Robert'); DROP TABLE people;--"
        let inserted = try connection.execute("INSERT INTO people VALUES ($1, $2)", [hostile, "42"])
        XCTAssertEqual(inserted.affectedRows, 1)
        try connection.execute("INSERT INTO people VALUES ($1, $2)", ["nobody", nil])
        let rows = try connection.execute("SELECT name, age FROM people ORDER BY name")
        XCTAssertEqual(rows.rowCount, 2)
        XCTAssertEqual(rows.value(row: 0, column: 0), hostile)
        XCTAssertEqual(rows.value(row: 0, column: 1), "42")
        XCTAssertNil(rows.value(row: 1, column: 1))
        XCTAssertGreaterThanOrEqual(connection.serverVersion, 150000)
    }

    func testServerErrorIsOneLineWithItsSQLState() throws {
        let connection = try PostgresConnection(connectionString: connectionString())
        XCTAssertThrowsError(try connection.execute("SELECT * FROM no_such_table")) { error in
            let failure = error as? PostgresError
            XCTAssertEqual(failure?.sqlState, "42P01")
            XCTAssertFalse(String(describing: error).contains("\n"))
            XCTAssertTrue(String(describing: error).contains("no_such_table"), "\(error)")
        }
        // The connection stays usable after a failed statement.
        XCTAssertEqual(try connection.execute("SELECT 1").value(row: 0, column: 0), "1")
    }

    func testRefusedConnectionNamesTheServerButNeverThePassword() {
        let secret = "s3cret-pass-\(UUID().uuidString)"
        XCTAssertThrowsError(try PostgresConnection(connectionString: "postgresql://alice:\(secret)@127.0.0.1:1/shop?connect_timeout=2")) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("127.0.0.1:1/shop"), text)
            XCTAssertFalse(text.contains(secret), text)
            XCTAssertFalse(text.contains("\n"), text)
        }
    }

    /// Connections and results are owned by Swift values that free them on every path,
    /// including a failed statement: the harness sees no growth across hundreds of cycles.
    func testConnectionsAndResultsAreFreedOnEveryPath() async throws {
        let url = try connectionString()
        let cycle = WorkloadDefinition("libpq.connect-query-fail-close") {
            let connection = try PostgresConnection(connectionString: url)
            _ = try connection.execute("SELECT $1::int + 1", ["41"])
            _ = try? connection.execute("SELECT * FROM no_such_table")
        }
        let plan = try MeasurementPlan(ladder: [1, 10, 100], warmupIterations: 2, windowCount: 3)
        let record = try await Task.detached { try await InProcessMeasurement.measure(cycle, plan: plan) }.value
        let result = WorkloadAnalysis.analyze(record, summary: "", plan: plan)
        XCTAssertEqual(result.verdict, .pass, result.evidenceSummary ?? "")
    }
}
