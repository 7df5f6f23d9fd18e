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
        XCTAssertTrue(refusal("loto,unique_id,ds\nloto6,N1,2020-01-02\n").hasPrefix("draws.csv:1, column 'y': missing from the header"))
    }

    func testBadDateNamesLineAndColumn() {
        XCTAssertEqual(
            refusal("loto,unique_id,ds,y\nloto6,N1,2020-01-02,3\nloto6,N1,2020-02-30,4\n"),
            "draws.csv:3, column 'ds': '2020-02-30' is not a date; write YYYY-MM-DD")
    }

    func testNonNumericYNamesLineAndColumn() {
        XCTAssertEqual(refusal("loto,unique_id,ds,y\nloto6,N1,2020-01-02,seven\n"), "draws.csv:2, column 'y': 'seven' is not a number")
    }

    func testDuplicateKeyIsRefused() {
        XCTAssertTrue(refusal("loto,unique_id,ds,y\nloto6,N1,2020-01-02,3\nloto6,N1,2020-01-02,4\n").hasPrefix("draws.csv:3, column 'ds': duplicate key (loto6, N1, 2020-01-02)"))
    }

    func testUnsortedRowsAreRefused() {
        XCTAssertTrue(refusal("loto,unique_id,ds,y\nloto6,N1,2020-01-05,3\nloto6,N2,2020-01-01,3\nloto6,N1,2020-01-02,4\n").hasPrefix("draws.csv:4, column 'ds': rows of loto6/N1 are not sorted"))
    }

    func testEmptyFileAndHeaderOnlyAreRefused() {
        XCTAssertTrue(refusal("").hasPrefix("draws.csv:1: the file is empty"))
        XCTAssertTrue(refusal("loto,unique_id,ds,y,num,co\n").hasPrefix("draws.csv:1: no rows after the header"))
    }

    func testShortRowNamesTheMissingField() {
        XCTAssertEqual(refusal("loto,unique_id,ds,y\nloto6,N1,2020-01-02\n"), "draws.csv:2, column 'y': missing: the row has 3 fields, the header 4")
    }

    func testInterleavedSeriesCRLFAndEmptyYAreRead() throws {
        let text = "\u{FEFF}unique_id,loto,ds,y,co\r\nN2,loto6,2020-01-02,5,\r\nN1,loto6,2020-01-02,,100\r\nN1,loto6,2020-01-06,7,0\r\n"
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
}
