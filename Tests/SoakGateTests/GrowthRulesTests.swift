import XCTest

@testable import SoakGate

final class GrowthRulesTests: XCTestCase {
    let plan = try! MeasurementPlan()

    func testConstantLeakGrowsInEveryWindow() throws {
        let run = Series.run(plan) { 16 * $0 }
        guard case .leak(let evidence) = run.decision else {
            return XCTFail("expected a leak, got \(String(describing: run.decision))")
        }
        XCTAssertEqual(evidence.kind, .grewInEveryWindow)
        XCTAssertEqual(evidence.windowsCompleted, 5)
        XCTAssertEqual(evidence.fromIteration, 1000)
        XCTAssertEqual(evidence.toIteration, 32000)
        XCTAssertEqual(evidence.growthBytes, 16 * 31000)
    }

    func testOneOffInitialisationIsNotALeak() {
        let run = Series.run(plan) { $0 >= 1 ? 655_360 : 0 }
        XCTAssertEqual(run.decision?.evidence.kind, .ladderFlat)
        guard case .noLeak = run.decision else { return XCTFail("expected no leak") }
        XCTAssertEqual(run.samples.last?.iterations, 1000, "a flat ladder needs no windows")
    }

    // The figures design.md records for DispatchQueue.concurrentPerform: [64, 704, 6400, 67648]
    // at 1/10/100/1000, then +43392, +13184, +0 over the next 1000, 1000 and 3000 iterations.
    func testFillingRuntimeCacheIsNotALeak() {
        let curve = Series.interpolate([
            (1, 64), (10, 704), (100, 6400), (1000, 67648), (2000, 111_040), (3000, 124_224), (6000, 124_224),
        ])
        let run = Series.run(plan, retained: curve)
        guard case .noLeak(let evidence) = run.decision else {
            return XCTFail("expected no leak, got \(String(describing: run.decision))")
        }
        XCTAssertEqual(evidence.kind, .growthStopped)
        XCTAssertEqual(evidence.windowsCompleted, 3)
    }

    // design.md's task group: [0, 48, 3120, 8768] at 1/10/100/1000, then 11136, 64736, 66656,
    // 66720 at 2000, 5000, 10000, 20000: erratic steps, then flat.
    func testTaskGroupRuntimeCacheIsNotALeak() {
        let curve = Series.interpolate([
            (1, 0), (10, 48), (100, 3120), (1000, 8768), (2000, 11136), (5000, 64736), (10000, 66656), (20000, 66720),
        ])
        let run = Series.run(plan, retained: curve)
        guard case .noLeak(let evidence) = run.decision else {
            return XCTFail("expected no leak, got \(String(describing: run.decision))")
        }
        XCTAssertEqual(evidence.kind, .growthStopped)
        XCTAssertEqual(evidence.toIteration, 32000, "the cache kept stepping until 20000 iterations")
    }

    func testLadderAloneWouldCallTheFillingCacheALeak() throws {
        // The reason for the windows: a fit over the ladder alone sees steady growth.
        let curve = Series.interpolate([(1, 64), (10, 704), (100, 6400), (1000, 67648)])
        let points = plan.ladderCheckpoints
        let slope = try XCTUnwrap(TheilSenSlope.fit(x: points.map(Double.init), y: points.map { Double(curve($0)) }))
        XCTAssertGreaterThan(slope.lowerBound95, 50)
    }

    func testQuadraticGrowthStopsAtTheMagnitudeLimit() {
        let run = Series.run(plan) { $0 * ($0 + 1) / 2 }
        guard case .leak(let evidence) = run.decision else { return XCTFail("expected a leak") }
        XCTAssertEqual(evidence.kind, .magnitude)
        XCTAssertGreaterThanOrEqual(evidence.growthBytes, 64 << 20)
        XCTAssertLessThan(run.samples.last!.iterations, 32000)
    }

    func testALargeOneOffOnTheFirstIterationIsNotAMagnitudeLeak() {
        let run = Series.run(plan) { $0 >= 1 ? 200 << 20 : 0 }
        guard case .noLeak = run.decision else {
            return XCTFail("expected no leak, got \(String(describing: run.decision))")
        }
    }

    func testMemoryGivenBackIsNotGrowth() {
        let run = Series.run(plan) { $0 <= 100 ? 40 * $0 : 4000 - $0 }
        guard case .noLeak = run.decision else { return XCTFail("expected no leak") }
    }

    func testToleratedRateIsNotALeak() throws {
        let tolerant = try MeasurementPlan(policy: GrowthPolicy(toleratedBytesPerIteration: 8))
        guard case .noLeak = Series.run(tolerant, retained: { 8 * $0 }).decision else {
            return XCTFail("8 B/iter is tolerated")
        }
        guard case .leak = Series.run(tolerant, retained: { 16 * $0 }).decision else {
            return XCTFail("16 B/iter is not")
        }
    }

    func testSlowLeakBelowOneBytePerIterationIsFound() {
        // 8 bytes every 10 iterations: 0.8 B/iteration, sixteen times the floor.
        guard case .leak = Series.run(plan, retained: { 8 * ($0 / 10) }).decision else {
            return XCTFail("expected a leak")
        }
    }

    func testGrowthBelowTheFloorIsNoGrowth() {
        // 64 bytes over the whole ladder's last decade: the late drift design.md measured.
        guard case .noLeak = Series.run(plan, retained: { $0 >= 500 ? 64 : 0 }).decision else {
            return XCTFail("expected no leak")
        }
    }

    func testSlowingGrowthGetsExtraWindowsToStop() {
        // Windows 1-5 each gain less than the one before; window 6 gains nothing.
        let curve = Series.interpolate([
            (1000, 10_000), (2000, 60_000), (4000, 90_000), (8000, 110_000), (16000, 122_000), (32000, 130_000),
            (64000, 130_000),
        ])
        let run = Series.run(plan, retained: curve)
        guard case .noLeak(let evidence) = run.decision else {
            return XCTFail("expected no leak, got \(String(describing: run.decision))")
        }
        XCTAssertEqual(evidence.kind, .growthStopped)
        XCTAssertEqual(evidence.windowsCompleted, 6)
    }

    func testGrowthThatKeepsSlowingIsACacheStillFilling() {
        let curve = Series.interpolate([
            (1000, 10_000), (2000, 60_000), (4000, 90_000), (8000, 110_000), (16000, 122_000), (32000, 130_000),
            (64000, 137_500), (128_000, 144_500), (256_000, 151_100),
        ])
        let run = Series.run(plan, retained: curve)
        guard case .noLeak(let evidence) = run.decision else {
            return XCTFail("expected no leak, got \(String(describing: run.decision))")
        }
        XCTAssertEqual(evidence.kind, .growthFading)
        XCTAssertEqual(evidence.windowsCompleted, 8)
        XCTAssertTrue(evidence.summary.contains("did not keep pace"), evidence.summary)
    }

    func testSteadyLeakNeedsNoExtraWindows() {
        let run = Series.run(plan) { 16 * $0 }
        XCTAssertEqual(run.decision?.evidence.steady, true)
        XCTAssertEqual(run.samples.last?.iterations, 32000)
    }

    // Seen under CPU load: the task group's runtime cache grew in every window, in steps
    // between some readings and not others, before it stopped near 70 KiB.
    func testCacheFillingInStepsThroughFiveWindowsIsNotALeak() {
        let steps = [
            (1000, 6_000), (1500, 6_000), (1750, 9_000), (2000, 9_000), (3000, 15_000), (4000, 15_000),
            (5000, 22_000), (8000, 22_000), (10000, 30_000), (16000, 30_000), (20000, 45_000), (32000, 45_000),
            (40000, 52_000), (64000, 52_000), (80000, 52_000), (128_000, 52_000),
        ]
        let run = Series.run(plan) { n in steps.last { $0.0 <= n }?.1 ?? 0 }
        guard case .noLeak(let evidence) = run.decision else {
            return XCTFail("expected no leak, got \(String(describing: run.decision))")
        }
        XCTAssertEqual(evidence.kind, .growthStopped)
        XCTAssertEqual(evidence.windowsCompleted, 7)
    }

    func testStepsThatKeepPaceOnlyOnceAtTheEndAreNotALeak() {
        // Every window grows; the last gains more than the one before, but that one gained
        // less than its own predecessor: erratic steps, not a doubling buffer.
        let ends = [
            (1000, 1000), (2000, 9000), (4000, 20_000), (8000, 26_000), (16000, 40_000), (32000, 44_000),
            (64000, 60_000), (128_000, 65_000), (256_000, 72_000),
        ]
        let run = Series.run(plan) { n in ends.last { $0.0 <= n }?.1 ?? 0 }
        guard case .noLeak(let evidence) = run.decision else {
            return XCTFail("expected no leak, got \(String(describing: run.decision))")
        }
        XCTAssertEqual(evidence.kind, .growthFading)
    }

    func testLeakInStepsThatKeepPaceIsALeakAfterTheExtraWindows() {
        // Grows only at window ends, each step twice the last: an array doubling its buffer.
        let run = Series.run(plan) { n in n < 1000 ? n : 1000 << max(0, Int(log2(Double(n) / 1000 + 1e-9))) }
        guard case .leak(let evidence) = run.decision else {
            return XCTFail("expected a leak, got \(String(describing: run.decision))")
        }
        XCTAssertEqual(evidence.steady, false)
        XCTAssertEqual(evidence.windowsCompleted, 8)
    }

    func testOutOfTimeTheNextWindowEndDecides() throws {
        // One iteration per millisecond here: 40 s is reached inside window 6 (32000→64000).
        let hurried = try MeasurementPlan(decisionSeconds: 40)
        let run = Series.run(hurried) { n in n < 1000 ? n : 1000 << max(0, Int(log2(Double(n) / 1000 + 1e-9))) }
        guard case .leak(let evidence) = run.decision else {
            return XCTFail("expected a leak, got \(String(describing: run.decision))")
        }
        XCTAssertEqual(evidence.steady, false)
        XCTAssertEqual(evidence.windowsCompleted, 6)
    }
}
