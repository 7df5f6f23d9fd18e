import HeapProbe

@testable import SoakGate

/// Builds sample series for the rules from a function of the iteration count, at the plan's
/// checkpoints, stopping where the rules decide, as the measuring loop does.
enum Series {
    static let heap = HeapSnapshot(
        allocatedBytes: 0, activeBytes: 0, residentBytes: 0, mappedBytes: 0, allocatorRetainedBytes: 0,
        processResidentBytes: 0)

    static func run(_ plan: MeasurementPlan, retained: (Int) -> Int) -> (
        samples: [HeapSample], decision: GrowthDecision?
    ) {
        var samples = [HeapSample(iterations: 0, retainedBytes: 0, heap: heap, elapsedSeconds: 0)]
        for checkpoint in plan.allCheckpoints {
            samples.append(
                HeapSample(
                    iterations: checkpoint, retainedBytes: retained(checkpoint), heap: heap,
                    elapsedSeconds: Double(checkpoint) / 1000))
            if let decision = GrowthRules.decide(samples: samples, plan: plan) { return (samples, decision) }
        }
        return (samples, nil)
    }

    /// Piecewise-linear interpolation through measured `(iterations, bytes)` points, flat after
    /// the last.
    static func interpolate(_ points: [(Int, Int)]) -> (Int) -> Int {
        { n in
            var previous = (0, 0)
            for point in points {
                if n <= point.0 {
                    let span = point.0 - previous.0
                    return previous.1 + (point.1 - previous.1) * (n - previous.0) / max(span, 1)
                }
                previous = point
            }
            return previous.1
        }
    }
}
