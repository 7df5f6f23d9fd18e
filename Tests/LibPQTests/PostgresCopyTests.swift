import Foundation
import LibPQ
import XCTest

/// COPY FROM STDIN through the owned wrapper, against the real server.
final class PostgresCopyTests: XCTestCase {
    private func connection() throws -> PostgresConnection {
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["SOAKGATE_TEST_DATABASE_URL"], !url.isEmpty { return try PostgresConnection(connectionString: url) }
        if environment["CI"] == "true" {
            XCTFail("SOAKGATE_TEST_DATABASE_URL is not set in CI: run the tests through 'bash ci/test.sh'")
            throw CancellationError()
        }
        throw XCTSkip("no PostgreSQL: run 'bash ci/test.sh', or set SOAKGATE_TEST_DATABASE_URL")
    }

    func testCopiedRowsArriveEscapedWithNulls() throws {
        let connection = try connection()
        try connection.execute("CREATE TEMPORARY TABLE copied (name text, score double precision)")
        let awkward = "tab\there\\back\nline"
        let copied = try connection.copyIn("COPY copied FROM STDIN") { copy in
            try copy.appendRow([awkward, "1.5"])
            try copy.appendRow(["", nil])
            for index in 0..<20_000 { try copy.appendRow(["row \(index)", "\(Double(index) / 7)"]) }
        }
        XCTAssertEqual(copied, 20_002)
        let rows = try connection.execute("SELECT name, score FROM copied ORDER BY name LIMIT 2")
        XCTAssertEqual(rows.value(row: 0, column: 0), "")
        XCTAssertNil(rows.value(row: 0, column: 1))
        XCTAssertEqual(try connection.execute("SELECT score FROM copied WHERE name = $1", [awkward]).value(row: 0, column: 0), "1.5")
        XCTAssertEqual(try connection.execute("SELECT score FROM copied WHERE name = 'row 700'").value(row: 0, column: 0).flatMap(Double.init), 100)
    }

    func testBadDataFailsTheCopyAndTheConnectionStaysUsable() throws {
        let connection = try connection()
        try connection.execute("CREATE TEMPORARY TABLE numbers (value integer)")
        XCTAssertThrowsError(try connection.copyIn("COPY numbers FROM STDIN") { copy in
            try copy.appendRow(["1"])
            try copy.appendRow(["not a number"])
        }) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState, "22P02", "\(error)")
        }
        XCTAssertEqual(try connection.execute("SELECT count(*) FROM numbers").value(row: 0, column: 0), "0")
    }

    func testAnErrorThrownWhileAppendingAbortsTheCopy() throws {
        struct Stop: Error {}
        let connection = try connection()
        try connection.execute("CREATE TEMPORARY TABLE numbers (value integer)")
        XCTAssertThrowsError(try connection.copyIn("COPY numbers FROM STDIN") { copy in
            try copy.appendRow(["1"])
            throw Stop()
        }) { XCTAssertTrue($0 is Stop) }
        XCTAssertEqual(try connection.execute("SELECT count(*) FROM numbers").value(row: 0, column: 0), "0")
        XCTAssertThrowsError(try connection.copyIn("SELECT 1") { _ in }) { error in
            XCTAssertNotNil(error as? PostgresError)
        }
        XCTAssertEqual(try connection.execute("SELECT 2").value(row: 0, column: 0), "2")
    }
}
