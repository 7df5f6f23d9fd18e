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

    /// Plans as `soakgate check` builds them from its flags: any ladder (`--iterations`), a
    /// budget of 1 to 600 s (`--budget`) and a tolerated rate (`--tolerate`); iterations take
    /// one simulated millisecond each in `RuleRun`.
    static let plan = zip(ladder, Gen.int(in: 1...600), Gen.int(in: 0...64)).compactMap {
        ladder, budget, tolerated in
        try? MeasurementPlan(
            ladder: ladder, budgetSeconds: Double(budget),
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

/// Runs the growth rules as the measuring loop does (``RuleSimulation``: its readings, budget
/// and stopping rule), one simulated millisecond per iteration.
enum RuleRun {
    /// `retained(iterations, reading)` for reading 0, 1, … as the loop takes them; the
    /// baseline (iteration 0) is 0 by definition.
    static func run(
        _ plan: MeasurementPlan, retained: (Int, Int) -> Int
    ) -> (samples: [HeapSample], decision: GrowthDecision?, stop: MeasurementStop) {
        var reading = 0
        let outcome = RuleSimulation.run(plan, secondsPerIteration: 1e-3) { iterations in
            defer { reading += 1 }
            return retained(iterations, reading)
        }
        return (outcome.samples, outcome.decision, outcome.stop)
    }

    /// The report's view of the same run: verdict, growth class and rate.
    static func analyze(_ plan: MeasurementPlan, samples: [HeapSample], stop: MeasurementStop) -> WorkloadResult {
        var record = MeasurementRecord(
            workload: "property", samples: samples, sizeClasses: [], liveObjectsAtBaseline: [], liveObjectsAtEnd: [],
            jemallocVersion: "", threadCacheEnabled: false, iterationsRun: samples.last?.iterations ?? 0,
            durationSeconds: samples.last?.elapsedSeconds ?? 0)
        record.stop = stop
        return WorkloadAnalysis.analyze(record, summary: "", plan: plan)
    }
}

extension GrowthDecision {
    var isLeak: Bool {
        if case .leak = self { return true }
        return false
    }
}
