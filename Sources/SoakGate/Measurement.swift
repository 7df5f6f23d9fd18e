import Dispatch
import HeapProbe
import Synchronization

/// Everything one measuring process read, before any verdict: what the parent turns into a
/// report.
public struct MeasurementRecord: Sendable, Equatable, Codable {
    public var workload: String
    /// The baseline (iterations 0) and every checkpoint read, in order.
    public var samples: [HeapSample]
    public var sizeClasses: [SizeClass]
    /// Live objects per size class at the baseline and after the last reading.
    public var liveObjectsAtBaseline: [Int]
    public var liveObjectsAtEnd: [Int]
    public var jemallocVersion: String
    public var threadCacheEnabled: Bool
    /// Iterations measured (warm-up not included).
    public var iterationsRun: Int
    /// Seconds from baseline to the last reading.
    public var durationSeconds: Double
    /// The workload's own table, if it gives one.
    public var section: ReportSection?

    public init(
        workload: String, samples: [HeapSample], sizeClasses: [SizeClass], liveObjectsAtBaseline: [Int],
        liveObjectsAtEnd: [Int], jemallocVersion: String, threadCacheEnabled: Bool, iterationsRun: Int,
        durationSeconds: Double
    ) {
        self.workload = workload
        self.samples = samples
        self.sizeClasses = sizeClasses
        self.liveObjectsAtBaseline = liveObjectsAtBaseline
        self.liveObjectsAtEnd = liveObjectsAtEnd
        self.jemallocVersion = jemallocVersion
        self.threadCacheEnabled = threadCacheEnabled
        self.iterationsRun = iterationsRun
        self.durationSeconds = durationSeconds
        self.section = nil
    }
}

/// Runs one workload through a plan in this process and reads the heap at every checkpoint.
///
/// The process must run with jemalloc's thread cache off (``HeapProbe`` refuses otherwise).
/// Between the baseline and the last reading the loop itself allocates nothing: samples go into
/// storage reserved up front, progress is written from a preallocated buffer, and the stopping
/// rule allocates nothing, so every byte counted is the workload's.
public enum InProcessMeasurement {
    public static func measure(
        _ definition: WorkloadDefinition, plan: MeasurementPlan, progress: ProgressWriter? = nil
    ) async throws -> MeasurementRecord {
        let probe = try HeapProbe()
        var workload = definition.make()
        try await workload.setUp()
        for _ in 0..<plan.warmupIterations { try await workload.run() }

        let checkpoints = plan.allCheckpoints
        var samples: [HeapSample] = []
        samples.reserveCapacity(checkpoints.count + 1)
        let classCount = probe.sizeClasses.count
        let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: 2 * classCount)
        counts.initialize(repeating: 0)
        defer { counts.deallocate() }

        // Run the loop's own machinery once, every branch of the stopping rule included, so its
        // first-use costs (runtime metadata, lazily bound symbols) land before the baseline.
        _ = probe.snapshot()
        progress?.report(iterations: 0, retainedBytes: 0)
        _ = MonotonicClock.nanoseconds()
        warmUpStoppingRule(plan: plan, heap: probe.snapshot())

        let baseline = probe.snapshot()
        probe.countLiveObjects(into: UnsafeMutableBufferPointer(rebasing: counts[0..<classCount]))
        let start = MonotonicClock.nanoseconds()
        samples.append(HeapSample(iterations: 0, retainedBytes: 0, heap: baseline, elapsedSeconds: 0))

        var done = 0
        for checkpoint in checkpoints {
            while done < checkpoint {
                try await workload.run()
                done += 1
            }
            let heap = probe.snapshot()
            let elapsed = Double(MonotonicClock.nanoseconds() - start) / 1e9
            let retained = heap.allocatedBytes - baseline.allocatedBytes
            samples.append(HeapSample(iterations: done, retainedBytes: retained, heap: heap, elapsedSeconds: elapsed))
            progress?.report(iterations: done, retainedBytes: retained)
            if GrowthRules.decide(samples: samples, plan: plan) != nil { break }
        }
        probe.countLiveObjects(into: UnsafeMutableBufferPointer(rebasing: counts[classCount..<(2 * classCount)]))
        let duration = samples[samples.count - 1].elapsedSeconds
        let section = workload.reportSection()
        try await workload.tearDown()

        var record = MeasurementRecord(
            workload: definition.name,
            samples: samples,
            sizeClasses: probe.sizeClasses,
            liveObjectsAtBaseline: Array(counts[0..<classCount]),
            liveObjectsAtEnd: Array(counts[classCount..<(2 * classCount)]),
            jemallocVersion: probe.jemallocVersion,
            threadCacheEnabled: probe.threadCacheEnabled,
            iterationsRun: done,
            durationSeconds: duration
        )
        record.section = section
        return record
    }

    /// Drives ``GrowthRules/decide(samples:plan:)`` through the ladder, every window and the
    /// magnitude rule on made-up samples.
    private static func warmUpStoppingRule(plan: MeasurementPlan, heap: HeapSnapshot) {
        let points = [0] + plan.allCheckpoints
        for slope in [0, 1, plan.policy.magnitudeLimitBytes] {
            let samples = points.map {
                HeapSample(iterations: $0, retainedBytes: $0 * slope, heap: heap, elapsedSeconds: 0)
            }
            for end in 2...samples.count {
                _ = GrowthRules.decide(samples: Array(samples[0..<end]), plan: plan)
            }
        }
    }
}

extension InProcessMeasurement {
    /// Measures on a detached task and blocks the calling thread until it is done.
    ///
    /// For XCTest: an `async` test method makes swift-corelibs-xctest spin the main run loop
    /// while it waits, and that loop keeps 64-byte objects as time passes (measured here: a
    /// workload that only sleeps 40 µs per iteration "leaked" about 1 object per 250
    /// iterations under an async test, nothing under a blocked synchronous one). Call it from a
    /// thread outside Swift concurrency's pool, such as XCTest's main thread; never from a task.
    public static func measureBlocking(_ definition: WorkloadDefinition, plan: MeasurementPlan) throws
        -> MeasurementRecord
    {
        let outcome = BlockingOutcome()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do {
                outcome.store(.success(try await measure(definition, plan: plan)))
            } catch {
                outcome.store(.failure(error))
            }
            done.signal()
        }
        done.wait()
        return try outcome.load().get()
    }
}

/// The result handed from the measuring task to the blocked caller.
private final class BlockingOutcome: Sendable {
    private let value = Mutex<Result<MeasurementRecord, any Error>?>(nil)
    func store(_ result: Result<MeasurementRecord, any Error>) { value.withLock { $0 = result } }
    func load() -> Result<MeasurementRecord, any Error> { value.withLock { $0! } }
}

/// Where a profiling run left its two heap profiles.
public struct ProfileRecord: Sendable, Equatable, Codable {
    public var workload: String
    /// Heap profile after the ladder's iterations (one-off costs done).
    public var firstDump: String
    /// Heap profile after `iterationsBetween` more iterations.
    public var secondDump: String
    public var iterationsBetween: Int
}

extension InProcessMeasurement {
    /// The profiling run behind allocation sites: the ladder's iterations, a heap profile, as
    /// many again twice over, a second profile. What grew between the two is what leaks.
    /// Runs only in a process started with profiling on; its figures are never measurements.
    public static func profile(_ definition: WorkloadDefinition, plan: MeasurementPlan, directory: String) async throws
        -> ProfileRecord
    {
        let probe = try HeapProbe()
        var workload = definition.make()
        try await workload.setUp()
        for _ in 0..<(plan.warmupIterations + plan.ladderTop) { try await workload.run() }
        let first = directory + "/first.heap"
        let second = directory + "/second.heap"
        try probe.dumpProfile(to: first)
        let between = 2 * plan.ladderTop
        for _ in 0..<between { try await workload.run() }
        try probe.dumpProfile(to: second)
        try await workload.tearDown()
        return ProfileRecord(
            workload: definition.name, firstDump: first, secondDump: second, iterationsBetween: between)
    }
}
