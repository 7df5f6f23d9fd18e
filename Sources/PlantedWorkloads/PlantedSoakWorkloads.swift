import SoakGate

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// The newest block of the slow leak; each block holds the address of the one before, so the
// whole chain stays reachable from here and the optimiser cannot drop a malloc.
// nonisolated(unsafe): only the one soaking task of the one process that runs
// planted-soak.slow-leak touches it.
nonisolated(unsafe) private var slowLeakChain: UnsafeMutableRawPointer?

/// Paced like a server handling a request every 10 ms: the shape of a soak, where a leak is a
/// matter of bytes per hour rather than per iteration.
private func pace() { usleep(10_000) }

/// Keeps 48 bytes of C heap per 10 ms iteration: about 16 MiB an hour.
struct SlowLeak: Workload {
    mutating func run() async throws {
        pace()
        let block = malloc(48)!
        block.storeBytes(of: slowLeakChain, as: UnsafeMutableRawPointer?.self)
        slowLeakChain = block
    }
}

/// Clean paced work: allocates and frees a few blocks per iteration, keeps nothing.
struct PacedCleanWork: Workload {
    mutating func run() async throws {
        pace()
        var words = [Int](repeating: 0, count: 64)
        for index in words.indices { words[index] = index &* 31 }
        let text = String(words.reduce(0, &+))
        precondition(!text.isEmpty)
    }
}

/// Clean paced work that, 20 seconds into its process, takes 4 MiB once and keeps it: the
/// sudden jump a soak must point at, which is not a leak.
struct SteppedWork: Workload {
    private var started: UInt64 = 0
    private var held: UnsafeMutableRawPointer?

    mutating func run() async throws {
        pace()
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let seconds = UInt64(now.tv_sec)
        if started == 0 { started = seconds }
        if held == nil && seconds - started >= 20 {
            held = malloc(4 << 20)
            if let held { memset(held, 1, 4 << 20) }
        }
    }
}

extension PlantedWorkloads {
    /// Planted cases for soaks: paced at 10 ms per iteration, so they run only when named.
    public static let soak: [WorkloadDefinition] = [
        WorkloadDefinition(
            "planted-soak.slow-leak", summary: "48 B of C heap kept per 10 ms iteration (about 16 MiB/h)",
            runsByDefault: false
        ) { SlowLeak() },
        WorkloadDefinition("planted-soak.paced-clean", summary: "clean work every 10 ms", runsByDefault: false) {
            PacedCleanWork()
        },
        WorkloadDefinition(
            "planted-soak.step", summary: "clean work every 10 ms that takes 4 MiB once, 20 s into its process",
            runsByDefault: false
        ) { SteppedWork() },
    ]
}
