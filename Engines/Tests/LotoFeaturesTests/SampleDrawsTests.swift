import LotoFeatures
import XCTest

/// The sample generator: real ranges, counts and draw days, reproducible by seed.
final class SampleDrawsTests: XCTestCase {
    func testEveryGameDrawsInItsRangeOnItsDays() {
        for game in LotoGame.all {
            let series = SampleDraws.series(game: game, draws: 300, seed: 7)
            XCTAssertEqual(series.count, game.count, game.name)
            for (position, one) in series.enumerated() {
                XCTAssertEqual(one.count, 300)
                XCTAssertTrue(
                    one.y.allSatisfy { game.range(position + 1).contains(Int($0)) }, "\(game.name) N\(position + 1)")
                XCTAssertTrue(one.days.allSatisfy { game.weekdays.contains($0.weekday) }, game.name)
                XCTAssertEqual(one.days, one.days.sorted())
            }
            if game.distinctSorted {
                for row in 0..<300 {
                    XCTAssertEqual(
                        (0..<game.count).map { series[$0].y[row] }, (0..<game.count).map { series[$0].y[row] }.sorted())
                }
            }
        }
    }

    func testTheSameSeedGivesTheSameDrawsAndAnotherSeedOthers() {
        let game = LotoGame.named("loto6")!
        XCTAssertEqual(
            SampleDraws.series(game: game, draws: 50, seed: 3), SampleDraws.series(game: game, draws: 50, seed: 3))
        XCTAssertNotEqual(
            SampleDraws.series(game: game, draws: 50, seed: 3), SampleDraws.series(game: game, draws: 50, seed: 4))
    }

    func testTheCSVReadsBackAsTheSameSeries() throws {
        let series = SampleDraws.series(game: LotoGame.named("bingo5")!, draws: 40, seed: 1)
        let read = try CSVDrawReader.parse(Data(SampleDraws.csv(series).utf8), name: "sample.csv")
        XCTAssertEqual(read, series)
    }

    func testCalendarFactsOfKnownDays() {
        let day = CivilDay(year: 2021, month: 1, day: 3)!
        XCTAssertEqual(day.weekday, 6) // a Sunday
        XCTAssertEqual(day.isoWeek, 53) // of ISO year 2020
        XCTAssertEqual(CivilDay(year: 1970, month: 1, day: 1)!.daysSinceEpoch, 0)
        XCTAssertEqual(CivilDay(year: 2024, month: 12, day: 30)!.isoWeek, 1)
        XCTAssertEqual(CivilDay(year: 2024, month: 2, day: 29)!.dayOfYear, 60)
        XCTAssertNil(CivilDay(year: 2023, month: 2, day: 29))
        XCTAssertEqual(CivilDay(iso: "1999-12-31")?.description, "1999-12-31")
    }
}
