import Foundation
import LotoFeatures
import XCTest

/// Pipeline P5 against statsmodels 0.15.0 (ACF, PACF: Golden/autocorr.csv) and pandas 3.1.1
/// (rolling correlations: Golden/autocorr_hist.csv), both made by Golden/make_golden_autocorr.py.
///
/// Tolerance: 1e-9 relative with a 1e-12 absolute floor everywhere. The floor matters for values
/// near 0, where the last bits follow summation order (numpy's BLAS dot products, pandas' online
/// sums) rather than the value: the scratch comparison measured at most 2.5e-14 absolute (rolling
/// correlation with the draw number), 1.1e-15 (rolling autocorrelation), 8.6e-13 on a PACF of
/// magnitude 18 (edge/period3, the pseudo-inverse path) and 2.3e-16 on the ACF.
final class AutocorrelationGoldenTests: XCTestCase {
    private func series() throws -> [String: DrawSeries] { try GoldenTable.seriesByKey("autocorr_draws") }

    func testACFAndPACFMatchStatsmodels() throws {
        let golden = try GoldenTable(named: "autocorr")
        let all = try series()
        XCTAssertEqual(Array(golden.header.dropFirst(2)), AutocorrelationFeatures.statColumns)
        XCTAssertEqual(golden.rows.count, all.count)
        try golden.assertSeriesLevel(all, columns: AutocorrelationFeatures.statColumns) {
            AutocorrelationFeatures.stat($0.y)
        }
    }

    func testRollingCorrelationsMatchPandas() throws {
        let golden = try GoldenTable(named: "autocorr_hist")
        let all = try series()
        XCTAssertEqual(Array(golden.header.dropFirst(3)), AutocorrelationFeatures.histColumns)
        let rowInSeries = try golden.assertPerDraw(all, columns: AutocorrelationFeatures.histColumns) {
            AutocorrelationFeatures.hist($0.y, num: $0.num)
        }
        XCTAssertEqual(rowInSeries.count, all.count)
    }

    /// NULL rules on hand-built input: nothing crashes on empty, short, constant or missing data.
    func testNullRules() {
        let nothing = [Double](repeating: .nan, count: 20)
        for y in [[], [.nan], [4.0], [.nan, .nan, .nan]] {
            XCTAssertTrue(AutocorrelationFeatures.stat(y).allSatisfy(\.isNaN), "\(y)")
        }
        // Two values: the ACF at lag 1 only (statsmodels returns lags 0…n−1); no PACF below 20.
        let two = AutocorrelationFeatures.stat([1, 2])
        XCTAssertEqual(two[0], -0.5)
        XCTAssertTrue(two.dropFirst().allSatisfy(\.isNaN))
        // 19 values: PACF NULL (statsmodels raises, 10 > 19 / 2); 20 values: PACF present.
        let ramp = (0..<25).map { Double(($0 * 7) % 11) }
        XCTAssertTrue(AutocorrelationFeatures.stat(Array(ramp.prefix(19))).suffix(10).allSatisfy(\.isNaN))
        XCTAssertFalse(AutocorrelationFeatures.stat(Array(ramp.prefix(20))).suffix(10).contains { $0.isNaN })
        // Missing values are dropped before the series statistics.
        XCTAssertEqual(AutocorrelationFeatures.stat(ramp), AutocorrelationFeatures.stat(ramp + [.nan] + nothing))
        // Constant: ACF 0/0 is NULL, PACF 0 (statsmodels' pseudo-inverse of the zero matrix).
        let constant = AutocorrelationFeatures.stat([Double](repeating: 0.1, count: 30))
        XCTAssertTrue(constant.prefix(10).allSatisfy(\.isNaN))
        XCTAssertEqual(Array(constant.suffix(10)), [Double](repeating: 0, count: 10))

        // Rolling: NULL before a full window, in every window holding a missing y or num, and on
        // constant windows; arrays always have one value per draw.
        for n in [0, 1, 29, 30] {
            let columns = AutocorrelationFeatures.hist([Double](repeating: 3, count: n), num: Array(0..<n))
            XCTAssertEqual(columns.count, 4)
            XCTAssertTrue(columns.allSatisfy { $0.count == n && $0.allSatisfy(\.isNaN) }, "n = \(n)")
        }
        var y = (0..<40).map { Double(($0 * 13) % 17) }
        var num: [Int?] = Array(0..<40)
        var columns = AutocorrelationFeatures.hist(y, num: num)
        XCTAssertTrue(columns.allSatisfy { $0.prefix(29).allSatisfy(\.isNaN) })
        XCTAssertFalse(columns[0][29].isNaN)
        XCTAssertFalse(columns[2][29].isNaN)
        y[3] = .nan
        num[35] = nil
        columns = AutocorrelationFeatures.hist(y, num: num)
        XCTAssertTrue(columns[0][29...32].allSatisfy(\.isNaN))
        XCTAssertFalse(columns[0][33].isNaN, "the missing y left the window")
        XCTAssertFalse(columns[0][35].isNaN, "a missing num does not touch the autocorrelation")
        XCTAssertTrue(columns[2][29...32].allSatisfy(\.isNaN))
        XCTAssertFalse(columns[2][33].isNaN || columns[2][34].isNaN)
        XCTAssertTrue(columns[2][35...].allSatisfy(\.isNaN), "num missing at draw 35")
        XCTAssertTrue(AutocorrelationFeatures.hist(y, num: []).suffix(2).allSatisfy { $0.allSatisfy(\.isNaN) })
        // A window whose s[1…] is constant has no autocorrelation (0/0).
        let plateau = AutocorrelationFeatures.hist([5.0] + [Double](repeating: 2, count: 29), num: Array(0..<30))
        XCTAssertTrue(plateau[0][29].isNaN)
        XCTAssertFalse(plateau[2][29].isNaN, "y itself varies, so its correlation with num exists")
    }
}
