import Foundation
import XCTest

@testable import SoakGate

/// The benchmark half's statistics against scipy's, and every rule of the bench gate on
/// synthetic samples.
final class BenchGateTests: XCTestCase {
    // MARK: Statistics

    /// The bootstrap's lower bound of a ratio of quantiles: about the true ratio with many tight
    /// samples, under 1 for the same distribution twice and for a rise among few, noisy samples,
    /// and the same every time.
    func testTheQuantileRatioBoundShowsOnlyWhatTheSamplesSupport() {
        let before = figures(wall: 1000, noise: 0.02, seed: 1, samples: 200).timing.wallNanoseconds
        let same = figures(wall: 1000, noise: 0.02, seed: 2, samples: 200).timing.wallNanoseconds
        let slower = figures(wall: 1100, noise: 0.02, seed: 2, samples: 200).timing.wallNanoseconds
        let bound = BenchStatistics.quantileRatioLowerBound(
            current: slower, baseline: before, q: 0.01, confidence: 0.99)
        XCTAssertGreaterThan(bound, 1.05)
        XCTAssertLessThan(bound, 1.1)
        XCTAssertEqual(
            bound, BenchStatistics.quantileRatioLowerBound(current: slower, baseline: before, q: 0.01, confidence: 0.99)
        )
        XCTAssertLessThan(
            BenchStatistics.quantileRatioLowerBound(current: same, baseline: before, q: 0.01, confidence: 0.99), 1)
        let few = figures(wall: 1200, noise: 0.6, seed: 3, samples: 5).timing.wallNanoseconds
        let fewBefore = figures(wall: 1000, noise: 0.6, seed: 4, samples: 5).timing.wallNanoseconds
        XCTAssertLessThan(
            BenchStatistics.quantileRatioLowerBound(current: few, baseline: fewBefore, q: 0.01, confidence: 0.99), 1)
        XCTAssertTrue(
            BenchStatistics.quantileRatioLowerBound(current: [], baseline: before, q: 0.01, confidence: 0.99).isNaN)
    }

    /// numpy.quantile's default (linear) interpolation.
    func testQuantilesInterpolateAsNumpyDoes() {
        XCTAssertEqual(BenchStatistics.quantile((1...21).map(Double.init), 0.9), 19)
        XCTAssertEqual(BenchStatistics.quantile([1, 2, 3, 10], 0.99), 9.79, accuracy: 1e-12)
        XCTAssertEqual(BenchStatistics.quantile([4], 0.5), 4)
        XCTAssertTrue(BenchStatistics.quantile([], 0.5).isNaN)
    }

    /// For 100 values 1…100 the interval is the 40th and 61st order statistics.
    func testMedianIntervalUsesOrderStatistics() {
        let interval = BenchStatistics.medianInterval95((1...100).map(Double.init))
        XCTAssertEqual(interval, 40...61)
        let distribution = BenchDistribution((1...100).map(Double.init).reversed())
        XCTAssertEqual(distribution.median, 50.5)
        XCTAssertEqual(distribution.min, 1)
        XCTAssertEqual(distribution.max, 100)
        XCTAssertEqual(distribution.relativeInterval, 10.5 / 50.5, accuracy: 1e-12)
    }

    // MARK: Gate rules

    func testTheSameDistributionIsAccepted() {
        let decision = gate(
            figures(wall: 1000, noise: 0.05, seed: 1), baseline: figures(wall: 1000, noise: 0.05, seed: 2))
        XCTAssertEqual(decision.outcome, .accepted, decision.reason)
        XCTAssertTrue(decision.reason.contains("within the policy"), decision.reason)
    }

    func testTenPercentSlowerIsRejectedNamingTheTest() {
        let decision = gate(
            figures(wall: 1100, noise: 0.03, seed: 1), baseline: figures(wall: 1000, noise: 0.03, seed: 2))
        XCTAssertEqual(decision.outcome, .rejected)
        XCTAssertTrue(decision.reason.contains("wall time per iteration rose +10."), decision.reason)
        XCTAssertTrue(decision.reason.contains("at 99 % confidence"), decision.reason)
    }

    /// Significant but small: 3 % is under the 5 % minimum effect.
    func testASignificantRiseBelowTheMinimumEffectIsAccepted() {
        let decision = gate(
            figures(wall: 1030, noise: 0.005, seed: 1), baseline: figures(wall: 1000, noise: 0.005, seed: 2))
        XCTAssertEqual(decision.outcome, .accepted, decision.reason)
        // The same 3 % with a 2 % minimum is rejected.
        let strict = gate(
            figures(wall: 1030, noise: 0.005, seed: 1), baseline: figures(wall: 1000, noise: 0.005, seed: 2),
            rule: BenchRule(minimumEffect: 0.02))
        XCTAssertEqual(strict.outcome, .rejected, strict.reason)
    }

    /// Large but not shown: with 5 samples a side and ±60 % noise the fast ends' intervals overlap.
    func testALargeRiseTheTestCannotConfirmIsAccepted() {
        // The fast end rose 17 %, but five samples a side overlap all the way.
        var now = figures(wall: 1000, noise: 0, seed: 3, samples: 5)
        var before = figures(wall: 1000, noise: 0, seed: 4, samples: 5)
        now.timing.wallNanoseconds = [1200, 700, 1700, 950, 1600]
        now.timing.cpuNanoseconds = now.timing.wallNanoseconds
        before.timing.wallNanoseconds = [1000, 600, 1500, 800, 1300]
        before.timing.cpuNanoseconds = before.timing.wallNanoseconds
        let decision = gate(now, baseline: before)
        XCTAssertEqual(decision.outcome, .accepted, decision.reason)
        XCTAssertTrue(decision.reason.contains("wall +16.8 % at p1"), decision.reason)
    }

    func testMoreCPUAtTheSameWallTimeIsRejected() {
        let decision = gate(
            figures(wall: 1000, cpu: 1200, noise: 0.02, seed: 1),
            baseline: figures(wall: 1000, cpu: 1000, noise: 0.02, seed: 2))
        XCTAssertEqual(decision.outcome, .rejected)
        XCTAssertTrue(decision.reason.hasPrefix("bench: CPU time per iteration rose +20."), decision.reason)
        XCTAssertFalse(decision.reason.contains("wall time"), "the wall time did not change: \(decision.reason)")
    }

    /// Another process's load adds time to most samples of a run: the median rises by 60 %, but
    /// the fast end, the samples the load missed, stays where it was.
    func testLoadThatSlowsMostSamplesIsNotARegression() {
        let before = figures(wall: 1000, noise: 0.02, seed: 1, samples: 200)
        var now = figures(wall: 1000, noise: 0.02, seed: 2, samples: 200)
        now.timing.wallNanoseconds = now.timing.wallNanoseconds.enumerated().map { $0 % 5 == 0 ? $1 : $1 * 1.6 }
        let decision = gate(now, baseline: before)
        XCTAssertEqual(decision.outcome, .accepted, decision.reason)
        XCTAssertTrue(decision.reason.contains(" at p1"), decision.reason)
        // Judged at the median instead, the same load reads as a regression.
        let atMedian = gate(now, baseline: before, rule: BenchRule(effectQuantile: 0.5))
        XCTAssertEqual(atMedian.outcome, .rejected, atMedian.reason)
        XCTAssertTrue(atMedian.reason.contains("(p50 "), atMedian.reason)
    }

    /// CPU time has its own minimum, 10 % by default: 7 % more passes unless the policy asks for 5 %.
    func testCPUTimeHasItsOwnMinimumEffect() {
        let now = figures(wall: 1000, cpu: 1070, noise: 0.005, seed: 1)
        let before = figures(wall: 1000, cpu: 1000, noise: 0.005, seed: 2)
        XCTAssertEqual(gate(now, baseline: before).outcome, .accepted)
        let strict = gate(now, baseline: before, rule: BenchRule(cpuMinimumEffect: 0.05))
        XCTAssertEqual(strict.outcome, .rejected, strict.reason)
        XCTAssertTrue(strict.reason.contains("CPU time per iteration rose +7."), strict.reason)
        XCTAssertTrue(strict.reason.contains("over the +5.0 % minimum"), strict.reason)
    }

    func testOneMoreAllocationPerIterationIsRejectedAndToleranceAllowsIt() {
        let now = figures(wall: 1000, noise: 0.02, seed: 1, allocations: 3)
        let before = figures(wall: 1000, noise: 0.02, seed: 2, allocations: 2)
        let decision = gate(now, baseline: before)
        XCTAssertEqual(decision.outcome, .rejected)
        XCTAssertTrue(
            decision.reason.contains("allocations per iteration rose from 2 to 3 (tolerance 0)"), decision.reason)
        XCTAssertEqual(gate(now, baseline: before, rule: BenchRule(allocationsTolerance: 1)).outcome, .accepted)
        // Fewer allocations is never a regression.
        XCTAssertEqual(gate(before, baseline: now).outcome, .accepted)
        // Gated metrics can be chosen: without allocations the rise passes.
        XCTAssertEqual(gate(now, baseline: before, rule: BenchRule(metrics: [.wall, .cpu])).outcome, .accepted)
    }

    func testPeakResidentIsComparedOnlyWithATolerance() {
        var now = figures(wall: 1000, noise: 0.02, seed: 1)
        now.timing.peakResidentBytes = 200 << 20
        var before = figures(wall: 1000, noise: 0.02, seed: 2)
        before.timing.peakResidentBytes = 100 << 20
        XCTAssertEqual(gate(now, baseline: before).outcome, .accepted)
        let decision = gate(now, baseline: before, rule: BenchRule(peakResidentTolerance: 0.25))
        XCTAssertEqual(decision.outcome, .rejected)
        XCTAssertTrue(decision.reason.contains("peak RSS rose from 100.0 MiB to 200.0 MiB"), decision.reason)
    }

    func testNoBaselineIsAcceptedAndAFailureIsACrash() {
        let now = BenchResult(name: "w", summary: "", figures: figures(wall: 1000, noise: 0.02, seed: 1), failure: nil)
        let decisions = Gate.evaluateBench([now], baseline: [], rule: BenchRule())
        XCTAssertEqual(decisions.map(\.outcome), [.accepted])
        XCTAssertTrue(decisions[0].reason.contains("no baseline"), decisions[0].reason)
        let failed = BenchResult(
            name: "w", summary: "",
            figures: nil,
            failure: Failure(
                reason: "killed by signal 9", exitStatus: nil, signal: 9, timedOut: false, outputTail: [], seconds: 1))
        XCTAssertEqual(Gate.evaluateBench([failed], baseline: [now], rule: BenchRule()).map(\.outcome), [.crashed])
        XCTAssertEqual(Gate.exitCode(Gate.evaluateBench([failed], baseline: [now], rule: BenchRule())), 3)
    }

    func testWorkloadUnitsGiveEveryFigurePerUnit() {
        var timing = figures(wall: 1000, noise: 0, seed: 1).timing
        timing.cpuNanoseconds = Array(repeating: 2000, count: timing.cpuNanoseconds.count)
        let allocations = BenchAllocations(
            iterationsPerBlock: 10, allocationsPerBlock: [40, 41, 40], bytesPerBlock: [800, 900, 810])
        let result = BenchFigures(
            timing: timing, allocations: allocations, unit: WorkloadUnit("issues", perIteration: 4))
        XCTAssertEqual(result.allocationsPerIteration, 4, "the fewest over the blocks")
        XCTAssertEqual(result.allocatedBytesPerIteration, 80)
        XCTAssertEqual(result.perUnit?.allocations, 1)
        XCTAssertEqual(result.perUnit?.allocatedBytes, 20)
        XCTAssertEqual(result.perUnit?.wallMedianNanoseconds, 250)
        XCTAssertEqual(result.perUnit?.cpuMedianNanoseconds, 500)
        XCTAssertEqual(result.perUnit?.unitsPerSecond ?? 0, 4e6, accuracy: 1e-6)
    }

    // MARK: Policy

    func testThePolicyReadsBenchRulesAndRefusesBadOnes() throws {
        let good = Data(
            #"{"bench": {"allocationsTolerance": 0, "minimumEffect": 0.1, "cpuMinimumEffect": 0.2, "effectQuantile": 0.05, "confidence": 0.95, "metrics": ["wall", "allocations"]}}"#
                .utf8)
        let policy = try GatePolicy.read(from: good, path: "p.json")
        XCTAssertEqual(policy.bench?.minimumEffect, 0.1)
        XCTAssertEqual(policy.bench?.cpuMinimumEffect, 0.2)
        XCTAssertEqual(policy.bench?.effectQuantile, 0.05)
        XCTAssertEqual(policy.bench?.metrics, [.wall, .allocations])
        for (text, expected) in [
            (#"{"bench": {"speed": 1}}"#, "unknown key 'speed' in bench"),
            (#"{"bench": {"confidence": 1.5}}"#, "bench.confidence"),
            (#"{"bench": {"minimumEffect": -0.1}}"#, "bench.minimumEffect"),
            (#"{"bench": {"effectQuantile": 0.7}}"#, "bench.effectQuantile"),
            (#"{"bench": {"cpuMinimumEffect": "ten"}}"#, "cpuMinimumEffect"),
            (#"{"bench": {"metrics": ["latency"]}}"#, "bench.metrics has 'latency'"),
            (#"{"bench": 3}"#, "bench is not an object"),
        ] {
            XCTAssertThrowsError(try GatePolicy.read(from: Data(text.utf8), path: "p.json"), text) { error in
                let line = String(describing: error)
                XCTAssertTrue(line.contains(expected) && line.contains("p.json"), line)
                XCTAssertFalse(line.contains("\n"), line)
            }
        }
    }

    // MARK: Helpers

    private func gate(_ now: BenchFigures, baseline: BenchFigures, rule: BenchRule = BenchRule()) -> GateDecision {
        let decisions = Gate.evaluateBench(
            [BenchResult(name: "w", summary: "", figures: now, failure: nil)],
            baseline: [BenchResult(name: "w", summary: "", figures: baseline, failure: nil)], rule: rule)
        return decisions[0]
    }

    /// Samples around `wall` (and `cpu`, default the same) with uniform relative noise of
    /// ±`noise`, from a fixed seed.
    private func figures(
        wall: Double, cpu: Double? = nil, noise: Double, seed: UInt64, samples: Int = 40, allocations: Int = 2
    ) -> BenchFigures {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func uniform() -> Double {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Double(state >> 11) / Double(1 << 53) * 2 - 1
        }
        let walls = (0..<samples).map { _ in wall * (1 + noise * uniform()) }
        let cpus = (0..<samples).map { _ in (cpu ?? wall) * (1 + noise * uniform()) }
        let timing = BenchTiming(
            warmupIterations: 10, iterationsPerSample: 100, wallNanoseconds: walls, cpuNanoseconds: cpus,
            peakResidentBytes: 10 << 20, threadCacheEnabled: true, stoppedBecause: "test")
        let counted = BenchAllocations(
            iterationsPerBlock: 100, allocationsPerBlock: Array(repeating: 100 * allocations, count: 5),
            bytesPerBlock: Array(repeating: 100 * allocations * 64, count: 5))
        return BenchFigures(timing: timing, allocations: counted, unit: nil)
    }
}
