import Foundation
import LotoFeatures
import XCTest

/// features_stat against pandas (global statistics) and Nixtla's tsfeatures (Golden/stat.csv).
final class StatFeaturesGoldenTests: XCTestCase {
    /// Columns whose reference digits depend on summation order on ill-conditioned input.
    static let orderSensitive: Set<String> = ["stat_ts_spike", "stat_ts_linearity", "stat_ts_curvature"]

    func testGlobalStatisticsAndTSFeaturesMatchTheReference() throws {
        let golden = try GoldenTable(named: "stat")
        let series = try CSVDrawReader.read(path: try GoldenTable.url("draws").path)
        XCTAssertEqual(golden.rows.count, series.count)
        var compared = Set<String>()
        for row in golden.rows {
            let one = try XCTUnwrap(series.first { $0.loto == row[0] && $0.uniqueId == row[1] })
            let block = StatFeatures.compute(one)
            for (column, name) in StatFeatures.columns.enumerated() where golden.header.contains(name) {
                compared.insert(name)
                // tsfeatures' statistics go through more floating-point steps (FFT, lstsq) than ours.
                let absolute = name.hasPrefix("stat_ts_") ? 1e-9 : 1e-12
                // Spike, linearity and curvature come from SuperSmoother's closed-form window
                // lines, which on non-integer values near 1e7 (edge/large) lose about four
                // digits to cancellation; their last digits there follow the order numpy's BLAS
                // kernel sums the windows in (up to 1.3e-8 relative apart from a first-to-last sum).
                let relative = Self.orderSensitive.contains(name) ? 1e-7 : 1e-9
                _ = assertClose(
                    block.value(row: 0, column: column), golden.number(row, name), absolute: absolute,
                    relative: relative, "\(row[0])/\(row[1]) \(name)")
            }
        }
        XCTAssertTrue(compared.isSuperset(of: StatFeatures.globalColumns), "every global column has a golden value")
        // Every tsfeatures column is compared, and on at least one series against a number (a
        // column the golden lacks, or that is NULL on every series, would pass unchecked).
        let missing = TimeSeriesFeatures.columns.filter { !compared.contains($0) }
        XCTAssertEqual(missing, [], "tsfeatures columns without a golden value")
        for name in TimeSeriesFeatures.columns where golden.header.contains(name) {
            XCTAssertTrue(
                golden.rows.contains { golden.number($0, name) != nil }, "\(name) is NULL on every golden series")
        }
    }

    func testSeriesMetaAndTextColumns() {
        var series = DrawSeries(loto: "loto6", uniqueId: "N1")
        for (index, value) in [3.0, .nan, 5, 5, 9].enumerated() {
            series.append(
                day: CivilDay(year: 2024, month: 1, day: 1 + 3 * index)!, y: value, num: 100 + index,
                co: index == 2 ? 0 : 1e8)
        }
        let block = StatFeatures.compute(series)
        func value(_ name: String) -> Double? {
            block.value(row: 0, column: StatFeatures.columns.firstIndex(of: name)!)
        }
        XCTAssertEqual(value("stat_n_rows"), 5)
        XCTAssertEqual(value("stat_n_missing"), 1)
        XCTAssertEqual(value("stat_y_count"), 4)
        XCTAssertEqual(value("stat_span_days"), 12)
        XCTAssertEqual(value("stat_mean_gap_days"), 3)
        XCTAssertEqual(value("stat_y_unique"), 3)
        XCTAssertEqual(value("stat_y_mode"), 5)
        XCTAssertEqual(value("stat_num_last"), 104)
        XCTAssertEqual(value("stat_co_share"), 0.8)
        XCTAssertEqual(block.texts, ["2024-01-01", "2024-01-13"])
    }
}
