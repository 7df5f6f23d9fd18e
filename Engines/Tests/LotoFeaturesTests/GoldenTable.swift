import Foundation
import LotoFeatures
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

extension GoldenTable {
    /// The series of a golden draws file (`<name>.csv`) by `loto/unique_id`.
    static func seriesByKey(_ name: String) throws -> [String: DrawSeries] {
        let all = try CSVDrawReader.read(path: try url(name).path)
        return Dictionary(uniqueKeysWithValues: all.map { ("\($0.loto)/\($0.uniqueId)", $0) })
    }

    /// A series-level table (a row per series: loto, unique_id, `columns`) against `compute` of
    /// each series, one value per column; every column must be a number on some series.
    func assertSeriesLevel(
        _ series: [String: DrawSeries], columns: [String], absolute: Double = 1e-12, relative: Double = 1e-9,
        _ compute: (DrawSeries) -> [Double], file: StaticString = #filePath, line: UInt = #line
    ) throws {
        var numbers = Set<String>()
        for row in rows {
            let key = "\(row[0])/\(row[1])"
            let one = try XCTUnwrap(series[key], "series \(key) was not read", file: file, line: line)
            let values = compute(one)
            XCTAssertEqual(values.count, columns.count, file: file, line: line)
            for (column, name) in columns.enumerated() {
                let expected = number(row, name)
                if expected != nil { numbers.insert(name) }
                let actual = values[column].isNaN ? nil : values[column]
                _ = assertClose(
                    actual, expected, absolute: absolute, relative: relative, "\(key) \(name)", file: file, line: line)
            }
        }
        XCTAssertEqual(numbers, Set(columns), "every column compared against a number", file: file, line: line)
    }

    /// A per-draw table (a row per draw: loto, unique_id, ds, `columns`, each series' rows in day
    /// order) against `compute` of each series, one array per column; stops after 20 mismatches.
    /// Returns the rows compared per series; every column must be a number on some row.
    @discardableResult
    func assertPerDraw(
        _ series: [String: DrawSeries], columns: [String], _ compute: (DrawSeries) -> [[Double]],
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> [String: Int] {
        var computed: [String: [[Double]]] = [:]
        var rowInSeries: [String: Int] = [:]
        var numbers = Set<String>()
        var failures = 0
        for row in rows {
            let key = "\(row[0])/\(row[1])"
            let one = try XCTUnwrap(series[key], "series \(key) was not read", file: file, line: line)
            if computed[key] == nil { computed[key] = compute(one) }
            let values = try XCTUnwrap(computed[key], file: file, line: line)
            let index = rowInSeries[key, default: 0]
            rowInSeries[key] = index + 1
            XCTAssertEqual(one.days[index].description, row[2], file: file, line: line)
            for (column, name) in columns.enumerated() {
                XCTAssertEqual(values[column].count, one.count, file: file, line: line)
                let expected = number(row, name)
                if expected != nil { numbers.insert(name) }
                let actual = values[column][index].isNaN ? nil : values[column][index]
                if !assertClose(actual, expected, "\(key) \(row[2]) \(name)", file: file, line: line) { failures += 1 }
                if failures > 20 {
                    XCTFail("more than 20 mismatches; stopping", file: file, line: line)
                    return rowInSeries
                }
            }
        }
        XCTAssertEqual(numbers, Set(columns), "every column compared against a number", file: file, line: line)
        return rowInSeries
    }
}
