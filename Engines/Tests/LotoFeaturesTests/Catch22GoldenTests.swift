import Foundation
import LotoFeatures
import XCTest

/// Pipeline P8 against pycatch22 1.0.2 (Golden/catch22.csv, Golden/catch22_hist.csv, made by
/// make_golden_catch22.py from Golden/catch22_draws.csv).
///
/// Tolerance: 1e−9 relative with a 1e−12 absolute floor on every column. Measured: every value
/// bit-identical (0 difference), on the golden series and on 3,000 random series of 1–3,000
/// values (uniform draws, digits, random walks, sinusoids, 1e7 offsets), the FFT-based columns
/// included: the port follows the C library's FFT and summation order.
final class Catch22GoldenTests: XCTestCase {
    private func series() throws -> [String: DrawSeries] { try GoldenTable.seriesByKey("catch22_draws") }

    func testFeaturesMatchPycatch22() throws {
        let golden = try GoldenTable(named: "catch22")
        let all = try series()
        XCTAssertEqual(golden.header, ["loto", "unique_id"] + Catch22Features.columns)
        XCTAssertEqual(golden.rows.count, all.count)
        try golden.assertSeriesLevel(all, columns: Catch22Features.columns) {
            Catch22Features.compute($0.y.filter { !$0.isNaN })
        }
    }

    func testRollingMatchesPycatch22() throws {
        let golden = try GoldenTable(named: "catch22_hist")
        let all = try series()
        XCTAssertEqual(golden.header, ["loto", "unique_id", "ds"] + Catch22Features.rollingColumns)
        let rowInSeries = try golden.assertPerDraw(all, columns: Catch22Features.rollingColumns) {
            Catch22Features.rolling($0.y)
        }
        for (key, rows) in rowInSeries { XCTAssertEqual(rows, all[key]?.count, key) }
    }

    func testColumnNames() {
        XCTAssertEqual(Catch22Features.catch22Names.count, 24)
        XCTAssertEqual(Catch22Features.columns.count, 24)
        XCTAssertEqual(Catch22Features.rollingNames.count, 5)
        XCTAssertEqual(Catch22Features.rollingWindow, 90)
        for name in Catch22Features.rollingNames { XCTAssertTrue(Catch22Features.catch22Names.contains(name), name) }
        for column in Catch22Features.columns + Catch22Features.rollingColumns {
            XCTAssertLessThanOrEqual(column.utf8.count, 63, column)
            XCTAssertTrue(
                column.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }, column)
        }
        XCTAssertEqual(Set(Catch22Features.columns).count, 24)
    }

    private func value(_ values: [Double], _ name: String) -> Double {
        values[Catch22Features.catch22Names.firstIndex(of: name)!]
    }

    func testNullRulesAndMasks() {
        let count = Catch22Features.columns.count
        // Nothing present, or an infinite value: pycatch22 returns NaN for all 24.
        for x in [[], [.nan], [.nan, .nan], [1, .infinity, 3, 4], [-.infinity, 2]] as [[Double]] {
            let values = Catch22Features.compute(x)
            XCTAssertEqual(values.count, count)
            XCTAssertTrue(values.allSatisfy(\.isNaN), "\(x)")
        }
        // NaN is a missing value, dropped.
        let ramp = (0..<50).map { Double(($0 * 7) % 11) }
        var gapped = ramp
        gapped.insert(.nan, at: 10)
        gapped.append(.nan)
        XCTAssertEqual(Catch22Features.compute(gapped), Catch22Features.compute(ramp))

        // A constant series: every catch22 feature is pycatch22's mask; mean and sd are numbers.
        for n in [1, 2, 100] {
            let constant = Catch22Features.compute([Double](repeating: 7, count: n))
            XCTAssertEqual(value(constant, "CO_FirstCrossing_acf_1e_pointOfCrossing"), Double(n - 1))
            XCTAssertEqual(value(constant, "CO_FirstMin_ac"), Double(n))
            XCTAssertEqual(value(constant, "SP_Summaries_fft_area_5_1"), 1)
            XCTAssertEqual(value(constant, "IN_AutoMutualInfoStats_40_gaussian_fmmi"), min(40, Double((n + 1) / 2)))
            XCTAssertEqual(value(constant, "SB_TransitionMatrix_quantile_3_ac_sumdiagcov"), 1.0 / 9.0)
            let meanTerm = n > 2 ? Double(n - 2) / (2.0.squareRoot() * ((Double(n) - 1) / Double(n)).squareRoot()) : 0
            XCTAssertEqual(
                value(constant, "CO_Embed2_Dist_tau_d_expfit_meandiff"), 1 / (2.0.squareRoot() * 0.001) + meanTerm,
                accuracy: 1e-9)
            XCTAssertEqual(value(constant, "SC_FluctAnal_2_rsrangefit_50_1_logi_prop_r1"), 1)
            XCTAssertEqual(value(constant, "SC_FluctAnal_2_dfa_50_1_2_logi_prop_r1"), 1)
            for name in [
                "DN_HistogramMode_5", "DN_HistogramMode_10", "DN_OutlierInclude_p_001_mdrmd",
                "DN_OutlierInclude_n_001_mdrmd", "SP_Summaries_fft_wq_50", "FC_LocalSimple_mean3_stde",
                "FC_LocalSimple_mean1_taurat", "MD_pNN_pnn40", "SB_BinaryStats_mean_longstretch1",
                "SB_BinaryStats_diff_longstretch0", "SB_MotifThree_quantile_hh", "CO_HistogramAMI_even_5bin_ami2",
                "CO_trev_1_num", "PD_PeriodicityWang_th0_01",
            ] {
                XCTAssertEqual(value(constant, name), 0, "\(name), n = \(n)")
            }
            XCTAssertEqual(value(constant, "DN_mean"), 7)
            if n == 1 {
                XCTAssertTrue(value(constant, "DN_Spread_std").isNaN, "sd of one value")
            } else {
                XCTAssertEqual(value(constant, "DN_Spread_std"), 0)
            }
        }

        // Short series: the features that need more values give their masks, the rest numbers.
        let two = Catch22Features.compute([1, 2])
        XCTAssertEqual(value(two, "FC_LocalSimple_mean3_stde"), 0)
        XCTAssertEqual(value(two, "CO_FirstMin_ac"), 2)
        XCTAssertEqual(value(two, "SP_Summaries_fft_area_5_1"), 1)
        XCTAssertEqual(value(two, "MD_pNN_pnn40"), 1)
        XCTAssertEqual(value(two, "CO_trev_1_num"), 2.0.squareRoot() * 2, accuracy: 1e-15)
        XCTAssertEqual(value(two, "DN_Spread_std"), 0.5.squareRoot(), accuracy: 1e-15)
        // The fluctuation analyses need 16 distinct window lengths: 40 values (R/S), 79 (DFA).
        let digits = (0..<80).map { Double(($0 * 37 + 11) % 10) }
        let rs = "SC_FluctAnal_2_rsrangefit_50_1_logi_prop_r1"
        let dfa = "SC_FluctAnal_2_dfa_50_1_2_logi_prop_r1"
        XCTAssertEqual(value(Catch22Features.compute(Array(digits.prefix(39))), rs), 1)
        XCTAssertEqual(value(Catch22Features.compute(Array(digits.prefix(40))), rs), 0.5)
        XCTAssertEqual(value(Catch22Features.compute(Array(digits.prefix(78))), dfa), 1)
        XCTAssertEqual(value(Catch22Features.compute(Array(digits.prefix(79))), dfa), 0.5)
        // A spread that underflows (pycatch22 crashes): the 22 are NULL, mean and sd numbers.
        let subnormal: [Double] = [2000, 0, 0, 2000, 0, 1000, 0, 0, 2000, 0].map { $0 * Double.leastNonzeroMagnitude }
        let tiny = Catch22Features.compute(subnormal)
        XCTAssertTrue(tiny.prefix(22).allSatisfy(\.isNaN))
        XCTAssertFalse(value(tiny, "DN_mean").isNaN)
    }

    func testRollingNullRules() {
        let w = Catch22Features.rollingWindow
        for n in [0, 1, w - 1] {
            let columns = Catch22Features.rolling((0..<n).map { Double($0 % 7) })
            XCTAssertEqual(columns.count, Catch22Features.rollingColumns.count)
            XCTAssertTrue(columns.allSatisfy { $0.count == n && $0.allSatisfy(\.isNaN) }, "n = \(n)")
        }
        var y = (0..<300).map { Double(($0 * 13 + 5) % 43 + 1) }
        var columns = Catch22Features.rolling(y)
        for column in columns {
            XCTAssertTrue(column.prefix(w - 1).allSatisfy(\.isNaN))
            XCTAssertFalse(column.suffix(from: w - 1).contains(where: \.isNaN))
        }
        // A missing or infinite value voids every window holding it.
        y[100] = .nan
        y[150] = .infinity
        columns = Catch22Features.rolling(y)
        for column in columns {
            XCTAssertFalse(column[99].isNaN)
            XCTAssertTrue(column[100...239].allSatisfy(\.isNaN))
            XCTAssertFalse(column[240].isNaN)
        }
        // A constant window gives pycatch22's masks (0), not NULL.
        let plateau = (0..<30).map { Double($0 % 5) } + [Double](repeating: 12, count: 100)
        columns = Catch22Features.rolling(plateau)
        XCTAssertTrue(columns.allSatisfy { $0[119] == 0 && $0[129] == 0 })
        XCTAssertTrue(columns.allSatisfy { !$0[118].isNaN })
    }

    /// Each rolling value is `compute` of its window, to the bit.
    func testRollingEqualsComputeOnEachWindow() {
        let w = Catch22Features.rollingWindow
        let indices = Catch22Features.rollingNames.map { Catch22Features.catch22Names.firstIndex(of: $0)! }
        var y: [Double] = (0..<260).map { (i: Int) -> Double in Double((i * i * 7 + 3 * i) % 10) }
        y[120] = .nan
        let columns = Catch22Features.rolling(y)
        for i in (w - 1)..<y.count {
            let window = Array(y[(i - w + 1)...i])
            let expected: [Double] =
                window.contains(where: \.isNaN)
                ? [Double](repeating: .nan, count: indices.count)
                : indices.map { Catch22Features.compute(window)[$0] }
            for c in 0..<indices.count {
                let same = columns[c][i].isNaN ? expected[c].isNaN : columns[c][i].bitPattern == expected[c].bitPattern
                XCTAssertTrue(same, "draw \(i) \(Catch22Features.rollingNames[c]): \(columns[c][i]) vs \(expected[c])")
            }
        }
    }
}
