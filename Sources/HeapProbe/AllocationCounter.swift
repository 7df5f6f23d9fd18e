import CJemalloc

/// Every allocation this process has made, counted by jemalloc: the sum over size classes of
/// `stats.arenas.<all>.bins.<j>.nmalloc` and `….lextents.<k>.nmalloc`, and of each count times
/// its class's size.
///
/// Exact only with the thread cache off: a cache hands out objects without touching the arena's
/// counters. Creating a counter in a process whose thread cache is on throws
/// ``HeapProbeError/threadCacheEnabled``. Reading costs jemalloc itself a fixed number of
/// allocations (232 with Debian's 5.3.0: one per size class read); ``readingCost`` holds what
/// one reading added, measured at creation, for the caller to take off.
public final class AllocationCounter: @unchecked Sendable {
    // @unchecked Sendable: the probe and the MIB buffers are written only in `init`.

    private let probe: HeapProbe
    /// What one reading adds to the totals the next reading sees: the smallest difference
    /// between two readings in a row, of five.
    public private(set) var readingCost: (allocations: Int, bytes: Int) = (0, 0)
    private let binMib: UnsafeMutablePointer<Int>
    private let largeMib: UnsafeMutablePointer<Int>

    public init() throws {
        probe = try HeapProbe(requireExactFigures: true)
        binMib = .allocate(capacity: 6)
        largeMib = .allocate(capacity: 6)
        binMib.initialize(repeating: 0, count: 6)
        largeMib.initialize(repeating: 0, count: 6)
        var length = 6
        var code = mallctlnametomib("stats.arenas.4096.bins.0.nmalloc", binMib, &length)
        if code == 0 {
            length = 6
            code = mallctlnametomib("stats.arenas.4096.lextents.0.nmalloc", largeMib, &length)
        }
        guard code == 0 else {
            binMib.deallocate()
            largeMib.deallocate()
            throw HeapProbeError.mallctlFailed(name: "stats.arenas.4096.bins.0.nmalloc", errno: code)
        }
        var cost = (allocations: Int.max, bytes: Int.max)
        for _ in 0..<5 {
            let before = totals()
            let after = totals()
            if after.allocations - before.allocations < cost.allocations {
                cost = (after.allocations - before.allocations, after.bytes - before.bytes)
            }
        }
        readingCost = cost
    }

    deinit {
        binMib.deallocate()
        largeMib.deallocate()
    }

    /// Allocations and allocated bytes since the process started. Refreshes the statistics;
    /// allocates nothing.
    public func totals() -> (allocations: Int, bytes: Int) {
        _ = probe.liveBytes() // advances jemalloc's epoch
        var allocations = 0
        var bytes = 0
        for sizeClass in probe.sizeClasses {
            let mib = sizeClass.kind == .small ? binMib : largeMib
            mib[4] = sizeClass.index
            var value: UInt64 = 0
            var length = MemoryLayout<UInt64>.size
            guard mallctlbymib(mib, 6, &value, &length, nil, 0) == 0 else { continue }
            let count = Int(truncatingIfNeeded: value)
            allocations &+= count
            bytes &+= count &* sizeClass.size
        }
        return (allocations, bytes)
    }
}
