import HeapProbe

@testable import SoakGate

/// Builds sample series for the rules from a function of the iteration count, read where the
/// measuring loop would read them (``RuleSimulation``: its schedule, its budget, its stopping
/// rule), with a simulated clock.
enum Series {
    static let heap = HeapSnapshot(
        allocatedBytes: 0, activeBytes: 0, residentBytes: 0, mappedBytes: 0, allocatorRetainedBytes: 0,
        processResidentBytes: 0)

    /// One microsecond per iteration by default: a fast workload, which the default 60 s budget
    /// follows to about 60 million iterations.
    static func run(_ plan: MeasurementPlan, secondsPerIteration: Double = 1e-6, retained: (Int) -> Int) -> (
        samples: [HeapSample], decision: GrowthDecision?, stop: MeasurementStop
    ) {
        let outcome = RuleSimulation.run(plan, secondsPerIteration: secondsPerIteration, retained: retained)
        return (outcome.samples, outcome.decision, outcome.stop)
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
