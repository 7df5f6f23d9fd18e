import Foundation
import HeapProbe

/// Memory in use, as the governor compares it with the budget.
public struct MemoryUsage: Sendable, Equatable, Codable {
    /// Live heap bytes (jemalloc's `stats.allocated`): the process's own data.
    public var liveBytes: Int
    /// Resident bytes (the process's RSS): what the allocator holds from the system.
    public var residentBytes: Int

    public init(liveBytes: Int, residentBytes: Int) {
        self.liveBytes = liveBytes
        self.residentBytes = residentBytes
    }

    /// The figure compared with the budget: the larger of the two.
    public var governingBytes: Int { max(liveBytes, residentBytes) }
}

/// Where the governor reads usage. Injectable, so tests can drive every level.
public protocol UsageSource: Sendable {
    func currentUsage() -> MemoryUsage
}

/// This process's usage: live bytes from jemalloc, RSS from `/proc/self/statm`.
public struct ProcessUsageSource: UsageSource {
    private let probe: HeapProbe

    /// Opens a heap probe; the governor does not need exact figures, so the thread cache may
    /// be on.
    public init() throws {
        probe = try HeapProbe(requireExactFigures: false)
    }

    public func currentUsage() -> MemoryUsage {
        let snapshot = probe.snapshot()
        return MemoryUsage(liveBytes: snapshot.allocatedBytes, residentBytes: snapshot.processResidentBytes)
    }

    /// Returns dirty pages to the system.
    public func purge() {
        probe.purge()
    }
}
