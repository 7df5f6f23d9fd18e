import Foundation
import XCTest

@testable import SoakGate

/// The benchmark half's statistics against scipy's, and every rule of the bench gate on
/// synthetic samples.
final class BenchGateTests: XCTestCase {
    // MARK: Statistics

    /// scipy.stats.mannwhitneyu(current, baseline, alternative='greater', method='asymptotic',
    /// use_continuity=True), scipy 1.17.1.
    func testMannWhitneyMatchesScipy() {
        let a: [Double] = [1, 2, 3, 4, 5, 6, 7, 8]
        let b: [Double] = [3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 10.5]
        XCTAssertEqual(
            BenchStatistics.mannWhitneyGreater(current: b, baseline: a), 0.041561468479951666, accuracy: 1e-12)
        // With ties, both directions.
        let c: [Double] = [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
        let d: [Double] = [2, 2, 3, 3, 4, 4, 5, 5, 6, 6]
        XCTAssertEqual(
            BenchStatistics.mannWhitneyGreater(current: d, baseline: c), 0.08943034301226832, accuracy: 1e-12)
        XCTAssertEqual(BenchStatistics.mannWhitneyGreater(current: c, baseline: d), 0.9223542306247755, accuracy: 1e-12)
        // All equal: no evidence either way.
        XCTAssertEqual(BenchStatistics.mannWhitneyGreater(current: [1, 1, 1], baseline: [1, 1, 1]), 1)
        XCTAssertEqual(BenchStatistics.mannWhitneyGreater(current: [], baseline: [1]), 1)
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
        XCTAssertTrue(decision.reason.contains("Mann–Whitney"), decision.reason)
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

    /// Large but not shown: 5 samples a side with ±60 % noise do not reach 99 % confidence.
    func testALargeRiseTheTestCannotConfirmIsAccepted() {
        let decision = gate(
            figures(wall: 1200, noise: 0.6, seed: 3, samples: 5),
            baseline: figures(wall: 1000, noise: 0.6, seed: 4, samples: 5))
        XCTAssertEqual(decision.outcome, .accepted, decision.reason)
    }

    func testMoreCPUAtTheSameWallTimeIsRejected() {
        let decision = gate(
            figures(wall: 1000, cpu: 1200, noise: 0.02, seed: 1),
            baseline: figures(wall: 1000, cpu: 1000, noise: 0.02, seed: 2))
        XCTAssertEqual(decision.outcome, .rejected)
        XCTAssertTrue(decision.reason.hasPrefix("bench: CPU time per iteration rose +1"), decision.reason)
        XCTAssertFalse(decision.reason.contains("wall time"), "the wall time did not change: \(decision.reason)")
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
            #"{"bench": {"allocationsTolerance": 0, "minimumEffect": 0.1, "confidence": 0.95, "metrics": ["wall", "allocations"]}}"#
                .utf8)
        let policy = try GatePolicy.read(from: good, path: "p.json")
        XCTAssertEqual(policy.bench?.minimumEffect, 0.1)
        XCTAssertEqual(policy.bench?.metrics, [.wall, .allocations])
        for (text, expected) in [
            (#"{"bench": {"speed": 1}}"#, "unknown key 'speed' in bench"),
            (#"{"bench": {"confidence": 1.5}}"#, "bench.confidence"),
            (#"{"bench": {"minimumEffect": -0.1}}"#, "bench.minimumEffect"),
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
