import Foundation
import LotoFeatures
import XCTest

/// Pipeline P9 against AntroPy 0.2.3 (Golden/entropy.csv, made by make_golden_entropy.py).
final class EntropyGoldenTests: XCTestCase {
    /// Every column within 1e−9 relative, 1e−12 absolute. Measured: 0 difference on every column
    /// but spectral entropy (direct DFT against scipy's FFT: ≤ 6e−16 relative) and SVD entropy
    /// (Jacobi rotations against LAPACK: ≤ 3e−13 relative; on the constant series LAPACK's
    /// rounding noise in the two zero singular values gives 9.3e−15 where ours give 0, inside
    /// the absolute floor).
    func testEntropyFeaturesMatchAntroPy() throws {
        let golden = try GoldenTable(named: "entropy")
        let series = try CSVDrawReader.read(path: try GoldenTable.url("entropy_draws").path)
        XCTAssertEqual(golden.rows.count, series.count)
        XCTAssertEqual(golden.header, ["loto", "unique_id"] + EntropyFeatures.columns)
        for row in golden.rows {
            let one = try XCTUnwrap(series.first { $0.loto == row[0] && $0.uniqueId == row[1] })
            let values = EntropyFeatures.compute(one.y.filter { !$0.isNaN })
            XCTAssertEqual(values.count, EntropyFeatures.columns.count)
            for (column, name) in EntropyFeatures.columns.enumerated() {
                let actual = values[column].isNaN ? nil : values[column]
                _ = assertClose(actual, golden.number(row, name), "\(row[0])/\(row[1]) \(name)")
            }
        }
        // Every column is compared against a number on at least one series.
        for name in EntropyFeatures.columns {
            XCTAssertTrue(golden.rows.contains { golden.number($0, name) != nil }, "\(name) is NULL on every series")
        }
    }

    func value(_ values: [Double], _ name: String) -> Double {
        values[EntropyFeatures.columns.firstIndex(of: name)!]
    }

    func testNullRulesOnShortAndDegenerateSeries() {
        let count = EntropyFeatures.columns.count
        XCTAssertTrue(EntropyFeatures.compute([]).allSatisfy(\.isNaN))
        XCTAssertTrue(EntropyFeatures.compute([.nan, .nan]).allSatisfy(\.isNaN))
        XCTAssertTrue(EntropyFeatures.compute([1, .infinity, 3, 4, 5]).allSatisfy(\.isNaN))
        // A single value: only Petrosian is computed, and it is 0/0 too.
        XCTAssertTrue(EntropyFeatures.compute([4]).allSatisfy(\.isNaN))
        // NaN values are dropped as missing values.
        XCTAssertEqual(
            EntropyFeatures.compute([3, .nan, 1, 4, 1, .nan, 5]).map { $0.isNaN ? -99 : $0 },
            EntropyFeatures.compute([3, 1, 4, 1, 5]).map { $0.isNaN ? -99 : $0 })

        let two = EntropyFeatures.compute([2, 7])
        XCTAssertEqual(two.count, count)
        XCTAssertTrue(value(two, "stat_perm_entropy").isNaN)
        XCTAssertTrue(value(two, "stat_svd_entropy").isNaN)
        XCTAssertTrue(value(two, "stat_app_entropy").isNaN)
        XCTAssertEqual(value(two, "stat_spectral_entropy"), 0)
        XCTAssertEqual(value(two, "stat_hjorth_mobility"), 0)
        XCTAssertTrue(value(two, "stat_hjorth_complexity").isNaN)
        XCTAssertEqual(value(two, "stat_petrosian_fd"), 1)

        // A constant series: r = 0, so no pair is < r (sample entropy NULL); 0/0 in Hjorth,
        // Katz, Higuchi and DFA.
        let constant = EntropyFeatures.compute([Double](repeating: 7, count: 100))
        XCTAssertEqual(value(constant, "stat_perm_entropy"), 0)
        XCTAssertEqual(value(constant, "stat_spectral_entropy"), 0)
        XCTAssertEqual(value(constant, "stat_svd_entropy"), 0, accuracy: 1e-12)
        XCTAssertEqual(value(constant, "stat_app_entropy"), 0)
        XCTAssertEqual(value(constant, "stat_petrosian_fd"), 1)
        for name in [
            "stat_sample_entropy", "stat_hjorth_mobility", "stat_hjorth_complexity", "stat_katz_fd",
            "stat_higuchi_fd", "stat_dfa",
        ] {
            XCTAssertTrue(value(constant, name).isNaN, name)
        }

        // Sample entropy: length-2 matches but no length-3 one is AntroPy's +inf, stored NULL.
        let noMatch = EntropyFeatures.compute([1, 2, 1, 2, 5, 9])
        XCTAssertTrue(value(noMatch, "stat_sample_entropy").isNaN)
        XCTAssertFalse(value(noMatch, "stat_app_entropy").isNaN)

        // Higuchi needs 20 values (kmax = 10); DFA has one window size, slope 0, below 58.
        let ramp19 = (0..<19).map { Double($0 % 5) }
        XCTAssertTrue(value(EntropyFeatures.compute(ramp19), "stat_higuchi_fd").isNaN)
        XCTAssertFalse(value(EntropyFeatures.compute(ramp19 + [3]), "stat_higuchi_fd").isNaN)
        XCTAssertEqual(value(EntropyFeatures.compute(ramp19), "stat_dfa"), 0)

        // A linear series: every pattern increasing, complexity 0/0, Katz and Petrosian 1.
        let linear = EntropyFeatures.compute((0..<64).map { Double(3 * $0 + 2) })
        XCTAssertEqual(value(linear, "stat_perm_entropy"), 0)
        XCTAssertTrue(value(linear, "stat_hjorth_complexity").isNaN)
        XCTAssertEqual(value(linear, "stat_katz_fd"), 1)
        XCTAssertEqual(value(linear, "stat_petrosian_fd"), 1)
    }

    /// Values of every magnitude never crash and give finite numbers or NULL only.
    func testNoInfinities() {
        let inputs: [[Double]] = [
            [0, 0], [1, 1, 1], [-5, 1e300, -1e300, 4], (0..<25).map { Double($0 % 3) },
            (0..<300).map { 1e-300 * Double($0 % 7) },
        ]
        for input in inputs {
            let values = EntropyFeatures.compute(input)
            XCTAssertEqual(values.count, EntropyFeatures.columns.count)
            XCTAssertTrue(values.allSatisfy { $0.isNaN || $0.isFinite }, "\(input.prefix(5))")
        }
    }
}
