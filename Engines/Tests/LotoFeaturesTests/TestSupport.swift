import CommandTestSupport
import Foundation
import LotoFeatures
import XCTest

/// A temporary directory removed when the test ends.
func temporaryDirectory(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("loto-features-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// The test database (see ``TestDatabase``).
func testDatabaseURL() throws -> String { try TestDatabase.url() }

/// Sample series of a few games, cut to `draws` draws.
func sampleSeries(draws: Int, games: [String] = ["loto6", "miniloto"]) -> [DrawSeries] {
    games.flatMap { SampleDraws.series(game: LotoGame.named($0)!, draws: draws, seed: 11) }.sorted { $0.key < $1.key }
}

/// `series` with the last `count` draws of each removed (the input of a run that a later,
/// extended input continues).
func droppingLastDraws(_ count: Int, of series: [DrawSeries]) -> [DrawSeries] {
    series.map { one in
        var cut = one
        cut.days.removeLast(count)
        cut.y.removeLast(count)
        cut.num.removeLast(count)
        cut.co.removeLast(count)
        cut.prize.removeLast(count)
        return cut
    }
}
