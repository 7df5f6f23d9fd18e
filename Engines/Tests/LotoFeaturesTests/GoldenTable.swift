import Foundation
import XCTest

/// A CSV written by make_golden.py: a header and rows of text, empty for NULL.
struct GoldenTable {
    let header: [String]
    let rows: [[String]]

    init(named name: String) throws {
        let url = try XCTUnwrap(
            Bundle.module.url(forResource: "Golden/\(name)", withExtension: "csv"), "Golden/\(name).csv is missing")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    static func url(_ name: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: "Golden/\(name)", withExtension: "csv"))
    }

    /// The value of a column in a row, nil where pandas gave NaN.
    func number(_ row: [String], _ column: String) -> Double? {
        guard let index = header.firstIndex(of: column) else { return nil }
        return row[index].isEmpty ? nil : Double(row[index])
    }
}

/// Asserts two values agree the way the parity tests require: both NULL, or within 1e-9
/// relative (with `absolute` as a floor for values that cancel, e.g. std of large values).
func assertClose(
    _ actual: Double?, _ expected: Double?, absolute: Double = 1e-12, relative: Double = 1e-9,
    _ what: @autoclosure () -> String, file: StaticString = #filePath, line: UInt = #line
) -> Bool {
    switch (actual, expected) {
    case (nil, nil):
        return true
    case (let a?, let e?):
        let tolerance = max(abs(e) * relative, absolute)
        if abs(a - e) <= tolerance { return true }
        XCTFail("\(what()): \(a) vs pandas \(e)", file: file, line: line)
        return false
    default:
        XCTFail(
            "\(what()): \(actual.map { "\($0)" } ?? "NULL") vs pandas \(expected.map { "\($0)" } ?? "NULL")",
            file: file, line: line)
        return false
    }
}
