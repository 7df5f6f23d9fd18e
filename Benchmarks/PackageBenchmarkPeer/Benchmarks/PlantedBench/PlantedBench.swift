// planted-bench.fixed-work as a package-benchmark benchmark: the same work per iteration as
// Sources/PlantedWorkloads/PlantedBenchCases.swift, and the same planted regressions, chosen by
// SOAKGATE_PLANTED_REGRESSION. What package-benchmark's baseline check makes of them is the
// peer figure for our gate; see gate-accuracy.sh beside Package.swift.

import Benchmark
import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

let benchmarks: @Sendable () -> Void = {
    let regression = PlantedRegression.fromEnvironment()
    // Stored with every result when a run is recorded. `baseline check A B` neither builds nor
    // asks this program: it judges the pair by the thresholds stored in B, or `.default`.
    let thresholds = ThresholdChoice.fromEnvironment().thresholds
    let metrics: [BenchmarkMetric] = [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident]

    Benchmark(
        "planted-bench.fixed-work",
        configuration: .init(
            metrics: metrics,
            // The same measuring budget as our gate's BENCH_BUDGET; the iteration cap is set out
            // of reach so the budget, not package-benchmark's default 10,000, ends a run.
            maxDuration: .seconds(RunBudget.fromEnvironment().seconds),
            maxIterations: 10_000_000,
            thresholds: Dictionary(uniqueKeysWithValues: metrics.map { ($0, thresholds) })
        )
    ) { benchmark, side in
        for _ in benchmark.scaledIterations {
            FixedWork.iterate(regression, side: side)
        }
    } setup: {
        SideThread(rounds: regression == .cpu ? FixedWork.rounds / 5 : 1_000)
    }
}

/// Which regression the planted workload carries in this process: `slower` (10 % more work on
/// the calling thread), `allocation` (one more malloc per iteration), `cpu` (20 % more work on a
/// second thread, beside the first).
enum PlantedRegression: String {
    case none
    case slower
    case allocation
    case cpu

    static let variable = "SOAKGATE_PLANTED_REGRESSION"

    /// Unset is the base; an unknown name stops the run, since a misspelt regression measured as
    /// the base would count as a missed detection.
    static func fromEnvironment() -> PlantedRegression {
        guard let value = getenv(variable) else { return .none }
        let name = String(cString: value)
        guard let regression = PlantedRegression(rawValue: name) else {
            fatalError("\(variable)=\(name): expected none, slower, allocation or cpu")
        }
        return regression
    }
}

/// package-benchmark's own threshold presets, set on every metric (`PLANTED_BENCH_THRESHOLDS`,
/// `default` unless set): `default` allows ±5 % at p25, p50 and p75 and no absolute difference
/// limit; `strict` allows 0 % at p25 to p99 and an absolute difference of 0 at p0 to p99.
enum ThresholdChoice: String {
    case `default`
    case strict

    static let variable = "PLANTED_BENCH_THRESHOLDS"

    var thresholds: BenchmarkThresholds {
        switch self {
        case .default: BenchmarkThresholds.default
        case .strict: BenchmarkThresholds.strict
        }
    }

    static func fromEnvironment() -> ThresholdChoice {
        guard let value = getenv(variable) else { return .default }
        let name = String(cString: value)
        guard let choice = ThresholdChoice(rawValue: name) else {
            fatalError("\(variable)=\(name): expected default or strict")
        }
        return choice
    }
}

/// How long one run measures, in whole seconds (`PLANTED_BENCH_SECONDS`, 3 unless set).
struct RunBudget {
    let seconds: Int

    static let variable = "PLANTED_BENCH_SECONDS"

    static func fromEnvironment() -> RunBudget {
        guard let value = getenv(variable) else { return RunBudget(seconds: 3) }
        let text = String(cString: value)
        guard let seconds = Int(text), seconds > 0 else {
            fatalError("\(variable)=\(text): expected a whole number of seconds above 0")
        }
        return RunBudget(seconds: seconds)
    }
}

// Where the planted work leaves its results, so the optimiser keeps every round and every malloc.
// nonisolated(unsafe): the first sink and the blocks are written only by the benchmark's thread,
// one iteration after another; the second sink only by the side thread, between a semaphore's
// signal and wait.
nonisolated(unsafe) private var plantedBenchSinks: (UInt64, UInt64) = (0, 0)
nonisolated(unsafe) private var plantedBenchBlocks:
    (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) = (nil, nil, nil)

/// A fixed amount of arithmetic per iteration, 100,000 rounds on the calling thread while a side
/// thread does a token 1,000, and exactly two mallocs, each freeing the previous iteration's
/// block. The body of our FixedWork.run (Sources/PlantedWorkloads/PlantedBenchCases.swift).
enum FixedWork {
    static let rounds = 100_000

    static func iterate(_ regression: PlantedRegression, side: SideThread) {
        side.start.signal()
        plantedBenchSinks.0 = spin(regression == .slower ? rounds + rounds / 10 : rounds, seed: 1)
        side.done.wait()
        let first = malloc(48)
        free(plantedBenchBlocks.0)
        plantedBenchBlocks.0 = first
        let second = malloc(200)
        free(plantedBenchBlocks.1)
        plantedBenchBlocks.1 = second
        if regression == .allocation {
            // Kept until the next iteration, like the other two: a malloc freed at once with
            // nothing read from it is a pair the optimiser removes.
            let extra = malloc(64)
            free(plantedBenchBlocks.2)
            plantedBenchBlocks.2 = extra
        }
    }

    /// Marsaglia's xorshift64, `rounds` times: work the optimiser cannot skip or vectorise away.
    static func spin(_ rounds: Int, seed: UInt64) -> UInt64 {
        var x = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        for _ in 0..<rounds {
            x ^= x << 13
            x ^= x >> 7
            x ^= x << 17
        }
        return x
    }
}

/// A thread that spins `rounds` each time `start` is signalled, then signals `done`. Started in
/// the benchmark's setup and woken by semaphores, which allocate nothing, so the two mallocs are
/// all an iteration of the work allocates. It waits on `start` until the benchmark's process
/// ends, one process per benchmark run.
final class SideThread: Sendable {
    let start = DispatchSemaphore(value: 0)
    let done = DispatchSemaphore(value: 0)

    init(rounds: Int) {
        let thread = Thread { [self] in
            while true {
                start.wait()
                plantedBenchSinks.1 = FixedWork.spin(rounds, seed: 2)
                done.signal()
            }
        }
        thread.start()
    }
}
