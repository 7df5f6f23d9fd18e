import CommandTestSupport
import Foundation
import LibPQ
import SoakGate
import XCTest

/// Runs against the throwaway PostgreSQL that ci/test.sh starts. In CI a missing or unreachable
/// database fails these tests; elsewhere a missing SOAKGATE_TEST_DATABASE_URL skips them.
final class PostgresConnectionTests: XCTestCase {
    private func connectionString() throws -> String { try TestDatabase.url() }

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
        XCTAssertThrowsError(
            try PostgresConnection(connectionString: "postgresql://alice:\(secret)@127.0.0.1:1/shop?connect_timeout=2")
        ) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("127.0.0.1:1/shop"), text)
            XCTAssertFalse(text.contains(secret), text)
            XCTAssertFalse(text.contains("\n"), text)
        }
    }

    /// Results are owned by Swift values that free them on every path, a failed statement
    /// included: the harness sees no growth over thousands of statements.
    func testResultsAreFreedOnEveryPath() throws {
        let url = try connectionString()
        let statements = WorkloadDefinition("libpq.statements") { StatementCycle(url: url) }
        let plan = try MeasurementPlan()
        let record = try InProcessMeasurement.measureBlocking(statements, plan: plan)
        let result = WorkloadAnalysis.analyze(record, summary: "", plan: plan)
        XCTAssertEqual(result.verdict, .pass, result.evidenceSummary ?? "")
    }

    /// Connections, opened and refused, are closed on every path: no growth over a thousand
    /// connect-query-close cycles with a refused connection in each.
    func testConnectionsAreClosedOnEveryPath() throws {
        let url = try connectionString()
        let cycle = WorkloadDefinition("libpq.connect-close") {
            let connection = try PostgresConnection(connectionString: url)
            _ = try connection.execute("SELECT 1")
            _ = try? PostgresConnection(connectionString: "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")
        }
        let plan = try MeasurementPlan(warmupIterations: 2)
        let record = try InProcessMeasurement.measureBlocking(cycle, plan: plan)
        let result = WorkloadAnalysis.analyze(record, summary: "", plan: plan)
        XCTAssertEqual(result.verdict, .pass, result.evidenceSummary ?? "")
    }
}

/// One connection for the whole measurement; each iteration runs a statement that succeeds and
/// one that fails.
struct StatementCycle: Workload {
    let url: String
    var connection: PostgresConnection?

    mutating func setUp() throws {
        connection = try PostgresConnection(connectionString: url)
    }

    mutating func run() throws {
        guard let connection else { return }
        let sum = try connection.execute("SELECT $1::int + 1, $2::text", ["41", "it's"])
        precondition(sum.value(row: 0, column: 0) == "42")
        _ = try? connection.execute("SELECT * FROM no_such_table")
    }

    mutating func tearDown() throws {
        connection = nil
    }
}
