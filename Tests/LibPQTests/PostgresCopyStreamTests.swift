import Foundation
import LibPQ
import XCTest

/// COPY … FROM STDIN through the owned wrapper, against the throwaway PostgreSQL of ci/test.sh.
final class PostgresCopyStreamTests: XCTestCase {
    private func connection() throws -> PostgresConnection {
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["SOAKGATE_TEST_DATABASE_URL"], !url.isEmpty { return try PostgresConnection(connectionString: url) }
        if environment["CI"] == "true" {
            XCTFail("SOAKGATE_TEST_DATABASE_URL is not set in CI: run the tests through 'bash ci/test.sh', which starts PostgreSQL")
            throw CancellationError()
        }
        throw XCTSkip("no PostgreSQL: run 'bash ci/test.sh', or set SOAKGATE_TEST_DATABASE_URL")
    }

    func testCopiedRowsArriveWithEscapedTabsNewlinesBackslashesAndNulls() throws {
        let connection = try connection()
        try connection.execute("CREATE TEMPORARY TABLE copied (name text, note text)")
        let copy = try PostgresCopyStream(connection: connection, sql: "COPY copied (name, note) FROM STDIN")
        let awkward = "tab\there\nnew line \\ back"
        try copy.send("\(copyTextField("plain"))\t\(copyTextField(nil))\n")
        try copy.send("\(copyTextField(awkward))\t\(copyTextField("x"))\n")
        XCTAssertEqual(try copy.finish(), 2)
        let rows = try connection.execute("SELECT name, note FROM copied ORDER BY name")
        XCTAssertEqual(rows.rowCount, 2)
        XCTAssertEqual(rows.value(row: 0, column: 0), "plain")
        XCTAssertNil(rows.value(row: 0, column: 1))
        XCTAssertEqual(rows.value(row: 1, column: 0), awkward)
    }

    func testABadRowFailsInOneLineAndTheConnectionStaysUsable() throws {
        let connection = try connection()
        try connection.execute("CREATE TEMPORARY TABLE numbers (n integer)")
        let copy = try PostgresCopyStream(connection: connection, sql: "COPY numbers (n) FROM STDIN")
        try copy.send("1\nnot a number\n")
        XCTAssertThrowsError(try copy.finish()) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState, "22P02")
            XCTAssertFalse(String(describing: error).contains("\n"))
        }
        XCTAssertEqual(try connection.execute("SELECT count(*) FROM numbers").value(row: 0, column: 0), "0")
    }

    func testAnAbandonedCopyIsEndedAndRolledBack() throws {
        let connection = try connection()
        try connection.execute("CREATE TEMPORARY TABLE numbers (n integer)")
        do {
            let copy = try PostgresCopyStream(connection: connection, sql: "COPY numbers (n) FROM STDIN")
            try copy.send("1\n2\n")
        }
        XCTAssertEqual(try connection.execute("SELECT count(*) FROM numbers").value(row: 0, column: 0), "0")
    }

    func testAStatementThatIsNotACopyIsRefused() throws {
        let connection = try connection()
        XCTAssertThrowsError(try PostgresCopyStream(connection: connection, sql: "COPY no_such_table FROM STDIN")) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState, "42P01")
        }
        XCTAssertEqual(try connection.execute("SELECT 1").value(row: 0, column: 0), "1")
    }
}
