import Foundation
import LotoFeatures
import XCTest

/// Pipeline P4 (``TrendFeatures``, ``STLDecomposition``) against statsmodels' STL and
/// tsfeatures' strength formulas (Golden/trend.csv, made by Golden/make_golden_trend.py).
final class TrendGoldenTests: XCTestCase {
    /// Tolerances. The STL parts are differences of values of the size of y (a seasonal or a
    /// remainder of a constant or exactly fitted series is ~1e-15 · |y|, pure rounding), so
    /// their absolute floor scales with the series' largest |y|: 1e-9 · max|y|. With glibc's
    /// `pow` the port is bit-identical to statsmodels on every golden value; another libm may
    /// round the tricube weights differently in the last place, which the tolerance absorbs.
    static func absoluteFloor(_ column: String, scale: Double) -> Double {
        column.hasPrefix("hist_stl_") ? 1e-9 * max(scale, 1) : 1e-12
    }

    func testEveryColumnMatchesStatsmodelsAndTSFeatures() throws {
        let golden = try GoldenTable(named: "trend")
        let series = try CSVDrawReader.read(path: try GoldenTable.url("trend_draws").path)
        XCTAssertEqual(Array(golden.header.prefix(3)), ["loto", "unique_id", "ds"])
        XCTAssertEqual(
            Array(golden.header.dropFirst(3)), TrendFeatures.histColumns + TrendFeatures.statColumns,
            "column names and order follow the golden file")
        var computed: [String: (stat: [Double], hist: [[Double]], days: [CivilDay], scale: Double)] = [:]
        for one in series {
            let period = TrendFeatures.period(days: one.days.map(\.daysSinceEpoch))
            let both = TrendFeatures.compute(one.y, period: period)
            // The one-fit entry point gives exactly what the two separate ones give.
            XCTAssertEqual(both.hist.count, TrendFeatures.histColumns.count)
            XCTAssertTrue(zip(both.hist, TrendFeatures.hist(one.y, period: period)).allSatisfy { same($0, $1) })
            XCTAssertTrue(same(both.stat, TrendFeatures.stat(one.y.filter { !$0.isNaN }, period: period)))
            let scale = one.y.filter { !$0.isNaN }.map(abs).max() ?? 1
            computed["\(one.loto)/\(one.uniqueId)"] = (both.stat, both.hist, one.days, scale)
        }
        var rowInSeries: [String: Int] = [:]
        var failures = 0
        var numbers = Set<String>()
        for row in golden.rows {
            let key = "\(row[0])/\(row[1])"
            let result = try XCTUnwrap(computed[key], "series \(key) was not read")
            let index = rowInSeries[key, default: 0]
            rowInSeries[key] = index + 1
            XCTAssertEqual(result.days[index].description, row[2])
            let values =
                TrendFeatures.histColumns.indices.map { result.hist[$0][index] } + result.stat
            for (name, value) in zip(TrendFeatures.histColumns + TrendFeatures.statColumns, values) {
                let expected = golden.number(row, name)
                if expected != nil { numbers.insert(name) }
                if !assertClose(
                    value.isNaN ? nil : value, expected,
                    absolute: Self.absoluteFloor(name, scale: result.scale), "\(key) \(row[2]) \(name)")
                {
                    failures += 1
                }
                if failures > 20 { return XCTFail("more than 20 mismatches; stopping") }
            }
        }
        XCTAssertEqual(rowInSeries.count, 8)
        XCTAssertEqual(rowInSeries.count, computed.count)
        XCTAssertEqual(
            numbers, Set(TrendFeatures.histColumns + TrendFeatures.statColumns), "every column has a golden number")
    }

    func testCalendarPeriod() {
        func days(_ gaps: [Int], count: Int) -> [Int] {
            var out = [18_000]
            while out.count < count { out.append(out[out.count - 1] + gaps[(out.count - 1) % gaps.count]) }
            return out
        }
        XCTAssertEqual(TrendFeatures.period(days: days([4, 3], count: 500)), 104, "loto6: Monday and Thursday")
        XCTAssertEqual(TrendFeatures.period(days: days([1, 1, 1, 1, 3], count: 500)), 260, "numbers3: Monday–Friday")
        XCTAssertEqual(TrendFeatures.period(days: days([7], count: 100)), 52, "weekly")
        XCTAssertEqual(TrendFeatures.period(days: days([10], count: 100)), 52, "7/10 rounds to 1 draw a week")
        XCTAssertNil(TrendFeatures.period(days: days([14], count: 100)), "half a draw a week rounds to 0 (even)")
        XCTAssertNil(TrendFeatures.period(days: days([30], count: 100)), "monthly")
        XCTAssertNil(TrendFeatures.period(days: [18_000]))
        XCTAssertNil(TrendFeatures.period(days: []))
        XCTAssertNil(TrendFeatures.period(days: [18_000, 18_000]), "days that do not increase")
    }

    func testSTLRefusesWhatStatsmodelsOrRRefuse() {
        let y = (0..<40).map { Double($0 % 7) + 0.1 * Double($0) }
        XCTAssertNil(STLDecomposition.fit(y, period: 1), "period < 2")
        XCTAssertNil(STLDecomposition.fit(y, period: 21), "fewer than 2 periods")
        XCTAssertNotNil(STLDecomposition.fit(y, period: 20), "exactly 2 periods")
        XCTAssertNil(STLDecomposition.fit([], period: 2))
        var withNaN = y
        withNaN[3] = .nan
        XCTAssertNil(STLDecomposition.fit(withNaN, period: 7), "missing values are the caller's to drop")
        withNaN[3] = .infinity
        XCTAssertNil(STLDecomposition.fit(withNaN, period: 7))
        let fit = STLDecomposition.fit(y, period: 7)
        XCTAssertEqual(fit?.trend.count, 40)
        XCTAssertEqual(fit?.seasonal.count, 40)
        XCTAssertEqual(fit?.resid.count, 40)
    }

    func testConstantSeries() throws {
        let y = [Double](repeating: 7, count: 120)
        let fit = try XCTUnwrap(STLDecomposition.fit(y, period: 52))
        for i in 0..<120 {
            XCTAssertEqual(fit.trend[i], 7, accuracy: 1e-12)
            XCTAssertEqual(fit.seasonal[i], 0, accuracy: 1e-12)
            XCTAssertEqual(fit.resid[i], 0, accuracy: 1e-12)
        }
        let stat = TrendFeatures.stat(y, period: 52)
        XCTAssertEqual(stat, [0, 0, 52, 0, 0], "tsfeatures' guards give 0 strengths when var(x) < eps")
    }

    func testNullRules() throws {
        let nan = Double.nan
        // No period: no STL, but drawdown / drawup still.
        let y = (0..<100).map { Double(($0 * 37) % 11) }
        let noPeriod = TrendFeatures.hist(y, period: nil)
        XCTAssertEqual(noPeriod.count, 7)
        for column in 0..<3 { XCTAssertTrue(noPeriod[column].allSatisfy(\.isNaN)) }
        let stat = TrendFeatures.stat(y, period: nil)
        XCTAssertTrue(stat[0].isNaN && stat[1].isNaN && stat[2].isNaN)
        XCTAssertEqual(stat[3], 10)
        XCTAssertEqual(stat[4], 10)
        // Too short for its period: the period is still reported.
        XCTAssertTrue(same(TrendFeatures.stat(y, period: 104), [nan, nan, 104, 10, 10]))
        // Rolling windows: NULL until 30 draws, and while a missing draw is in the window.
        var gappy = y
        gappy[40] = nan
        let hist = TrendFeatures.hist(gappy, period: 7)
        let drawdown30 = hist[3]
        let drawup30 = hist[4]
        XCTAssertTrue(drawdown30[0..<29].allSatisfy(\.isNaN))
        XCTAssertEqual(drawdown30[29], (y[0..<30].max() ?? nan) - y[29])
        XCTAssertEqual(drawup30[29], y[29] - (y[0..<30].min() ?? nan))
        XCTAssertTrue(drawdown30[40..<70].allSatisfy(\.isNaN))
        XCTAssertEqual(drawdown30[70], (y[41...70].max() ?? nan) - y[70])
        XCTAssertTrue(hist[5][0..<89].allSatisfy(\.isNaN))
        XCTAssertTrue(hist[5][89..<100].allSatisfy(\.isNaN), "every 90-draw window from 89 holds draw 40")
        // STL on the present values; NULL on the missing draw only.
        XCTAssertTrue(hist[0][40].isNaN && hist[1][40].isNaN && hist[2][40].isNaN)
        let present = gappy.filter { !$0.isNaN }
        let fit = try XCTUnwrap(STLDecomposition.fit(present, period: 7))
        XCTAssertEqual(hist[0][41], fit.trend[40])
        XCTAssertEqual(hist[2][39], fit.resid[39])
        // Empty, single and all-missing series never crash.
        XCTAssertEqual(TrendFeatures.hist([], period: 104).map(\.count), [0, 0, 0, 0, 0, 0, 0])
        XCTAssertTrue(TrendFeatures.stat([], period: nil).allSatisfy(\.isNaN))
        XCTAssertTrue(same(TrendFeatures.stat([5], period: nil), [nan, nan, nan, 0, 0]))
        let allMissing = TrendFeatures.compute([nan, nan, nan], period: 52)
        XCTAssertTrue(same(allMissing.stat, [nan, nan, 52, nan, nan]))
        XCTAssertTrue(allMissing.hist.allSatisfy { $0.count == 3 && $0.allSatisfy(\.isNaN) })
    }

    /// The documented warning: the STL parts at a draw depend on later draws.
    func testSTLPartsDependOnLaterDraws() throws {
        let y = (0..<60).map { Double(($0 * 37) % 11) + 0.1 * Double($0) }
        var changed = y
        changed[59] += 100
        let before = try XCTUnwrap(STLDecomposition.fit(y, period: 7))
        let after = try XCTUnwrap(STLDecomposition.fit(changed, period: 7))
        XCTAssertNotEqual(before.trend[30], after.trend[30])
        // Drawdown / drawup use only past draws.
        let h1 = TrendFeatures.hist(y, period: 7)
        let h2 = TrendFeatures.hist(changed, period: 7)
        for column in 3..<7 { XCTAssertTrue(same(Array(h1[column][0..<59]), Array(h2[column][0..<59]))) }
    }

    /// Equal arrays, NaN equal to NaN.
    private func same(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
    }
}
