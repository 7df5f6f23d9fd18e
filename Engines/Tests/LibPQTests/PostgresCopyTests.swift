import CommandTestSupport
import Foundation
import LibPQ
import SoakGate
import XCTest

/// COPY FROM STDIN through the owned wrapper, against the real server.
final class PostgresCopyTests: XCTestCase {
    private func connection() throws -> PostgresConnection {
        try PostgresConnection(connectionString: TestDatabase.url())
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
        XCTAssertEqual(
            try connection.execute("SELECT score FROM copied WHERE name = $1", [awkward]).value(row: 0, column: 0),
            "1.5")
        XCTAssertEqual(
            try connection.execute("SELECT score FROM copied WHERE name = 'row 700'").value(row: 0, column: 0).flatMap(
                Double.init), 100)
    }

    func testBadDataFailsTheCopyAndTheConnectionStaysUsable() throws {
        let connection = try connection()
        try connection.execute("CREATE TEMPORARY TABLE numbers (value integer)")
        XCTAssertThrowsError(
            try connection.copyIn("COPY numbers FROM STDIN") { copy in
                try copy.appendRow(["1"])
                try copy.appendRow(["not a number"])
            }
        ) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState, "22P02", "\(error)")
        }
        XCTAssertEqual(try connection.execute("SELECT count(*) FROM numbers").value(row: 0, column: 0), "0")
    }

    func testAnErrorThrownWhileAppendingAbortsTheCopy() throws {
        struct Stop: Error {}
        let connection = try connection()
        try connection.execute("CREATE TEMPORARY TABLE numbers (value integer)")
        XCTAssertThrowsError(
            try connection.copyIn("COPY numbers FROM STDIN") { copy in
                try copy.appendRow(["1"])
                throw Stop()
            }
        ) { XCTAssertTrue($0 is Stop) }
        XCTAssertEqual(try connection.execute("SELECT count(*) FROM numbers").value(row: 0, column: 0), "0")
        XCTAssertThrowsError(try connection.copyIn("SELECT 1") { _ in }) { error in
            XCTAssertNotNil(error as? PostgresError)
        }
        XCTAssertEqual(try connection.execute("SELECT 2").value(row: 0, column: 0), "2")
    }

    func testCopiedRowsArriveWithEscapedTabsNewlinesBackslashesAndNulls() throws {
        let connection = try connection()
        try connection.execute("CREATE TEMPORARY TABLE copied (name text, note text)")
        let copy = try PostgresCopy(connection: connection, sql: "COPY copied (name, note) FROM STDIN")
        let awkward = "tab\there\nnew line \\ back"
        try copy.appendFormatted("\(copyTextField("plain"))\t\(copyTextField(nil))\n")
        try copy.appendFormatted("\(copyTextField(awkward))\t\(copyTextField("x"))\n")
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
        let copy = try PostgresCopy(connection: connection, sql: "COPY numbers (n) FROM STDIN")
        try copy.appendFormatted("1\nnot a number\n")
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
            let copy = try PostgresCopy(connection: connection, sql: "COPY numbers (n) FROM STDIN")
            try copy.appendFormatted("1\n2\n")
        }
        XCTAssertEqual(try connection.execute("SELECT count(*) FROM numbers").value(row: 0, column: 0), "0")
    }

    func testAStatementThatIsNotACopyIsRefused() throws {
        let connection = try connection()
        XCTAssertThrowsError(try PostgresCopy(connection: connection, sql: "COPY no_such_table FROM STDIN")) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState, "42P01")
        }
        XCTAssertEqual(try connection.execute("SELECT 1").value(row: 0, column: 0), "1")
    }

    /// Every path through a COPY frees what it took: the harness sees no growth over thousands
    /// of iterations that each finish one COPY, abort one from the closure and abandon one.
    func testCopiesAreFreedOnEveryPath() throws {
        let url = try TestDatabase.url()
        let cycle = WorkloadDefinition("libpq.copy") { CopyCycle(url: url) }
        let plan = try MeasurementPlan()
        let record = try InProcessMeasurement.measureBlocking(cycle, plan: plan)
        let result = WorkloadAnalysis.analyze(record, summary: "", plan: plan)
        XCTAssertEqual(result.verdict, .pass, result.evidenceSummary ?? "")
    }
}

/// One iteration: a COPY that finishes, one whose closure throws, one dropped unfinished, on
/// one connection kept for the whole measurement. Throws if the table does not hold exactly
/// the finished copies' rows.
struct CopyCycle: Workload {
    struct Stop: Error {}
    struct Miscounted: Error { let rows: Int, expected: Int }
    let url: String
    var connection: PostgresConnection?
    var copies = 0

    mutating func setUp() throws {
        let connection = try PostgresConnection(connectionString: url)
        try connection.execute("CREATE TEMPORARY TABLE numbers (n integer)")
        self.connection = connection
    }

    mutating func run() throws {
        guard let connection else { return }
        let copied = try connection.copyIn("COPY numbers FROM STDIN") { copy in
            for n in 1...3 { try copy.appendRow(["\(n)"]) }
        }
        _ = try? connection.copyIn("COPY numbers FROM STDIN") { copy in
            try copy.appendRow(["4"])
            throw Stop()
        }
        do {
            let copy = try PostgresCopy(connection: connection, sql: "COPY numbers FROM STDIN")
            try copy.appendFormatted("5\n")
        }
        copies += 1
        if copies % 1000 == 0 || copied != 3 {
            let rows = Int(try connection.execute("SELECT count(*) FROM numbers").value(row: 0, column: 0) ?? "") ?? -1
            if rows != 3 * copies { throw Miscounted(rows: rows, expected: 3 * copies) }
        }
    }

    mutating func tearDown() throws {
        connection = nil
    }
}
