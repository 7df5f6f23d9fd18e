import Foundation
import XCTest

@testable import SoakGate

final class GrowthRulesTests: XCTestCase {
    let plan = try! MeasurementPlan()

    func testSteadyLeakIsFollowedToTheEndOfTheBudget() throws {
        // 1 B per iteration at 1 µs per iteration stays under the 64 MiB limit for 60 s.
        let run = Series.run(plan) { $0 }
        guard case .leak(let evidence) = run.decision else {
            return XCTFail("expected a leak, got \(String(describing: run.decision))")
        }
        XCTAssertEqual(evidence.kind, .steadyToBudget)
        XCTAssertEqual(run.stop.budgetEnded, true)
        let last = try XCTUnwrap(run.samples.last)
        XCTAssertGreaterThan(last.iterations, 40_000_000, "followed to tens of millions of iterations")
        XCTAssertLessThanOrEqual(last.elapsedSeconds, 60)
        XCTAssertEqual(evidence.followedToIteration, last.iterations)
        XCTAssertEqual(evidence.budgetSeconds, 60)
        XCTAssertTrue(evidence.summary.contains("grew steadily up to"), evidence.summary)
        XCTAssertEqual(try XCTUnwrap(evidence.rateLowerBound), 1, accuracy: 1e-9)
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
        XCTAssertEqual(evidence.boundBytes, 124_224)
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

    // The case that blocked a merge: an LRU cache bounded at 16,384 entries of about 110 bytes
    // that takes an entry every 32 iterations grows steadily for 524,288 iterations, long past
    // the old rules' 32,000. Followed, it stops, and the bound is reported.
    func testLargeCacheFillingSlowlyIsFollowedToItsBound() {
        let run = Series.run(plan) { n in 110 * min(n / 32, 16_384) }
        guard case .noLeak(let evidence) = run.decision else {
            return XCTFail("expected no leak, got \(String(describing: run.decision))")
        }
        XCTAssertEqual(evidence.kind, .growthStopped)
        XCTAssertEqual(evidence.boundBytes, 110 * 16_384)
        XCTAssertEqual(evidence.fromIteration, 1_024_000)
        XCTAssertTrue(evidence.summary.contains("a bound of 1.7 MiB"), evidence.summary)
    }

    func testQuadraticGrowthStopsAtTheMagnitudeLimit() {
        let run = Series.run(plan) { $0 * ($0 + 1) / 2 }
        guard case .leak(let evidence) = run.decision else { return XCTFail("expected a leak") }
        XCTAssertEqual(evidence.kind, .magnitude)
        XCTAssertGreaterThanOrEqual(evidence.growthBytes, 64 << 20, "bytes gained since the first reading")
        XCTAssertEqual(evidence.growthBytes, run.samples.last!.retainedBytes - 1)
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

    func testSparseLeakIsFound() {
        // 64 bytes every 1,000th iteration: 0.064 B/iteration, in steps.
        let run = Series.run(plan) { 64 * ($0 / 1000) }
        guard case .leak(let evidence) = run.decision else {
            return XCTFail("expected a leak, got \(String(describing: run.decision))")
        }
        XCTAssertEqual(evidence.kind, .steadyToBudget)
    }

    func testGrowthBelowTheFloorIsNoGrowth() {
        // 64 bytes over the whole ladder's last decade: the late drift design.md measured.
        guard case .noLeak = Series.run(plan, retained: { $0 >= 500 ? 64 : 0 }).decision else {
            return XCTFail("expected no leak")
        }
    }

    func testSublinearGrowthIsALeak() {
        // 64 bytes whenever the iteration is a perfect square: 64·√n, slower and slower.
        let run = Series.run(plan) { 64 * Int(Double($0).squareRoot()) }
        guard case .leak(let evidence) = run.decision else {
            return XCTFail("expected a leak, got \(String(describing: run.decision))")
        }
        XCTAssertEqual(evidence.kind, .unboundedToBudget)
    }

    func testLogarithmicGrowthIsNotCalledClean() {
        // 11 KiB per doubling of the iterations, more than the noise cap: slower than any
        // power, so the rules may not call it a leak, but never a pass.
        let run = Series.run(plan) { Int(16384 * log(Double(max($0, 1)))) }
        guard let decision = run.decision else { return XCTFail("no decision") }
        if case .noLeak = decision { XCTFail("log growth passed: \(decision.evidence.summary)") }
    }

    func testSlowingGrowthIsFollowedUntilItStops() {
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

    func testCacheApproachingItsBoundWhenTheBudgetEndsIsInconclusive() {
        // A cache that fills ever more slowly toward 48 MB, a third of the way still to go
        // after 60 s: neither stopped nor steady.
        let run = Series.run(plan) { n in Int(48e6 * (1 - exp(-Double(n) / 2e7))) }
        guard case .inconclusive(let evidence) = run.decision else {
            return XCTFail("expected inconclusive, got \(String(describing: run.decision))")
        }
        XCTAssertEqual(evidence.kind, .undecided)
        XCTAssertTrue(evidence.summary.contains("--budget"), evidence.summary)
        XCTAssertEqual(run.stop.budgetEnded, true)
    }

    func testLeakInStepsThatKeepPaceIsNeverAPass() {
        // Grows only at window ends, each step twice the last: an array doubling its buffer.
        // The budget ends between two steps, after 15 windows that each kept pace: a leak, or a
        // cache that stopped just now; the rules cannot tell, and say so.
        let run = Series.run(plan) { n in n < 1000 ? n : 1000 << max(0, Int(log2(Double(n) / 1000 + 1e-9))) }
        guard case .inconclusive = run.decision else {
            return XCTFail("expected inconclusive, got \(String(describing: run.decision))")
        }
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

    // The slow case: 10 ms per iteration, so the windows alone would need minutes.
    func testPacedLeakAndItsCleanTwinAreDecidedWithinTheBudget() throws {
        let leak = Series.run(plan, secondsPerIteration: 0.010) { 16 * $0 }
        guard case .leak(let evidence) = leak.decision else {
            return XCTFail("expected a leak, got \(String(describing: leak.decision))")
        }
        XCTAssertEqual(evidence.kind, .steadyToBudget)
        XCTAssertLessThanOrEqual(try XCTUnwrap(leak.samples.last).elapsedSeconds, 60)
        let clean = Series.run(plan, secondsPerIteration: 0.010) { $0 >= 1 ? 4096 : 0 }
        guard case .noLeak = clean.decision else {
            return XCTFail("expected no leak, got \(String(describing: clean.decision))")
        }
        XCTAssertLessThanOrEqual(try XCTUnwrap(clean.samples.last).elapsedSeconds, 60)
    }

    // 60 ms per iteration (a PostgreSQL connect and close): the ladder itself does not fit.
    func testWorkloadTooSlowForTheLadderIsDecidedNotCrashed() throws {
        let leak = Series.run(plan, secondsPerIteration: 0.060) { 16 * $0 }
        XCTAssertLessThan(try XCTUnwrap(leak.stop.finalStretchFrom), plan.ladderTop)
        guard case .leak = leak.decision else {
            return XCTFail("expected a leak, got \(String(describing: leak.decision))")
        }
        XCTAssertLessThanOrEqual(try XCTUnwrap(leak.samples.last).elapsedSeconds, 60)
        let clean = Series.run(plan, secondsPerIteration: 0.060) { $0 >= 1 ? 4096 : 0 }
        guard case .noLeak(let evidence) = clean.decision else {
            return XCTFail("expected no leak, got \(String(describing: clean.decision))")
        }
        XCTAssertEqual(evidence.kind, .flatAtEnd)
    }

    func testWorkloadSlowerThanTheBudgetIsInconclusive() {
        // One iteration takes longer than the whole budget: nothing can be decided.
        let run = Series.run(plan, secondsPerIteration: 90) { 16 * $0 }
        guard case .inconclusive = run.decision else {
            return XCTFail("expected inconclusive, got \(String(describing: run.decision))")
        }
    }

    func testCacheThatStopsInTheFinalStretchPasses() {
        // Fills at 1 B per iteration, growing at every reading, until 40 million iterations
        // (40 s), inside the final stretch (32.8 M to 60 M); then a dozen flat readings.
        let run = Series.run(plan) { min($0, 40_000_000) }
        guard case .noLeak(let evidence) = run.decision else {
            return XCTFail("expected no leak, got \(String(describing: run.decision))")
        }
        XCTAssertEqual(evidence.kind, .stoppedInFinalStretch)
        XCTAssertEqual(evidence.boundBytes, 40_000_000)
    }

    func testGrowthThatStopsAtTheVeryEndIsNotCalledStopped() {
        // Stops at 59 million iterations: too few flat readings to say so. Not a pass.
        let run = Series.run(plan) { min($0, 59_000_000) }
        if case .noLeak(let evidence) = run.decision { XCTFail("passed: \(evidence.summary)") }
    }

    func testNormalQuantile() {
        XCTAssertEqual(NormalDistribution.quantile(0.95), 1.6448536269514722, accuracy: 1e-9)
        XCTAssertEqual(NormalDistribution.quantile(0.999375), 3.2272, accuracy: 1e-3)
        XCTAssertEqual(NormalDistribution.quantile(0.5), 0, accuracy: 1e-12)
    }
}
