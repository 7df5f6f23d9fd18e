import Foundation
import LotoFeatures
import XCTest

/// Pipeline P13 on draws small enough to work out by hand (the expected values are written out
/// below, each with its reasoning).
final class LotteryFeaturesTests: XCTestCase {
    /// Series of one game from per-position values (nil: no row that day; NaN: empty y), every
    /// position drawn on the same days, three days apart.
    func game(
        _ loto: String, _ positions: [String: [Double?]], prize: [String: [Double?]] = [:]
    ) -> [DrawSeries] {
        let start = CivilDay(year: 2024, month: 1, day: 1)!
        return positions.keys.sorted().map { id in
            var one = DrawSeries(loto: loto, uniqueId: id)
            for (t, value) in positions[id]!.enumerated() {
                guard let value else { continue }
                one.append(
                    day: start.adding(days: 3 * t), y: value, num: t + 1, co: nil, prize: prize[id]?[t] ?? nil)
            }
            return one
        }
    }

    func column(_ hist: [[Double]], _ name: String) -> [Double?] {
        hist[LotteryFeatures.histColumns.firstIndex(of: name)!].map { $0.isNaN ? nil : $0 }
    }

    func features(_ series: [DrawSeries], _ id: String) -> (hist: [[Double]], stat: [Double]) {
        let draws = GameDraws(game: LotoGame.named(series[0].loto), series: series)
        return LotteryFeatures.compute(series.first { $0.uniqueId == id }!, draws: draws)
    }

    /// numbers3: each digit position is its own pool (0–9, p = 0.1).
    func testDigitPositionsAreTheirOwnPools() {
        let n1: [Double?] = [1, 1, 2, 1, 1, 1, 3, 4, 1, 5, 6, 1]
        var n3: [Double?] = Array(repeating: 9, count: 12)
        n3[4] = .nan
        let series = game("numbers3", ["N1": n1, "N2": Array(repeating: 0, count: 12), "N3": n3])
        let (hist, _) = features(series, "N1")
        // 1 appears at draws 0, 1, 3, 4, 5, 8, 11 of N1 (N2 and N3 are other pools).
        XCTAssertEqual(
            column(hist, "hist_num_gap"), [nil, 1, nil, 2, 1, 1, nil, nil, 3, nil, nil, 3])
        // Mean gap up to t: (t − 0) / appearances before t; 5 at draw 9 and 6 at 10 are first seen.
        XCTAssertEqual(
            column(hist, "hist_num_mean_gap"), [nil, 1, nil, 1.5, 4.0 / 3, 1.25, nil, nil, 8.0 / 5, nil, nil, 11.0 / 6])
        XCTAssertEqual(column(hist, "hist_num_streak"), [1, 2, 1, 1, 2, 3, 1, 1, 1, 1, 1, 1])
        // Window of 10 draws: from draw 9 on. Draw 9 (5): once in 0–9, against 10 · 0.1 expected;
        // draw 10 (6): once; draw 11 (1): 3, 4, 5, 8, 11 of 2–11, five times.
        XCTAssertEqual(
            column(hist, "hist_num_hot_w10"), Array(repeating: nil, count: 9) + [1, 1, 5])
        XCTAssertEqual(column(hist, "hist_num_hot_w30"), Array(repeating: nil, count: 12))
        // Draw level: N1 + 0 + 9; odd: N1's parity + the 9; low (0–4): N1 ≤ 4 and the 0. Draw 4
        // lacks N3, so its draw columns are NULL in every position's row.
        let sums: [Double?] = n1.enumerated().map { $0.offset == 4 ? nil : $0.element! + 9 }
        XCTAssertEqual(column(hist, "hist_draw_sum"), sums)
        XCTAssertEqual(column(hist, "hist_draw_odd_count")[0...2], [2, 2, 1])
        XCTAssertEqual(column(hist, "hist_draw_even_count")[0...2], [1, 1, 2])
        XCTAssertEqual(column(hist, "hist_draw_low_count")[6...10], [2, 2, 2, 1, 1])
        XCTAssertEqual(column(hist, "hist_draw_high_count")[6...10], [1, 1, 1, 2, 2])
        XCTAssertNil(column(hist, "hist_draw_odd_count")[4])
        let other = features(series, "N2").hist
        XCTAssertEqual(column(other, "hist_draw_sum"), sums)
        // N3 at draw 4 is missing: its own number columns are NULL there.
        let n3Hist = features(series, "N3").hist
        XCTAssertNil(column(n3Hist, "hist_num_streak")[4])
        XCTAssertEqual(column(n3Hist, "hist_num_streak")[5], 1)
        XCTAssertEqual(column(n3Hist, "hist_num_gap")[5], 2)
    }

    /// miniloto: one pool for every position (1–31); with N1 and N2 in the input, p = 2 / 31.
    func testPickGamePositionsShareOnePool() {
        let series = game(
            "miniloto",
            [
                "N1": [1, 2, 1, 3, 1, 7, 8, 9, 10, 1],
                "N2": [5, 1, 4, 1, 6, 11, 12, 13, 14, 15],
            ])
        let (n1, _) = features(series, "N1")
        // 1 appears at draws 0 (N1), 1 (N2), 2 (N1), 3 (N2), 4 (N1), 9 (N1).
        XCTAssertEqual(column(n1, "hist_num_streak"), [1, 1, 3, 1, 5, 1, 1, 1, 1, 1])
        XCTAssertEqual(column(n1, "hist_num_gap")[9], 5)
        XCTAssertEqual(column(n1, "hist_num_mean_gap")[9], 9.0 / 5)
        // Six appearances in draws 0–9 against 10 · 2/31 expected.
        XCTAssertEqual(column(n1, "hist_num_hot_w10")[9]!, 6 / (10 * 2.0 / 31), accuracy: 1e-12)
        let (n2, _) = features(series, "N2")
        XCTAssertEqual(column(n2, "hist_num_streak")[1], 2)
        XCTAssertEqual(column(n2, "hist_num_streak")[3], 4)
        XCTAssertEqual(column(n2, "hist_num_gap")[3], 1)
        // 1–16 are the low half of 1–31: every draw here is two low numbers.
        XCTAssertEqual(column(n1, "hist_draw_low_count"), Array(repeating: 2, count: 10))
        XCTAssertEqual(column(n1, "hist_draw_high_count"), Array(repeating: 0, count: 10))
        XCTAssertEqual(column(n1, "hist_draw_sum")[0], 6)
        XCTAssertEqual(column(n1, "hist_draw_odd_count")[0], 2)
    }

    /// A game the engine does not know has no range: hot/cold and low/high are NULL, the rest is
    /// computed per position.
    func testUnknownGameHasNoRangeColumns() {
        let series = game("mygame", ["A": [3, 3, 5, 3, 3, 3, 3, 3, 3, 3, 3], "B": [3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4]])
        let (a, _) = features(series, "A")
        XCTAssertEqual(column(a, "hist_num_hot_w10"), Array(repeating: nil, count: 11))
        XCTAssertEqual(column(a, "hist_draw_low_count"), Array(repeating: nil, count: 11))
        XCTAssertEqual(column(a, "hist_draw_sum")[0], 6)
        // B's 3 at draw 0 does not count for A (its own pool): A's 3 at draw 1 follows A's at 0.
        XCTAssertEqual(Array(column(a, "hist_num_streak")[0...4]), [1, 2, 1, 1, 2])
        XCTAssertEqual(column(a, "hist_num_gap")[3], 2)
    }

    /// The prize's Pearson correlation with the position's value and the draw's balance, over the
    /// draws where both are present (numpy's corrcoef gives the same numbers).
    func testPrizeCorrelation() {
        let n1: [Double] = [1, 1, 2, 1, 1, 1, 3, 4, 1, 5, 6, 1]
        var n3: [Double?] = Array(repeating: 9, count: 12)
        n3[4] = .nan
        // The prize is on N1's rows only: a draw's prize is the first position's that has one.
        let series = game(
            "numbers3", ["N1": n1, "N2": Array(repeating: 0, count: 12), "N3": n3],
            prize: ["N1": n1.map { 2 * $0 + 3 }])
        let stat = features(series, "N2").stat
        XCTAssertEqual(stat.count, LotteryFeatures.statColumns.count)
        // Prize = 2 · N1 + 3: r = 1 with N1 (N2's own value is constant, so its r is NULL).
        XCTAssertTrue(stat[0].isNaN)
        XCTAssertEqual(features(series, "N1").stat[0], 1, accuracy: 1e-12)
        // Draw sum = N1 + 9 (draw 4 left out): r = 1; odd and low counts: numpy's corrcoef.
        XCTAssertEqual(stat[1], 1, accuracy: 1e-12)
        XCTAssertEqual(stat[2], -0.565452776193789, accuracy: 1e-12)
        XCTAssertEqual(stat[3], -0.8342976876265136, accuracy: 1e-12)
        // Without prizes every stat column is NULL.
        let none = game("numbers3", ["N1": n1, "N2": Array(repeating: 0, count: 12), "N3": n3])
        XCTAssertTrue(features(none, "N1").stat.allSatisfy(\.isNaN))
    }

    /// A prize that is not a number is refused with the file, the line and the column.
    func testPrizeTextIsRefusedWithFileLineAndColumn() {
        let csv = "loto,unique_id,ds,y,prize\nloto6,N1,2024-01-01,3,1000\nloto6,N1,2024-01-04,5,lots\n"
        XCTAssertThrowsError(try CSVDrawReader.parse(Data(csv.utf8), name: "draws.csv")) { error in
            XCTAssertEqual("\(error)", "draws.csv:3, column 'prize': 'lots' is not a number")
        }
        let read = try? CSVDrawReader.parse(
            Data("loto,unique_id,ds,y,prize\nloto6,N1,2024-01-01,3,1000\n".utf8), name: "d")
        XCTAssertEqual(read?.first?.prize, [1000])
    }

    /// Through the generator: P13 of one series sees every position of the game.
    func testGeneratorGivesP13TheWholeGame() async throws {
        let series = game(
            "miniloto",
            ["N1": [1, 2, 1, 3, 1, 7, 8, 9, 10, 1], "N2": [5, 1, 4, 1, 6, 11, 12, 13, 14, 15]])
        let generator = FeatureGenerator(tables: [.hist], pipelines: [.p13], workers: 1, fixedBatch: 1)
        let batch = await generator.compute(series)
        let block = try XCTUnwrap(batch.blocks[.hist]?.first)
        let streak = try XCTUnwrap(generator.layouts[0].columns.firstIndex { $0.name == "hist_num_streak" })
        XCTAssertEqual(
            (0..<block.rowCount).map { block.value(row: $0, column: streak) }, [1, 1, 3, 1, 5, 1, 1, 1, 1, 1])
    }
}
