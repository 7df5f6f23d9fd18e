import SoakGate

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A least-recently-used cache bounded at `capacity` entries that takes a new entry every
/// `every` iterations and serves a hit on the others: the shape of connection pools, DNS and URL
/// caches and interned strings. It fills for `capacity × every` iterations, then stays.
struct SlowlyFillingCache: Workload {
    let capacity: Int
    let every: Int
    private var entries: [Int: [UInt8]] = [:]
    /// Keys in insertion order, used as a ring once the cache is full.
    private var order: [Int] = []
    private var oldest = 0
    private var iteration = 0
    private var checksum = 0

    init(capacity: Int, every: Int) {
        self.capacity = capacity
        self.every = every
    }

    mutating func run() async throws {
        iteration += 1
        guard iteration % every == 0 else {
            if let newest = order.last { checksum &+= Int(entries[newest]?[0] ?? 0) }
            return
        }
        let key = iteration
        let value = [UInt8](repeating: UInt8(truncatingIfNeeded: key), count: 24)
        if order.count < capacity {
            order.append(key)
        } else {
            entries[order[oldest]] = nil
            order[oldest] = key
            oldest = (oldest + 1) % capacity
        }
        entries[key] = value
    }
}

// The newest block of each chained leak below; every block holds the address of the one
// before, so the chain stays reachable and the optimiser cannot drop a malloc. Each is touched
// only by the one measuring task of the one process that runs its workload.
nonisolated(unsafe) private var sparseLeakChain: UnsafeMutableRawPointer?
nonisolated(unsafe) private var sublinearLeakChain: UnsafeMutableRawPointer?
nonisolated(unsafe) private var pacedLeakChain: UnsafeMutableRawPointer?

/// Keeps a block of `size` bytes, chained to the one before.
private func keep(_ size: Int, on chain: inout UnsafeMutableRawPointer?) {
    let block = malloc(size)!
    block.storeBytes(of: chain, as: UnsafeMutableRawPointer?.self)
    chain = block
}

/// 64 bytes kept every 1,000th iteration: 0.064 B per iteration, in steps a thousand apart.
struct SparseLeak: Workload {
    private var iteration = 0
    mutating func run() async throws {
        iteration += 1
        if iteration % 1000 == 0 { keep(64, on: &sparseLeakChain) }
    }
}

/// 64 bytes kept whenever the iteration is a perfect square: after n iterations, 64·√n bytes.
/// Unbounded, ever slower.
struct SublinearLeak: Workload {
    private var iteration = 0
    mutating func run() async throws {
        iteration += 1
        let root = Int(Double(iteration).squareRoot())
        if root * root == iteration { keep(64, on: &sublinearLeakChain) }
    }
}

/// 16 bytes kept per 10 ms iteration: a leak the windows alone cannot decide within a minute.
struct PacedLeak: Workload {
    mutating func run() async throws {
        usleep(10_000)
        keep(16, on: &pacedLeakChain)
    }
}

extension PlantedWorkloads {
    /// The cases that need the time budget: bounded caches that fill slowly (not leaks), a
    /// sparse and a sublinear leak, and a paced leak with its clean twin. They run only when
    /// named; the sparse, sublinear and paced leaks take their whole budget by design.
    public static let budget: [WorkloadDefinition] =
        [1024, 4096, 16384].flatMap { capacity in
            [1, 8, 32].map { every in
                WorkloadDefinition(
                    "planted.clean.lru-\(capacity / 1024)k-every-\(every)",
                    summary:
                        "an LRU cache bounded at \(capacity) entries, one new entry every \(every == 1 ? "iteration" : "\(every) iterations")",
                    runsByDefault: false
                ) { SlowlyFillingCache(capacity: capacity, every: every) }
            }
        } + [
            WorkloadDefinition(
                "planted.leak.sparse", summary: "64 B kept every 1,000th iteration", runsByDefault: false
            ) { SparseLeak() },
            WorkloadDefinition(
                "planted.leak.sublinear", summary: "64 B kept whenever the iteration is a perfect square",
                runsByDefault: false
            ) { SublinearLeak() },
            WorkloadDefinition(
                "planted.leak.paced", summary: "16 B kept per 10 ms iteration", runsByDefault: false
            ) { PacedLeak() },
            WorkloadDefinition(
                "planted.clean.paced", summary: "clean work every 10 ms, the paced leak's twin", runsByDefault: false
            ) { PacedCleanWork() },
        ]
}
