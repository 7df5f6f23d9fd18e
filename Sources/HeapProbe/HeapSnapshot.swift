/// The process's heap at one moment, as jemalloc counts it after an `epoch` refresh.
///
/// `allocatedBytes` is the leak signal: bytes in live allocations, exact when the thread
/// cache is off. The other figures are for the human reader: pages the allocator holds,
/// and the process's resident set as the kernel sees it.
public struct HeapSnapshot: Sendable, Equatable, Codable {
    /// Bytes in live allocations (`stats.allocated`).
    public var allocatedBytes: Int
    /// Bytes in active pages (`stats.active`), a multiple of the page size.
    public var activeBytes: Int
    /// Bytes in physically resident pages the allocator maps (`stats.resident`); lags frees
    /// by the dirty-page decay time.
    public var residentBytes: Int
    /// Bytes in active extents mapped by the allocator (`stats.mapped`).
    public var mappedBytes: Int
    /// Virtual memory jemalloc keeps for reuse rather than returning it (`stats.retained`).
    public var allocatorRetainedBytes: Int
    /// The whole process's resident set size (`/proc/self/statm`), 0 where it cannot be read.
    public var processResidentBytes: Int

    public init(
        allocatedBytes: Int, activeBytes: Int, residentBytes: Int, mappedBytes: Int,
        allocatorRetainedBytes: Int, processResidentBytes: Int
    ) {
        self.allocatedBytes = allocatedBytes
        self.activeBytes = activeBytes
        self.residentBytes = residentBytes
        self.mappedBytes = mappedBytes
        self.allocatorRetainedBytes = allocatorRetainedBytes
        self.processResidentBytes = processResidentBytes
    }
}
