import HeapProbe

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The benchmark half's two runs of one workload, each in a process of its own: the timed run
/// (thread cache on, as in production, nothing read from the heap inside the loop) and the
/// counting run (thread cache off, so that jemalloc counts every allocation).
public enum InProcessBench {
    /// Blocks of iterations the counting run reads allocations around.
    public static let countedBlocks = 5

    /// Warms the workload up for `plan.warmupSeconds` (one iteration at least), sizes a sample
    /// to take `plan.minimumSampleSeconds` or more, then takes samples, each a wall and a CPU
    /// figure per iteration, until the median's 95 % interval is within
    /// `plan.targetRelativeInterval` of it (after `plan.minimumSamples` and a third of the
    /// budget), the budget ends, or `plan.maximumSamples` are taken.
    ///
    /// The third of the budget is there for a loaded machine: a build's burst can cover the
    /// first 30 samples (0.15 s of a 200 µs workload) all alike, and their interval is then
    /// narrow around a time twice the workload's. Over a second or more, some samples fall where
    /// the load left the cores free, and the gate, which judges the fast end, sees them.
    public static func time(
        _ definition: WorkloadDefinition, plan: BenchPlan, progress: ProgressWriter? = nil
    ) async throws -> BenchTiming {
        var workload = definition.make()
        try await workload.setUp()
        let warmupStart = MonotonicClock.nanoseconds()
        var warmup = 0
        repeat {
            try await workload.run()
            warmup += 1
        } while seconds(since: warmupStart) < plan.warmupSeconds
        let pace = seconds(since: warmupStart) / Double(warmup)
        let perSample = Int(min(max(1, (plan.minimumSampleSeconds / max(pace, 1e-9)).rounded(.up)), 1e9))

        var wall: [Double] = []
        var cpu: [Double] = []
        wall.reserveCapacity(plan.maximumSamples)
        cpu.reserveCapacity(plan.maximumSamples)
        let start = MonotonicClock.nanoseconds()
        var stoppedBecause = ""
        while stoppedBecause.isEmpty {
            let wallBefore = MonotonicClock.nanoseconds()
            let cpuBefore = processCPUNanoseconds()
            for _ in 0..<perSample { try await workload.run() }
            let cpuAfter = processCPUNanoseconds()
            let wallAfter = MonotonicClock.nanoseconds()
            wall.append(Double(wallAfter - wallBefore) / Double(perSample))
            cpu.append(Double(cpuAfter &- cpuBefore) / Double(perSample))
            progress?.report(iterations: wall.count * perSample, retainedBytes: 0)
            if wall.count >= plan.minimumSamples, wall.count % 5 == 0,
                seconds(since: start) >= plan.budgetSeconds / 3,
                BenchDistribution(wall).relativeInterval <= plan.targetRelativeInterval
            {
                stoppedBecause = String(
                    format: "the median's 95 %% interval is within ±%g %%", 100 * plan.targetRelativeInterval)
            } else if wall.count >= plan.maximumSamples {
                stoppedBecause = "\(plan.maximumSamples) samples, the most a run takes"
            } else if seconds(since: start) >= plan.budgetSeconds {
                stoppedBecause = String(format: "the %g s budget ended", plan.budgetSeconds)
            }
        }
        try await workload.tearDown()
        return BenchTiming(
            warmupIterations: warmup, iterationsPerSample: perSample, wallNanoseconds: wall, cpuNanoseconds: cpu,
            peakResidentBytes: peakResidentBytes(), threadCacheEnabled: threadCacheEnabled(),
            stoppedBecause: stoppedBecause)
    }

    /// Runs `warmupIterations`, then ``countedBlocks`` blocks of `iterationsPerBlock`, reading
    /// jemalloc's allocation counters around each block. The process must run with the thread
    /// cache off (``AllocationCounter`` refuses otherwise).
    public static func count(
        _ definition: WorkloadDefinition, iterationsPerBlock: Int, warmupIterations: Int
    ) async throws -> BenchAllocations {
        let counter = try AllocationCounter()
        var workload = definition.make()
        try await workload.setUp()
        for _ in 0..<max(1, warmupIterations) { try await workload.run() }
        var allocations = [Int](repeating: 0, count: countedBlocks)
        var bytes = [Int](repeating: 0, count: countedBlocks)
        // Read once before the first block, so the counter's own first-use costs land outside it.
        _ = counter.totals()
        for block in 0..<countedBlocks {
            let before = counter.totals()
            for _ in 0..<iterationsPerBlock { try await workload.run() }
            let after = counter.totals()
            allocations[block] = after.allocations - before.allocations - counter.readingCost.allocations
            bytes[block] = after.bytes - before.bytes - counter.readingCost.bytes
        }
        try await workload.tearDown()
        return BenchAllocations(
            iterationsPerBlock: iterationsPerBlock, allocationsPerBlock: allocations, bytesPerBlock: bytes)
    }

    private static func seconds(since start: UInt64) -> Double {
        Double(MonotonicClock.nanoseconds() - start) / 1e9
    }

    /// CPU time of every thread of this process, user and system.
    static func processCPUNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }

    /// The process's peak resident set so far, in bytes (Linux gives ru_maxrss in KiB).
    static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Int(usage.ru_maxrss) * 1024
    }

    private static func threadCacheEnabled() -> Bool {
        (try? HeapProbe(requireExactFigures: false).threadCacheEnabled) ?? true
    }
}
