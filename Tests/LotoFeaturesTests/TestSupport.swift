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

/// The test database: ci/test.sh sets SOAKGATE_TEST_DATABASE_URL. In CI a missing one fails
/// the test; elsewhere it skips.
func testDatabaseURL() throws -> String {
    let environment = ProcessInfo.processInfo.environment
    if let url = environment["SOAKGATE_TEST_DATABASE_URL"], !url.isEmpty { return url }
    if environment["CI"] == "true" {
        XCTFail("SOAKGATE_TEST_DATABASE_URL is not set in CI: run the tests through 'bash ci/test.sh', which starts PostgreSQL")
        throw CancellationError()
    }
    throw XCTSkip("no PostgreSQL: run 'bash ci/test.sh', or set SOAKGATE_TEST_DATABASE_URL")
}

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
        return cut
    }
}
