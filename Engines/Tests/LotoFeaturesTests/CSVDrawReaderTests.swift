import Foundation
import LotoFeatures
import XCTest

/// Bad CSV is refused with one line naming the file, the line and the column.
final class CSVDrawReaderTests: XCTestCase {
    private func refusal(_ text: String) -> String {
        do {
            _ = try CSVDrawReader.parse(Data(text.utf8), name: "draws.csv")
            return "accepted"
        } catch {
            let line = String(describing: error)
            XCTAssertFalse(line.contains("\n"), line)
            return line
        }
    }

    func testMissingColumnIsNamed() {
        XCTAssertTrue(
            refusal("loto,unique_id,ds\nloto6,N1,2020-01-02\n").hasPrefix(
                "draws.csv:1, column 'y': missing from the header"))
    }

    func testBadDateNamesLineAndColumn() {
        XCTAssertEqual(
            refusal("loto,unique_id,ds,y\nloto6,N1,2020-01-02,3\nloto6,N1,2020-02-30,4\n"),
            "draws.csv:3, column 'ds': '2020-02-30' is not a date; write YYYY-MM-DD")
    }

    func testNonNumericYNamesLineAndColumn() {
        XCTAssertEqual(
            refusal("loto,unique_id,ds,y\nloto6,N1,2020-01-02,seven\n"),
            "draws.csv:2, column 'y': 'seven' is not a number")
    }

    func testDuplicateKeyIsRefused() {
        XCTAssertTrue(
            refusal("loto,unique_id,ds,y\nloto6,N1,2020-01-02,3\nloto6,N1,2020-01-02,4\n").hasPrefix(
                "draws.csv:3, column 'ds': duplicate key (loto6, N1, 2020-01-02)"))
    }

    func testUnsortedRowsAreRefused() {
        XCTAssertTrue(
            refusal("loto,unique_id,ds,y\nloto6,N1,2020-01-05,3\nloto6,N2,2020-01-01,3\nloto6,N1,2020-01-02,4\n")
                .hasPrefix("draws.csv:4, column 'ds': rows of loto6/N1 are not sorted"))
    }

    func testEmptyFileAndHeaderOnlyAreRefused() {
        XCTAssertTrue(refusal("").hasPrefix("draws.csv:1: the file is empty"))
        XCTAssertTrue(refusal("loto,unique_id,ds,y,num,co\n").hasPrefix("draws.csv:1: no rows after the header"))
    }

    func testShortRowNamesTheMissingField() {
        XCTAssertEqual(
            refusal("loto,unique_id,ds,y\nloto6,N1,2020-01-02\n"),
            "draws.csv:2, column 'y': missing: the row has 3 fields, the header 4")
    }

    func testInterleavedSeriesCRLFAndEmptyYAreRead() throws {
        let text =
            "\u{FEFF}unique_id,loto,ds,y,co\r\nN2,loto6,2020-01-02,5,\r\nN1,loto6,2020-01-02,,100\r\nN1,loto6,2020-01-06,7,0\r\n"
        let series = try CSVDrawReader.parse(Data(text.utf8), name: "x.csv")
        XCTAssertEqual(series.map(\.uniqueId), ["N1", "N2"])
        XCTAssertTrue(series[0].y[0].isNaN)
        XCTAssertEqual(series[0].y[1], 7)
        XCTAssertEqual(series[0].co, [100, 0])
        XCTAssertEqual(series[1].num, [nil])
    }

    func testMissingFileSaysHowToMakeOne() {
        XCTAssertThrowsError(try CSVDrawReader.read(path: "/nonexistent/draws.csv")) { error in
            XCTAssertTrue("\(error)".contains("loto-features sample"), "\(error)")
        }
    }

    func testNumbersOutsideTheirRangeNameLineAndColumn() {
        let header = "loto,unique_id,ds,y,num,co\n"
        XCTAssertTrue(
            refusal(header + "loto6,N1,2020-01-02,1e300,1,0\n").hasPrefix(
                "draws.csv:2, column 'y': '1e300' is out of range: expected a number from -"))
        XCTAssertTrue(
            refusal(header + "loto6,N1,2020-01-02,1e400,1,0\n").hasPrefix(
                "draws.csv:2, column 'y': '1e400' is out of range"))
        XCTAssertTrue(
            refusal(header + "loto6,N1,2020-01-02,3,-1,0\n").hasPrefix(
                "draws.csv:2, column 'num': '-1' is out of range"))
        XCTAssertTrue(
            refusal(header + "loto6,N1,2020-01-02,3,99999999999999999999,0\n").hasPrefix(
                "draws.csv:2, column 'num': '99999999999999999999' is out of range"))
        XCTAssertEqual(
            refusal(header + "loto6,N1,2020-01-02,3,1.5,0\n"), "draws.csv:2, column 'num': '1.5' is not a whole number")
        XCTAssertTrue(
            refusal(header + "loto6,N1,2020-01-02,3,1,-5\n").hasPrefix("draws.csv:2, column 'co': '-5' is out of range")
        )
    }

    func testARowWithMoreFieldsThanTheHeaderIsRefused() {
        XCTAssertEqual(
            refusal("loto,unique_id,ds,y\nloto6,N1,2020-01-02,3,4\n"), "draws.csv:2: the row has 5 fields, the header 4"
        )
    }

    func testControlCharactersAndLongFieldsAreShownOnOneShortLine() {
        let line = refusal("loto,unique_id,ds,y\nloto6,N1,\"2020\r01\u{2028}02\",3\n")
        XCTAssertEqual(line, "draws.csv:2, column 'ds': '2020?01?02' is not a date; write YYYY-MM-DD")
        let long = refusal("loto,unique_id,ds,y\nloto6,N1,2020-01-02,\(String(repeating: "x", count: 10_000))\n")
        XCTAssertLessThan(long.count, 200, long)
    }

    func testKeysThatAreNotUTF8AreRefused() throws {
        var bytes = Array("loto,unique_id,ds,y\n".utf8)
        bytes += [0xFF, 0xFE] + Array(",N1,2020-01-02,3\n".utf8)
        XCTAssertThrowsError(try CSVDrawReader.parse(Data(bytes), name: "draws.csv")) { error in
            XCTAssertTrue("\(error)".hasPrefix("draws.csv:2, column 'loto': "), "\(error)")
        }
    }

    func testAFIFOIsRefusedAtOnce() throws {
        let directory = try temporaryDirectory(self)
        let fifo = directory.appendingPathComponent("draws.csv").path
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        XCTAssertThrowsError(try CSVDrawReader.read(path: fifo)) { error in
            XCTAssertTrue("\(error)".contains("FIFO"), "\(error)")
        }
    }
}
