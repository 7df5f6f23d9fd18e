import HeapProbe
import PropertyBased

@testable import SoakGate

/// Generators of the harness's inputs: measurement plans, x ladders and retained-byte curves.
/// Ranges are those a real run can produce, so a failing case is one a user could meet.
enum Inputs {
    /// Strictly increasing ladders of 2 to 5 rungs, the top at most 15000 iterations.
    static let ladder = Gen.int(in: 1...3000).array(of: 2...5).map { steps in
        var total = 0
        return steps.map { step in
            total += step
            return total
        }
    }

    /// Plans as `soakgate check` builds them from its flags: any ladder (`--iterations`), 1 to
    /// 10 windows (`--windows` takes up to 20), a tolerated rate (`--tolerate`), and a decision
    /// time (0.75 × `--timeout`) or none; readings come one per millisecond in `RuleRun`.
    static let plan = zip(
        ladder, Gen.int(in: 1...10), Gen.int(in: 0...64), Gen.int(in: 0...600)
    ).compactMap { ladder, windows, tolerated, decisionSeconds in
        try? MeasurementPlan(
            ladder: ladder, windowCount: windows, decisionSeconds: decisionSeconds == 0 ? nil : Double(decisionSeconds),
            policy: GrowthPolicy(toleratedBytesPerIteration: Double(tolerated)))
    }

    /// 4 to 40 x values (iterations) drawn from 1...1_000_000, sorted, repeats allowed.
    static let iterations = Gen.int(in: 1...1_000_000).array(of: 4...40).map { $0.sorted().map(Double.init) }

    /// Like `iterations`, with no repeats.
    static let distinctIterations = Gen.int(in: 1...1_000_000).array(of: 4...40).compactMap { values -> [Double]? in
        let distinct = Set(values).sorted()
        return distinct.count >= 4 ? distinct.map(Double.init) : nil
    }

    /// Retained bytes of many shapes: steady leaks, caches that fill and stop, one-off steps,
    /// memory given back, noise. Used where a property must hold whatever the curve.
    static let curve = zip(
        Gen.int(in: -8...64), Gen.int(in: 0...4_000), Gen.int(in: 0...1 << 22), Gen.int(in: 1...6),
        Gen.int(in: -512...512).array(of: 1...16)
    ).map { rate, stopsAt, stepBytes, stepEvery, noise in
        Curve(
            rate: rate, stopsAt: stopsAt == 0 ? nil : stopsAt * 10, stepBytes: stepBytes, stepEvery: stepEvery,
            noise: noise)
    }
}

/// A retained-bytes curve: `rate` bytes per iteration until `stopsAt` (a cache filling), plus
/// `stepBytes` every `stepEvery`-th reading, plus `noise` cycled through the readings.
struct Curve: Sendable {
    var rate: Int
    var stopsAt: Int?
    var stepBytes: Int
    var stepEvery: Int
    var noise: [Int]

    func retained(iterations: Int, reading: Int) -> Int {
        rate * min(iterations, stopsAt ?? iterations) + stepBytes * (reading / stepEvery) + noise[reading % noise.count]
    }
}

/// Runs the growth rules as the measuring loop does: reads the curve at the plan's checkpoints
/// and stops at the first decision.
enum RuleRun {
    static let heap = HeapSnapshot(
        allocatedBytes: 0, activeBytes: 0, residentBytes: 0, mappedBytes: 0, allocatorRetainedBytes: 0,
        processResidentBytes: 0)

    /// `retained(iterations, reading)` for reading 0, 1, … at the plan's checkpoints; the
    /// baseline (iteration 0) is 0 by definition.
    static func run(
        _ plan: MeasurementPlan, retained: (Int, Int) -> Int
    ) -> (samples: [HeapSample], decision: GrowthDecision?) {
        var samples = [HeapSample(iterations: 0, retainedBytes: 0, heap: heap, elapsedSeconds: 0)]
        for (reading, checkpoint) in plan.allCheckpoints.enumerated() {
            samples.append(
                HeapSample(
                    iterations: checkpoint, retainedBytes: retained(checkpoint, reading), heap: heap,
                    elapsedSeconds: Double(checkpoint) / 1000))
            if let decision = GrowthRules.decide(samples: samples, plan: plan) { return (samples, decision) }
        }
        return (samples, nil)
    }

    /// The report's view of the same run: verdict, growth class and rate.
    static func analyze(_ plan: MeasurementPlan, samples: [HeapSample]) -> WorkloadResult {
        let record = MeasurementRecord(
            workload: "property", samples: samples, sizeClasses: [], liveObjectsAtBaseline: [], liveObjectsAtEnd: [],
            jemallocVersion: "", threadCacheEnabled: false, iterationsRun: samples.last?.iterations ?? 0,
            durationSeconds: samples.last?.elapsedSeconds ?? 0)
        return WorkloadAnalysis.analyze(record, summary: "", plan: plan)
    }
}

extension GrowthDecision {
    var isLeak: Bool {
        if case .leak = self { return true }
        return false
    }
}
