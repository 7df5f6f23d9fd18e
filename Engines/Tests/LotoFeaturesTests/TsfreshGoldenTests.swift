import Foundation
import LotoFeatures
import XCTest

/// Pipeline P6 against tsfresh 0.21.2 (Golden/tsfresh.csv, made by make_golden_tsfresh.py).
final class TsfreshGoldenTests: XCTestCase {
    /// Every column within 1e−9 relative, 1e−12 absolute. Measured: 0 difference on 25 columns;
    /// agg_autocorrelation ≤ 1.4e−13 relative (direct sums against statsmodels' FFT above 1,250
    /// values), fft_aggregated skew ≤ 9.3e−13 (a small value from cancelling moments; the other
    /// three ≤ 1e−14), cid_ce ≤ 4.9e−15, benford_correlation ≤ 6.9e−16, abs_energy ≤ 2.9e−16
    /// (dot products summed in order against OpenBLAS' unrolled order).
    func testTsfreshFeaturesMatchTsfresh() throws {
        let golden = try GoldenTable(named: "tsfresh")
        let series = try CSVDrawReader.read(path: try GoldenTable.url("tsfresh_draws").path)
        XCTAssertEqual(golden.rows.count, series.count)
        XCTAssertEqual(golden.header, ["loto", "unique_id"] + TsfreshFeatures.columns)
        for row in golden.rows {
            let one = try XCTUnwrap(series.first { $0.loto == row[0] && $0.uniqueId == row[1] })
            let values = TsfreshFeatures.compute(one.y.filter { !$0.isNaN })
            XCTAssertEqual(values.count, TsfreshFeatures.columns.count)
            for (column, name) in TsfreshFeatures.columns.enumerated() {
                let actual = values[column].isNaN ? nil : values[column]
                _ = assertClose(actual, golden.number(row, name), "\(row[0])/\(row[1]) \(name)")
            }
        }
        // Every column is compared against a number on at least one series.
        for name in TsfreshFeatures.columns {
            XCTAssertTrue(golden.rows.contains { golden.number($0, name) != nil }, "\(name) is NULL on every series")
        }
    }

    func testColumnNames() {
        XCTAssertEqual(TsfreshFeatures.columns.count, 37)
        XCTAssertEqual(TsfreshFeatures.tsfreshNames.count, TsfreshFeatures.columns.count)
        XCTAssertEqual(Set(TsfreshFeatures.columns).count, TsfreshFeatures.columns.count)
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789_")
        for (name, column) in zip(TsfreshFeatures.tsfreshNames, TsfreshFeatures.columns) {
            XCTAssertTrue(column.hasPrefix("stat_tsfresh_"), column)
            XCTAssertLessThanOrEqual(column.utf8.count, 63, column)
            XCTAssertTrue(column.allSatisfy { allowed.contains($0) }, column)
            let expected =
                "stat_tsfresh_" + name.filter { $0 != "\"" }.map { $0 == "." ? "_" : $0.lowercased() }.joined()
            XCTAssertEqual(column, expected)
        }
        XCTAssertEqual(TsfreshFeatures.tsfreshNames[1], #"agg_autocorrelation__f_agg_"mean"__maxlag_40"#)
        XCTAssertEqual(TsfreshFeatures.columns[4], "stat_tsfresh_approximate_entropy__m_2__r_0_1")
    }

    func value(_ values: [Double], _ name: String) -> Double {
        values[TsfreshFeatures.columns.firstIndex(of: "stat_tsfresh_" + name)!]
    }

    func testNullRulesOnShortAndDegenerateSeries() {
        let count = TsfreshFeatures.columns.count
        XCTAssertTrue(TsfreshFeatures.compute([]).allSatisfy(\.isNaN))
        XCTAssertTrue(TsfreshFeatures.compute([.nan, .nan]).allSatisfy(\.isNaN))
        XCTAssertTrue(TsfreshFeatures.compute([1, .infinity, 3, 4, 5]).allSatisfy(\.isNaN))
        // NaN values are dropped as missing values.
        XCTAssertEqual(
            TsfreshFeatures.compute([3, .nan, 1, 4, 1, .nan, 5]).map { $0.isNaN ? -99 : $0 },
            TsfreshFeatures.compute([3, 1, 4, 1, 5]).map { $0.isNaN ? -99 : $0 })

        // One value: tsfresh's numbers where it gives them.
        let one = TsfreshFeatures.compute([4])
        XCTAssertEqual(one.count, count)
        let nullForOne: Set = [
            "fft_aggregated__aggtype_skew", "fft_aggregated__aggtype_kurtosis", "sample_entropy", "mean_change",
            "mean_second_derivative_central",
        ]
        for column in TsfreshFeatures.columns {
            let name = String(column.dropFirst("stat_tsfresh_".count))
            XCTAssertEqual(value(one, name).isNaN, nullForOne.contains(name), name)
        }
        XCTAssertEqual(value(one, "abs_energy"), 16)
        XCTAssertEqual(value(one, "agg_autocorrelation__f_agg_mean__maxlag_40"), 0)
        XCTAssertEqual(value(one, "approximate_entropy__m_2__r_0_1"), 0)
        XCTAssertEqual(value(one, "index_mass_quantile__q_0_5"), 1)
        XCTAssertEqual(value(one, "lempel_ziv_complexity__bins_10"), 1)
        XCTAssertEqual(value(one, "ratio_value_number_to_time_series_length"), 1)
        XCTAssertEqual(value(one, "variation_coefficient"), 0)

        let two = TsfreshFeatures.compute([2, 7])
        XCTAssertEqual(value(two, "mean_change"), 5)
        XCTAssertEqual(value(two, "agg_autocorrelation__f_agg_mean__maxlag_40"), -1)
        XCTAssertTrue(value(two, "mean_second_derivative_central").isNaN)
        XCTAssertTrue(value(two, "sample_entropy").isNaN)
        XCTAssertEqual(value(TsfreshFeatures.compute([5, 2, 8]), "mean_second_derivative_central"), 4.5)

        // A constant series: tsfresh's made-up zeros, and every template matches at tolerance 0.
        let constant = TsfreshFeatures.compute([Double](repeating: 7, count: 100))
        for name in [
            "agg_autocorrelation__f_agg_mean__maxlag_40", "agg_autocorrelation__f_agg_median__maxlag_40",
            "agg_autocorrelation__f_agg_var__maxlag_40", "approximate_entropy__m_2__r_0_1",
            "cid_ce__normalize_true", "longest_strike_above_mean", "longest_strike_below_mean",
            "fft_aggregated__aggtype_centroid", "fft_aggregated__aggtype_variance", "binned_entropy__max_bins_10",
            "ratio_beyond_r_sigma__r_1",
        ] {
            XCTAssertEqual(value(constant, name), 0, name)
        }
        XCTAssertEqual(value(constant, "sample_entropy"), -log(97.0 / 99.0), accuracy: 1e-15)
        XCTAssertEqual(value(constant, "lempel_ziv_complexity__bins_10"), 0.13)
        XCTAssertTrue(value(constant, "fft_aggregated__aggtype_skew").isNaN)
        XCTAssertTrue(value(constant, "fft_aggregated__aggtype_kurtosis").isNaN)

        // All zeros: Σ|x| = 0 and mean = 0.
        let zeros = TsfreshFeatures.compute([Double](repeating: 0, count: 30))
        for name in [
            "fft_aggregated__aggtype_centroid", "fft_aggregated__aggtype_variance", "index_mass_quantile__q_0_25",
            "index_mass_quantile__q_0_75", "variation_coefficient", "benford_correlation",
        ] {
            XCTAssertTrue(value(zeros, name).isNaN, name)
        }
        XCTAssertEqual(value(zeros, "abs_energy"), 0)

        // Sample entropy: length-2 matches but no length-3 one is tsfresh's +inf, stored NULL.
        let noMatch = TsfreshFeatures.compute([1, 2, 1, 2, 5, 9, 3])
        XCTAssertTrue(value(noMatch, "sample_entropy").isNaN)
        XCTAssertFalse(value(noMatch, "approximate_entropy__m_2__r_0_1").isNaN)

        // A variance below 1e-10 gives tsfresh's zero autocorrelations.
        let tiny = TsfreshFeatures.compute((0..<50).map { 1 + 1e-6 * Double($0 % 3) })
        XCTAssertEqual(value(tiny, "agg_autocorrelation__f_agg_var__maxlag_40"), 0)

        // Lags beyond the series: c3 and the time reversal statistic are 0, peaks 0.
        let four = TsfreshFeatures.compute([5, 2, 8, 3])
        XCTAssertEqual(value(four, "c3__lag_2"), 0)
        XCTAssertEqual(value(four, "time_reversal_asymmetry_statistic__lag_3"), 0)
        XCTAssertEqual(value(four, "number_peaks__n_3"), 0)
    }

    /// Values of every magnitude never crash and give finite numbers or NULL only.
    func testNoInfinities() {
        let inputs: [[Double]] = [
            [0, 0], [1, 1, 1], [-5, 1e300, -1e300, 4], (0..<25).map { Double($0 % 3) },
            (0..<300).map { 1e-300 * Double($0 % 7) }, (0..<64).map { 1e7 + 1e-9 * Double($0 % 2) },
        ]
        for input in inputs {
            let values = TsfreshFeatures.compute(input)
            XCTAssertEqual(values.count, TsfreshFeatures.columns.count)
            XCTAssertTrue(values.allSatisfy { $0.isNaN || $0.isFinite }, "\(input.prefix(5))")
        }
    }
}
