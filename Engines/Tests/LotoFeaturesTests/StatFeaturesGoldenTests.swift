import Foundation
import LotoFeatures
import XCTest

/// features_stat against pandas (global statistics) and Nixtla's tsfeatures (Golden/stat.csv).
final class StatFeaturesGoldenTests: XCTestCase {
    /// Columns whose reference digits depend on summation order on ill-conditioned input.
    static let orderSensitive: Set<String> = ["stat_spikiness", "stat_linearity", "stat_curvature"]

    /// The features_stat row of every pipeline for `series`, by column name (nil for NULL).
    static func statRow(_ series: DrawSeries) -> [String: Double?] {
        let generator = FeatureGenerator(tables: [.stat])
        let block = FeatureGenerator.features(of: series, tables: [.stat])[.stat]!
        var row: [String: Double?] = [:]
        for (index, column) in generator.layouts[0].numericColumns.enumerated() {
            row[column.name] = block.value(row: 0, column: index)
        }
        return row
    }

    func testGlobalStatisticsAndTSFeaturesMatchTheReference() throws {
        let golden = try GoldenTable(named: "stat")
        let series = try CSVDrawReader.read(path: try GoldenTable.url("draws").path)
        XCTAssertEqual(golden.rows.count, series.count)
        var compared = Set<String>()
        for row in golden.rows {
            let one = try XCTUnwrap(series.first { $0.loto == row[0] && $0.uniqueId == row[1] })
            let computed = Self.statRow(one)
            // The golden file has the earlier column names; the values are the same.
            for goldenName in golden.header.dropFirst(2) {
                let name = LegacyColumns.renames[goldenName] ?? goldenName
                guard let actual = computed[name] else { continue }
                compared.insert(name)
                // tsfeatures' statistics go through more floating-point steps (FFT, lstsq) than ours.
                let absolute = TimeSeriesFeatures.columns.contains(name) ? 1e-9 : 1e-12
                // Spike, linearity and curvature come from SuperSmoother's closed-form window
                // lines, which on non-integer values near 1e7 (edge/large) lose about four
                // digits to cancellation; their last digits there follow the order numpy's BLAS
                // kernel sums the windows in (up to 1.3e-8 relative apart from a first-to-last sum).
                let relative = Self.orderSensitive.contains(name) ? 1e-7 : 1e-9
                _ = assertClose(
                    actual, golden.number(row, goldenName), absolute: absolute,
                    relative: relative, "\(row[0])/\(row[1]) \(name)")
            }
        }
        XCTAssertTrue(
            compared.isSuperset(
                of: ["mean", "std", "min", "max", "skewness", "kurtosis"].map { "stat_y_global_\($0)" }),
            "every global column with a pandas value has a golden value")
        // Every tsfeatures column is compared, and on at least one series against a number (a
        // column the golden lacks, or that is NULL on every series, would pass unchecked).
        let missing = TimeSeriesFeatures.columns.filter { !compared.contains($0) }
        XCTAssertEqual(missing, [], "tsfeatures columns without a golden value")
        for name in TimeSeriesFeatures.columns {
            let goldenName = LegacyColumns.renames.first { $0.value == name }?.key ?? name
            XCTAssertTrue(
                golden.rows.contains { golden.number($0, goldenName) != nil }, "\(name) is NULL on every golden series")
        }
    }

    func testSeriesMetaAndTextColumns() {
        var series = DrawSeries(loto: "loto6", uniqueId: "N1")
        for (index, value) in [3.0, .nan, 5, 5, 9].enumerated() {
            series.append(
                day: CivilDay(year: 2024, month: 1, day: 1 + 3 * index)!, y: value, num: 100 + index,
                co: index == 2 ? 0 : 1e8)
        }
        let row = Self.statRow(series)
        func value(_ name: String) -> Double? { row[name]! }
        XCTAssertEqual(value("stat_series_length"), 5)
        XCTAssertEqual(value("stat_n_missing"), 1)
        XCTAssertEqual(value("stat_y_count"), 4)
        XCTAssertEqual(value("stat_span_days"), 12)
        XCTAssertEqual(value("stat_series_frequency_days"), 3)
        XCTAssertEqual(value("stat_y_unique"), 3)
        XCTAssertEqual(value("stat_y_mode"), 5)
        XCTAssertEqual(value("stat_num_last"), 104)
        XCTAssertEqual(value("stat_co_share"), 0.8)
        XCTAssertEqual(value("stat_y_global_range"), 6)
        XCTAssertEqual(value("stat_y_global_cv")!, value("stat_y_global_std")! / value("stat_y_global_mean")!)
        XCTAssertEqual(value("stat_series_start_date"), Double(CivilDay(year: 2024, month: 1, day: 1)!.daysSinceEpoch))
        XCTAssertEqual(value("stat_series_end_date"), Double(CivilDay(year: 2024, month: 1, day: 13)!.daysSinceEpoch))
        // Domain columns: loto6 position 1 is 1–43, a pick game; the draw count is the game's days.
        XCTAssertEqual(value("stat_loto_number_range_min"), 1)
        XCTAssertEqual(value("stat_loto_number_range_max"), 43)
        XCTAssertEqual(value("stat_loto_draw_count_total"), 5)
        let block = FeatureGenerator.features(of: series, tables: [.stat])[.stat]!
        XCTAssertEqual(block.texts, ["N", "pick"])
    }
}
