/// Why the heap probe cannot give an exact figure. Each case prints as one line that says what
/// to do instead.
public enum HeapProbeError: Error, CustomStringConvertible, Equatable, Sendable {
    /// `malloc` in this process is not jemalloc's, so jemalloc's counters see none of the
    /// program's allocations.
    case notTheProcessAllocator(observedBytes: Int)
    /// The thread cache is on: its fills count as allocated, so live bytes are not exact.
    case threadCacheEnabled
    /// This jemalloc was built without statistics.
    case statisticsNotCompiledIn
    /// A heap profile was asked for in a process started without profiling.
    case profilingOff
    /// A `mallctl` name was rejected by jemalloc.
    case mallctlFailed(name: String, errno: Int32)

    public var description: String {
        switch self {
        case .notTheProcessAllocator(let observed):
            return
                "jemalloc is linked but is not this process's malloc (a 4096-byte malloc moved its counter by \(observed) bytes); remove LD_PRELOAD of another allocator or link CJemalloc into the executable"
        case .threadCacheEnabled:
            return
                "jemalloc's thread cache is on, so live-byte figures are not exact; run the measured process with MALLOC_CONF=tcache:false (soakgate check sets it for its children) or link CSoakGateTCacheOff"
        case .statisticsNotCompiledIn:
            return
                "this jemalloc was built without --enable-stats, so it has no live-byte counters; install Debian's libjemalloc2"
        case .profilingOff:
            return
                "heap profiling is off in this process; start it with MALLOC_CONF=prof:true,lg_prof_sample:0 (soakgate does this for its profiling run)"
        case .mallctlFailed(let name, let code):
            return
                "jemalloc rejected mallctl '\(name)' (error \(code)); this jemalloc is older than 5.x or built without statistics"
        }
    }
}
