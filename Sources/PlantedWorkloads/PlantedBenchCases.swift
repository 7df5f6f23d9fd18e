import Dispatch
import Foundation
import SoakGate
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension PlantedWorkloads {
    /// The benchmark half's known answers: one workload whose cost is fixed, and the regressions
    /// planted into it by `SOAKGATE_PLANTED_REGRESSION` in the measuring process's environment:
    /// `slower` (10 % more work on the calling thread), `allocation` (one more malloc per
    /// iteration), `cpu` (20 % more work, on a second thread, beside the first). The same name
    /// either way, as a changed function keeps its benchmark's name. Run only when named.
    public static let bench: [WorkloadDefinition] = [
        WorkloadDefinition(
            "planted-bench.fixed-work",
            summary: "100,000 rounds of xorshift (and 1,000 on a side thread) and two mallocs per iteration",
            runsByDefault: false, unit: WorkloadUnit("rounds", perIteration: 100_000)
        ) { FixedWork(regression: PlantedRegression.fromEnvironment()) }
    ]
}

/// Which regression the planted bench workload carries in this process.
enum PlantedRegression: String {
    case none
    case slower
    case allocation
    case cpu

    static let variable = "SOAKGATE_PLANTED_REGRESSION"

    static func fromEnvironment() -> PlantedRegression {
        guard let value = getenv(variable) else { return .none }
        return PlantedRegression(rawValue: String(cString: value)) ?? .none
    }
}

// Where the planted bench work leaves its results, so the optimiser keeps every round and
// every malloc. nonisolated(unsafe): the first sink and the blocks are written only by the one
// task of the one process that runs planted-bench.fixed-work; the second sink only by its side
// thread, between a semaphore's signal and wait.
nonisolated(unsafe) private var plantedBenchSinks: (UInt64, UInt64) = (0, 0)
nonisolated(unsafe) private var plantedBenchBlocks:
    (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) = (nil, nil, nil)

/// A fixed amount of arithmetic per iteration, 100,000 rounds on the calling thread while a
/// side thread does a token 1,000, and exactly two mallocs, each freeing the previous
/// iteration's block. The side thread is started in `setUp` and woken by semaphores, which
/// allocate nothing, so the two mallocs are all an iteration allocates.
struct FixedWork: Workload {
    let regression: PlantedRegression
    static let rounds = 100_000
    private var side: SideThread?

    init(regression: PlantedRegression) {
        self.regression = regression
    }

    mutating func setUp() async throws {
        side = SideThread(rounds: regression == .cpu ? Self.rounds / 5 : 1_000)
    }

    mutating func run() async throws {
        side?.start.signal()
        plantedBenchSinks.0 = Self.spin(regression == .slower ? Self.rounds + Self.rounds / 10 : Self.rounds, seed: 1)
        side?.done.wait()
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

    mutating func tearDown() async throws {
        side?.stop()
        side = nil
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

/// A thread that spins `rounds` each time `start` is signalled, then signals `done`.
final class SideThread: Sendable {
    let start = DispatchSemaphore(value: 0)
    let done = DispatchSemaphore(value: 0)
    private let stopping = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    init(rounds: Int) {
        // The thread holds the object until `stop()` ends it.
        let thread = Thread { [self] in
            while true {
                start.wait()
                if stopping.load(ordering: .acquiring) { break }
                plantedBenchSinks.1 = FixedWork.spin(rounds, seed: 2)
                done.signal()
            }
            finished.signal()
        }
        thread.start()
    }

    func stop() {
        stopping.store(true, ordering: .releasing)
        start.signal()
        finished.wait()
    }
}
