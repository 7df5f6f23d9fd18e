import HeapProbe
import XCTest

@testable import SoakGate

final class WorkloadAnalysisTests: XCTestCase {
    let plan = try! MeasurementPlan()

    private func analyze(_ retained: (Int) -> Int) -> WorkloadResult {
        let run = Series.run(plan, retained: retained)
        var record = MeasurementRecord(
            workload: "synthetic", samples: run.samples, sizeClasses: [SizeClass(size: 16, kind: .small, index: 1)],
            liveObjectsAtBaseline: [10], liveObjectsAtEnd: [10 + (run.samples.last!.retainedBytes / 16)],
            jemallocVersion: "test", threadCacheEnabled: false, iterationsRun: run.samples.last!.iterations,
            durationSeconds: 1)
        record.stop = run.stop
        return WorkloadAnalysis.analyze(record, summary: "", plan: plan)
    }

    func testLinearLeakReportsItsRateAndBound() throws {
        // 1 B per iteration: followed to the end of the budget, under the magnitude limit.
        let result = analyze { $0 }
        XCTAssertEqual(result.verdict, .leak)
        XCTAssertEqual(result.growth, .linear)
        XCTAssertEqual(try XCTUnwrap(result.bytesPerIteration), 1, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(result.bytesPerIterationLowerBound), 1, accuracy: 1e-9)
        XCTAssertEqual(result.ladder.map(\.iterations), [1, 10, 100, 1000])
        XCTAssertEqual(result.windows.count, 15)
        XCTAssertTrue(result.windows.allSatisfy(\.grew))
        XCTAssertEqual(result.stop?.budgetEnded, true)
        XCTAssertEqual(try XCTUnwrap(result.growthExponent).exponent, 1, accuracy: 0.01)
        XCTAssertEqual(result.sizeClasses.first?.size, 16)
        XCTAssertEqual(result.sizeClasses.first?.countDelta, result.iterationsRun / 16)
    }

    func testSeedRuleAgreesOnClearCases() {
        let leak = analyze { 16 * $0 }
        XCTAssertEqual(leak.seedRule?.reading, "leak")
        XCTAssertEqual(leak.seedRule?.ratio, 10)
        XCTAssertEqual(leak.seedRule?.agreesWithVerdict, true)
        let startUp = analyze { $0 >= 1 ? 4096 : 0 }
        XCTAssertEqual(startUp.seedRule?.reading, "start-up cost")
        XCTAssertEqual(startUp.seedRule?.agreesWithVerdict, true)
        XCTAssertEqual(startUp.verdict, .pass)
        XCTAssertEqual(startUp.growth, GrowthClass.none)
    }

    func testQuadraticGrowthIsSuperlinear() {
        let result = analyze { $0 * ($0 + 1) / 2 }
        XCTAssertEqual(result.verdict, .leak)
        XCTAssertEqual(result.growth, .superlinear)
    }

    func testSublinearGrowthIsSublinear() {
        let result = analyze { 64 * Int(Double($0).squareRoot()) }
        XCTAssertEqual(result.verdict, .leak)
        XCTAssertEqual(result.growth, .sublinear)
    }

    func testDoublingBufferStaircaseIsLinear() {
        // An array that doubles its buffer: live bytes step at powers of two.
        let result = analyze { n in n == 0 ? 0 : 8 * (1 << (Int.bitWidth - (n - 1).leadingZeroBitCount)) }
        XCTAssertEqual(result.verdict, .leak)
        XCTAssertEqual(result.growth, .linear)
    }

    func testNoDecisionIsReportedAsInconclusive() {
        let samples = [HeapSample(iterations: 0, retainedBytes: 0, heap: Series.heap, elapsedSeconds: 0)]
        let record = MeasurementRecord(
            workload: "cut-short", samples: samples, sizeClasses: [], liveObjectsAtBaseline: [], liveObjectsAtEnd: [],
            jemallocVersion: "test", threadCacheEnabled: false, iterationsRun: 0, durationSeconds: 0)
        let result = WorkloadAnalysis.analyze(record, summary: "", plan: plan)
        XCTAssertEqual(result.verdict, .inconclusive)
    }
}
