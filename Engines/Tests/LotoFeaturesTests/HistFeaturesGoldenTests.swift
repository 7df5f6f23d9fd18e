import Foundation
import LotoFeatures
import XCTest

/// features_hist against pandas (Golden/hist.csv, made by Golden/make_golden.py).
final class HistFeaturesGoldenTests: XCTestCase {
    private func computed() throws -> [String: FeatureBlock] {
        let series = try CSVDrawReader.read(path: try GoldenTable.url("draws").path)
        return Dictionary(uniqueKeysWithValues: series.map { ("\($0.loto)/\($0.uniqueId)", HistFeatures.compute($0)) })
    }

    func testEveryColumnMatchesPandasOnEveryEdgeCase() throws {
        let golden = try GoldenTable(named: "hist")
        let blocks = try computed()
        XCTAssertEqual(
            Array(golden.header.dropFirst(3)), HistFeatures.columns, "column names and order follow the golden file")
        var rowInSeries: [String: Int] = [:]
        var failures = 0
        for row in golden.rows {
            let key = "\(row[0])/\(row[1])"
            let block = try XCTUnwrap(blocks[key], "series \(key) was not read")
            let index = rowInSeries[key, default: 0]
            rowInSeries[key] = index + 1
            XCTAssertEqual(block.days[index].description, row[2])
            for (column, name) in HistFeatures.columns.enumerated() {
                let absolute = name.contains("_std_") || name.contains("zscore") ? 1e-6 : 1e-12
                if !assertClose(
                    block.value(row: index, column: column), golden.number(row, name), absolute: absolute,
                    "\(key) \(row[2]) \(name)")
                {
                    failures += 1
                }
                if failures > 20 { return XCTFail("more than 20 mismatches; stopping") }
            }
        }
        XCTAssertEqual(rowInSeries.count, 8)
    }

    func testSeriesShorterThanTheWindowHasNoRollingValues() throws {
        let block = try XCTUnwrap(computed()["edge/short"])
        let w3 = try XCTUnwrap(HistFeatures.columns.firstIndex(of: "hist_y_roll_mean_w3"))
        let w7 = try XCTUnwrap(HistFeatures.columns.firstIndex(of: "hist_y_roll_mean_w7"))
        XCTAssertNil(block.value(row: 1, column: w3))
        XCTAssertEqual(block.value(row: 2, column: w3), (3.0 + 1 + 4) / 3)
        XCTAssertTrue((0..<5).allSatisfy { block.value(row: $0, column: w7) == nil })
    }

    func testConstantSeriesHasZeroSpreadAndNoZScore() throws {
        let block = try XCTUnwrap(computed()["edge/const"])
        let std = try XCTUnwrap(HistFeatures.columns.firstIndex(of: "hist_y_roll_std_w90"))
        let z = try XCTUnwrap(HistFeatures.columns.firstIndex(of: "hist_y_roll_zscore_w90"))
        XCTAssertEqual(block.value(row: 99, column: std), 0)
        XCTAssertNil(block.value(row: 99, column: z), "pandas gives NaN (0/0); stored as NULL")
    }

    func testAMissingValueEmptiesEveryWindowThatHoldsIt() throws {
        let block = try XCTUnwrap(computed()["edge/gaps"])
        let mean = try XCTUnwrap(HistFeatures.columns.firstIndex(of: "hist_y_roll_mean_w3"))
        // y is missing at rows 0, 5, 40, 41, 99.
        XCTAssertNil(block.value(row: 7, column: mean))
        XCTAssertNotNil(block.value(row: 8, column: mean))
        XCTAssertNil(block.value(row: 43, column: mean))
        XCTAssertNotNil(block.value(row: 44, column: mean))
    }

    func testTheBenchmarkSetIsFiftyEightColumns() {
        XCTAssertEqual(HistFeatures.coreColumnCount, 58)
        XCTAssertEqual(HistFeatures.columns.count, 75)
        XCTAssertEqual(Set(HistFeatures.columns).count, HistFeatures.columns.count)
    }
}
