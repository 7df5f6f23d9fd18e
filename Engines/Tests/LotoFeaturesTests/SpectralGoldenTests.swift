import Foundation
import LotoFeatures
import XCTest

/// P7 against TSFEL 0.2.0 (Golden/spectral.csv, made by make_golden_spectral.py).
final class SpectralGoldenTests: XCTestCase {
    // Every column within 1e-9 relative, 1e-12 absolute. Measured on 398 random draws series of
    // 2 to 2,100 values: at most 6e-12 relative (spectral skewness, a signed sum that cancels);
    // TSFEL's temporal slope is numpy's polyfit (an SVD) where loto-features sums exactly, which
    // near a zero slope leaves about 1e-16 of the values' size, covered by the absolute floor.

    func testFeaturesMatchTSFEL() throws {
        let golden = try GoldenTable(named: "spectral")
        let series = try CSVDrawReader.read(path: try GoldenTable.url("spectral_draws").path)
        XCTAssertEqual(golden.rows.count, series.count)
        for row in golden.rows {
            let one = try XCTUnwrap(series.first { $0.loto == row[0] && $0.uniqueId == row[1] })
            let values = SpectralFeatures.compute(one.y.filter { !$0.isNaN })
            XCTAssertEqual(values.count, SpectralFeatures.columns.count)
            for (column, name) in SpectralFeatures.columns.enumerated() {
                XCTAssertTrue(golden.header.contains(name), "\(name) has no golden column")
                let actual = values[column].isNaN ? nil : values[column]
                _ = assertClose(
                    actual, golden.number(row, name), absolute: 1e-12, relative: 1e-9,
                    "\(row[0])/\(row[1]) \(name)")
            }
        }
        for name in SpectralFeatures.columns {
            XCTAssertTrue(golden.rows.contains { golden.number($0, name) != nil }, "\(name) is NULL on every series")
        }
    }

    func value(_ y: [Double], _ name: String) -> Double {
        SpectralFeatures.compute(y)[SpectralFeatures.columns.firstIndex(of: name)!]
    }

    func testNullRules() {
        XCTAssertTrue(SpectralFeatures.compute([]).allSatisfy(\.isNaN))
        XCTAssertTrue(SpectralFeatures.compute([.nan, .nan]).allSatisfy(\.isNaN))
        // NaN is dropped: the same as the present values alone.
        let withGaps = SpectralFeatures.compute([3, .nan, 1, 4, .nan, 1, 5])
        let present = SpectralFeatures.compute([3, 1, 4, 1, 5])
        XCTAssertEqual(withGaps.map { $0.isNaN ? -1 : $0 }, present.map { $0.isNaN ? -1 : $0 })

        let constant = [Double](repeating: 7, count: 40)
        for name in [
            "stat_spec_skewness", "stat_spec_kurtosis", "stat_spec_decrease", "stat_spec_entropy",
            "stat_spec_power_bandwidth",
        ] {
            XCTAssertTrue(value(constant, name).isNaN, name)
        }
        XCTAssertEqual(value(constant, "stat_spec_centroid"), 0)
        XCTAssertEqual(value(constant, "stat_spec_spread"), 0)
        XCTAssertEqual(value(constant, "stat_spec_rolloff"), 0)
        XCTAssertEqual(value(constant, "stat_temp_autocorr"), 1)
        XCTAssertEqual(value(constant, "stat_temp_slope"), 0)
        XCTAssertEqual(value(constant, "stat_temp_distance"), 39)

        let zeros = [Double](repeating: 0, count: 9)
        for name in ["stat_spec_centroid", "stat_spec_spread", "stat_spec_slope", "stat_temp_centroid"] {
            XCTAssertTrue(value(zeros, name).isNaN, name)
        }
        XCTAssertEqual(value(zeros, "stat_temp_auc"), 0)

        for name in ["stat_spec_slope", "stat_temp_mean_abs_diff", "stat_temp_median_abs_diff", "stat_temp_slope"] {
            XCTAssertTrue(value([5], name).isNaN, name)
        }
        XCTAssertEqual(value([5], "stat_temp_distance"), 0)
        XCTAssertTrue(value([3, 8], "stat_temp_autocorr").isNaN, "no lag to test at n = 2")
        XCTAssertEqual(value([3, 8], "stat_spec_entropy"), 0, "one nonzero bin")
        XCTAssertEqual(value([1, -2, 3, 0, 4], "stat_temp_zero_cross"), 4)
        XCTAssertEqual(value([1, 3, 2, 5, 1, 1], "stat_temp_positive_turning"), 2)
    }

    /// Lengths through every FFT pass (radix 2, 3, 4, 5, generic, numpy's Bluestein lengths).
    func testLengthsOfEveryPassRunWithoutNaN() {
        for n in [1, 2, 3, 5, 7, 11, 12, 49, 97, 182, 401, 500, 1999, 2000] {
            let y = (0..<n).map { Double(($0 * 7919) % 43 + 1) }
            let values = SpectralFeatures.compute(y)
            XCTAssertEqual(values.count, SpectralFeatures.columns.count)
            if n >= 12 {
                XCTAssertFalse(values.contains { $0.isNaN }, "n = \(n)")
            }
        }
    }
}
