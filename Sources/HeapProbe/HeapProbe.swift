import CJemalloc

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Exact live-heap figures for this process, read from jemalloc through `mallctl`.
///
/// Creating a probe checks that jemalloc really is the process's `malloc` and, when exact
/// figures are asked for, that the thread cache is off; it throws a ``HeapProbeError`` rather
/// than ever reporting zeros. Every name is resolved to a MIB once, at creation, so the reads
/// afterwards (``liveBytes()``, ``snapshot()``, ``countLiveObjects(into:)``) allocate nothing
/// and can run between two measurements without disturbing them.
public final class HeapProbe: @unchecked Sendable {
    // @unchecked Sendable: every stored property is set in `init` and never written again;
    // the MIB buffers are only read afterwards, and jemalloc's mallctl is thread-safe.

    /// jemalloc's version string, e.g. `5.3.0-0-g54eaed1d8b56b1aa528be3bdd1877e59c56fa90c`.
    public let jemallocVersion: String
    /// Whether jemalloc's thread cache is on (`opt.tcache`).
    public let threadCacheEnabled: Bool
    /// Whether heap profiling is compiled in and on (`opt.prof`).
    public let profilingActive: Bool
    /// Every size class, small bins first, in jemalloc's order.
    public let sizeClasses: [SizeClass]

    private let smallClassCount: Int
    // MIB layout: [epoch(1) | allocated(2) | active(2) | resident(2) | mapped(2) | retained(2)
    //              | bin curregs(6) | large curlextents(6)]
    private let mibs: UnsafeMutablePointer<Int>
    private static let epochAt = 0, allocatedAt = 1, activeAt = 3, residentAt = 5
    private static let mappedAt = 7, retainedAt = 9, binAt = 11, largeAt = 17, mibCount = 23

    /// Resolves every name once and checks the allocator.
    ///
    /// - Parameter requireExactFigures: when true (the default), a process whose thread cache
    ///   is on is refused with ``HeapProbeError/threadCacheEnabled``.
    public init(requireExactFigures: Bool = true) throws {
        mibs = .allocate(capacity: Self.mibCount)
        mibs.initialize(repeating: 0, count: Self.mibCount)
        do {
            guard try Self.readBool("config.stats") else { throw HeapProbeError.statisticsNotCompiledIn }
            threadCacheEnabled = try Self.readBool("opt.tcache")
            if requireExactFigures && threadCacheEnabled { throw HeapProbeError.threadCacheEnabled }
            profilingActive = (try? Self.readBool("opt.prof")) ?? false
            jemallocVersion = try Self.readString("version")
            try Self.verifyIsProcessAllocator()

            try Self.resolve("epoch", into: mibs + Self.epochAt, length: 1)
            try Self.resolve("stats.allocated", into: mibs + Self.allocatedAt, length: 2)
            try Self.resolve("stats.active", into: mibs + Self.activeAt, length: 2)
            try Self.resolve("stats.resident", into: mibs + Self.residentAt, length: 2)
            try Self.resolve("stats.mapped", into: mibs + Self.mappedAt, length: 2)
            try Self.resolve("stats.retained", into: mibs + Self.retainedAt, length: 2)
            // 4096 is MALLCTL_ARENAS_ALL: statistics merged over every arena.
            try Self.resolve("stats.arenas.4096.bins.0.curregs", into: mibs + Self.binAt, length: 6)
            try Self.resolve(
                "stats.arenas.4096.lextents.0.curlextents", into: mibs + Self.largeAt, length: 6)

            let binCount = Int(try Self.readValue("arenas.nbins", as: UInt32.self))
            let largeCount = Int(try Self.readValue("arenas.nlextents", as: UInt32.self))
            var classes: [SizeClass] = []
            classes.reserveCapacity(binCount + largeCount)
            for index in 0..<binCount {
                let size = try Self.readValue("arenas.bin.\(index).size", as: Int.self)
                classes.append(SizeClass(size: size, kind: .small, index: index))
            }
            for index in 0..<largeCount {
                let size = try Self.readValue("arenas.lextent.\(index).size", as: Int.self)
                classes.append(SizeClass(size: size, kind: .large, index: index))
            }
            sizeClasses = classes
            smallClassCount = binCount
        } catch {
            mibs.deallocate()
            throw error
        }
    }

    deinit {
        mibs.deallocate()
    }

    /// Bytes in live allocations right now. Refreshes jemalloc's statistics first; allocates
    /// nothing.
    public func liveBytes() -> Int {
        refresh()
        return readSize(at: Self.allocatedAt)
    }

    /// All heap figures at once, after one refresh. Allocates nothing.
    public func snapshot() -> HeapSnapshot {
        refresh()
        return HeapSnapshot(
            allocatedBytes: readSize(at: Self.allocatedAt),
            activeBytes: readSize(at: Self.activeAt),
            residentBytes: readSize(at: Self.residentAt),
            mappedBytes: readSize(at: Self.mappedAt),
            allocatorRetainedBytes: readSize(at: Self.retainedAt),
            processResidentBytes: ProcessResidentSize.read()
        )
    }

    /// Writes the live object count of each size class (in ``sizeClasses`` order) into
    /// `counts`, which must hold at least `sizeClasses.count` elements. Call after
    /// ``liveBytes()`` or ``snapshot()`` (which refresh the statistics); allocates nothing.
    public func countLiveObjects(into counts: UnsafeMutableBufferPointer<Int>) {
        precondition(counts.count >= sizeClasses.count, "counts holds fewer than sizeClasses.count elements")
        for index in 0..<smallClassCount {
            (mibs + Self.binAt)[4] = index
            var value = 0
            var length = MemoryLayout<Int>.size
            _ = mallctlbymib(mibs + Self.binAt, 6, &value, &length, nil, 0)
            counts[index] = value
        }
        for index in 0..<(sizeClasses.count - smallClassCount) {
            (mibs + Self.largeAt)[4] = index
            var value = 0
            var length = MemoryLayout<Int>.size
            _ = mallctlbymib(mibs + Self.largeAt, 6, &value, &length, nil, 0)
            counts[smallClassCount + index] = value
        }
    }

    /// Live object counts per size class, in ``sizeClasses`` order (allocates the result).
    public func liveObjectCounts() -> [Int] {
        refresh()
        return [Int](unsafeUninitializedCapacity: sizeClasses.count) { buffer, initialized in
            buffer.initialize(repeating: 0)
            countLiveObjects(into: buffer)
            initialized = sizeClasses.count
        }
    }

    /// Returns unused dirty pages of every arena to the system (`arena.<all>.purge`), so
    /// resident figures settle. Live bytes are unchanged.
    public func purge() {
        _ = mallctl("arena.4096.purge", nil, nil, nil, 0)
    }

    /// Writes a heap profile (jemalloc's `prof.dump`) to `path`: every live sampled allocation
    /// with its stack. Needs the process started with `MALLOC_CONF=prof:true` (the harness
    /// adds `lg_prof_sample:0` so every allocation is sampled). Profiling allocates: never
    /// measure and profile in the same run.
    public func dumpProfile(to path: String) throws {
        guard profilingActive else { throw HeapProbeError.profilingOff }
        try path.withCString { cPath in
            var pointer: UnsafePointer<CChar>? = cPath
            let code = mallctl("prof.dump", nil, nil, &pointer, MemoryLayout<UnsafePointer<CChar>?>.size)
            guard code == 0 else { throw HeapProbeError.mallctlFailed(name: "prof.dump", errno: code) }
        }
    }

    // MARK: - Reading

    private func refresh() {
        var epoch: UInt64 = 1
        // Old and new value must be distinct variables: passing one for both trips Swift's
        // exclusivity check.
        _ = mallctlbymib(mibs + Self.epochAt, 1, nil, nil, &epoch, MemoryLayout<UInt64>.size)
    }

    private func readSize(at offset: Int) -> Int {
        var value = 0
        var length = MemoryLayout<Int>.size
        _ = mallctlbymib(mibs + offset, 2, &value, &length, nil, 0)
        return value
    }

    // MARK: - Set-up helpers (allocate freely; only called from init)

    private static func resolve(_ name: String, into mib: UnsafeMutablePointer<Int>, length: Int) throws {
        var resolved = length
        let code = mallctlnametomib(name, mib, &resolved)
        guard code == 0, resolved == length else { throw HeapProbeError.mallctlFailed(name: name, errno: code) }
    }

    private static func readValue<Value: FixedWidthInteger>(_ name: String, as: Value.Type) throws -> Value {
        var value: Value = 0
        var length = MemoryLayout<Value>.size
        let code = mallctl(name, &value, &length, nil, 0)
        guard code == 0 else { throw HeapProbeError.mallctlFailed(name: name, errno: code) }
        return value
    }

    private static func readBool(_ name: String) throws -> Bool {
        var value = false
        var length = MemoryLayout<Bool>.size
        let code = mallctl(name, &value, &length, nil, 0)
        guard code == 0 else { throw HeapProbeError.mallctlFailed(name: name, errno: code) }
        return value
    }

    private static func readString(_ name: String) throws -> String {
        var value: UnsafePointer<CChar>? = nil
        var length = MemoryLayout<UnsafePointer<CChar>?>.size
        let code = mallctl(name, &value, &length, nil, 0)
        guard code == 0, let value else { throw HeapProbeError.mallctlFailed(name: name, errno: code) }
        return String(cString: value)
    }

    /// A 4096-byte `malloc` must move this thread's jemalloc allocation counter by at least
    /// 4096 bytes; if it does not, another allocator serves `malloc`.
    private static func verifyIsProcessAllocator() throws {
        let before = try readValue("thread.allocated", as: UInt64.self)
        guard let block = malloc(4096) else { return }
        // Hand the block to an external function so the optimiser cannot drop the pair.
        let usable = malloc_usable_size(block)
        let after = try readValue("thread.allocated", as: UInt64.self)
        free(block)
        let observed = Int(truncatingIfNeeded: after &- before)
        guard observed >= 4096, usable >= 4096 else {
            throw HeapProbeError.notTheProcessAllocator(observedBytes: observed)
        }
    }
}
