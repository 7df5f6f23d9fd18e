import LotoFeatures
import MemoryGovernor
import XCTest

/// The batch generator: the same output for any number of workers and batch sizes, governed
/// batches, and progress after every batch.
final class FeatureGeneratorTests: XCTestCase {
    func testOutputIsTheSameForAnyWorkersAndBatchSize() async throws {
        let series = sampleSeries(draws: 100)
        let one = await FeatureGenerator(workers: 1).compute(series)
        let four = await FeatureGenerator(workers: 4).compute(series)
        for table in FeatureTable.allCases {
            XCTAssertEqual(one.blocks[table]!.map(\.key), series.map(\.key))
            for (a, b) in zip(one.blocks[table]!, four.blocks[table]!) {
                XCTAssertEqual(a.days, b.days)
                XCTAssertTrue(
                    zip(a.values, b.values).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }, "\(a.key) \(table)")
            }
        }
        let directory = try temporaryDirectory(self)
        let small = try await FeatureGenerator(workers: 1, fixedBatch: 1).run(
            series, into: SQLiteFeatureStore(path: directory.appendingPathComponent("a.sqlite").path))
        let large = try await FeatureGenerator(workers: 3, fixedBatch: 7).run(
            series, into: SQLiteFeatureStore(path: directory.appendingPathComponent("b.sqlite").path))
        XCTAssertEqual(small.batches, series.count)
        XCTAssertEqual(large.batches, 2)
        XCTAssertEqual(small.rowsChanged, large.rowsChanged)
    }

    func testAGovernedRunSizesBatchesAndReportsProgressAfterEach() async throws {
        let series = sampleSeries(draws: 60, games: ["loto6", "loto7", "numbers4", "bingo5"])
        let governor = try MemoryGovernor.forThisProcess(budgetBytes: 8 << 30)
        let store = try SQLiteFeatureStore(path: try temporaryDirectory(self).appendingPathComponent("g.sqlite").path)
        var seen: [GenerateProgress] = []
        let summary = try await FeatureGenerator(tables: [.hist, .stat], workers: 2, governor: governor).run(
            series, into: store
        ) { seen.append($0) }
        XCTAssertEqual(summary.series, series.count)
        XCTAssertEqual(seen.count, summary.batches)
        XCTAssertEqual(seen.last?.seriesDone, series.count)
        XCTAssertEqual(seen.last?.seriesTotal, series.count)
        XCTAssertEqual(seen.last?.rowsChanged, summary.rowsChanged)
        // Every pipeline's time so far, in pipeline order, as the summary ends with.
        XCTAssertEqual(seen.last?.pipelineSeconds.map(\.pipeline), summary.pipelines.map(\.pipeline))
        XCTAssertEqual(seen.last?.pipelineSeconds.map(\.seconds), summary.pipelines.map(\.seconds))
        XCTAssertTrue(summary.pipelines.allSatisfy { $0.seconds > 0 }, "\(summary.pipelines)")
        XCTAssertEqual(seen.map(\.seriesDone), seen.map(\.seriesDone).sorted())
        XCTAssertEqual(governor.report().jobs.last?.name, "loto-features")
        XCTAssertThrowsError(try store.rowCount(.futr), "only the tables asked for are created")
    }
}
