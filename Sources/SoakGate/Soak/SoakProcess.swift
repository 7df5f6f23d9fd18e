import CSoakGateProcess
import HeapProbe
import SoakGateBasics

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What one soaking process is asked to do: passed as JSON by the parent.
public struct SoakProcessPlan: Sendable, Equatable, Codable {
    public var workload: String
    public var segment: Int
    public var intervalSeconds: Double
    public var checkpointSeconds: Double
    public var settleSeconds: Double
    /// Seconds this process runs before it ends on its own.
    public var runSeconds: Double
    /// Soak time and iterations already on disk (0 for a new soak): readings continue from them.
    public var startElapsedSeconds: Double
    public var startIterations: Int
    public var warmupIterations: Int

    public init(
        workload: String, segment: Int, intervalSeconds: Double, checkpointSeconds: Double, settleSeconds: Double,
        runSeconds: Double, startElapsedSeconds: Double, startIterations: Int, warmupIterations: Int
    ) {
        self.workload = workload
        self.segment = segment
        self.intervalSeconds = intervalSeconds
        self.checkpointSeconds = checkpointSeconds
        self.settleSeconds = settleSeconds
        self.runSeconds = runSeconds
        self.startElapsedSeconds = startElapsedSeconds
        self.startIterations = startIterations
        self.warmupIterations = warmupIterations
    }
}

extension SoakProcessPlan {
    /// Checks every number against ``SoakLimits`` before it becomes nanoseconds: the plan comes
    /// from the parent's command line, which someone else may have typed.
    public func check() throws(CheckedNumber.RangeError) {
        let seconds = SoakLimits.minimumIntervalSeconds...SoakLimits.maximumDurationSeconds
        try CheckedNumber.checked(segment, in: 0...SoakLimits.maximumSegments, source: "plan segment")
        try CheckedNumber.checked(intervalSeconds, in: seconds, source: "plan intervalSeconds")
        try CheckedNumber.checked(checkpointSeconds, in: seconds, source: "plan checkpointSeconds")
        try CheckedNumber.checked(
            settleSeconds, in: 0...SoakLimits.maximumDurationSeconds, source: "plan settleSeconds")
        try CheckedNumber.checked(runSeconds, in: 0...SoakLimits.maximumElapsedSeconds, source: "plan runSeconds")
        try CheckedNumber.checked(
            startElapsedSeconds, in: 0...SoakLimits.maximumElapsedSeconds, source: "plan startElapsedSeconds")
        try CheckedNumber.checked(startIterations, in: 0...SoakLimits.maximumIterations, source: "plan startIterations")
        try CheckedNumber.checked(
            warmupIterations, in: 0...SoakLimits.maximumWarmupIterations, source: "plan warmupIterations")
    }
}

/// The loop of a soaking process: runs one workload until its time is up, reading the heap at
/// every interval and, at every checkpoint, after a settle pause and again after a forced purge
/// (the phases of Mozilla's "are we slim yet" soaks). Readings go to standard output as
/// ``SoakWireLine`` lines.
///
/// Between the first reading and the last the loop allocates nothing of its own. A SIGTERM
/// (see ``prepareProcess(parent:)``) ends it after the current iteration with a last reading.
public enum InProcessSoak {
    /// Runs until the plan's time is up, a SIGTERM arrives, or `parent` (when given) is gone.
    public static func run(
        _ definition: WorkloadDefinition, plan: SoakProcessPlan, parent: Int32? = nil, outputDescriptor: Int32 = 1
    ) async throws {
        let probe = try HeapProbe()
        var workload = definition.make()
        try await workload.setUp()
        for _ in 0..<plan.warmupIterations { try await workload.run() }

        let writer = SoakLineWriter(fileDescriptor: outputDescriptor, sizeClassCount: probe.sizeClasses.count)
        try plan.check()
        let offset = UInt64(plan.startElapsedSeconds * 1e9)
        // Never zero: both divide below (an interval of 1e-10 s once made this process die of SIGFPE).
        let interval = max(1, UInt64(plan.intervalSeconds * 1e9))
        let checkpointEvery = max(1, UInt64(plan.checkpointSeconds * 1e9))
        let settle = UInt64(plan.settleSeconds * 1e9)
        let start = MonotonicClock.nanoseconds()
        let deadline = start + UInt64(plan.runSeconds * 1e9)
        var iterations = plan.startIterations
        writer.write(
            kind: .start, elapsedNanoseconds: offset, iterations: iterations, heap: probe.snapshot(),
            meanNanoseconds: 0, maxNanoseconds: 0, sizeClassesFrom: probe)

        // Readings fall on multiples of the interval in soak time, so a resumed soak keeps the rhythm.
        var nextSample = start + (interval - offset % interval)
        var nextCheckpoint = start + (checkpointEvery - offset % checkpointEvery)
        // Checked at each reading: a soak killed with -9 must not leave its workloads running.
        var parentGone = false
        var latencySum: UInt64 = 0
        var latencyMax: UInt64 = 0
        var latencyCount: UInt64 = 0
        func reading(_ kind: SoakSample.Kind, at now: UInt64, sizeClasses: Bool) {
            writer.write(
                kind: kind, elapsedNanoseconds: offset + (now - start), iterations: iterations, heap: probe.snapshot(),
                meanNanoseconds: latencyCount == 0 ? 0 : latencySum / latencyCount, maxNanoseconds: latencyMax,
                sizeClassesFrom: sizeClasses ? probe : nil)
            latencySum = 0
            latencyMax = 0
            latencyCount = 0
            if let parent, soakgate_parent_alive(parent) == 0 { parentGone = true }
        }

        while true {
            let before = MonotonicClock.nanoseconds()
            if before >= deadline || soakgate_stop_requested() != 0 || parentGone { break }
            try await workload.run()
            let now = MonotonicClock.nanoseconds()
            iterations += 1
            let took = now - before
            latencySum &+= took
            latencyCount += 1
            if took > latencyMax { latencyMax = took }
            if now >= nextCheckpoint {
                sleepNanoseconds(min(settle, deadline > now ? deadline - now : 0))
                reading(.settled, at: MonotonicClock.nanoseconds(), sizeClasses: true)
                probe.purge()
                reading(.purged, at: MonotonicClock.nanoseconds(), sizeClasses: false)
                let after = MonotonicClock.nanoseconds()
                while nextCheckpoint <= after { nextCheckpoint += checkpointEvery }
                while nextSample <= after { nextSample += interval }
            } else if now >= nextSample {
                reading(.interval, at: now, sizeClasses: false)
                while nextSample <= now { nextSample += interval }
            }
        }
        reading(.end, at: MonotonicClock.nanoseconds(), sizeClasses: true)
        try await workload.tearDown()
    }

    /// Turns SIGTERM into a clean stop and SIGINT into nothing. False if `parent` is already gone.
    public static func prepareProcess(parent: Int32) -> Bool {
        soakgate_install_stop_handler()
        return soakgate_parent_alive(parent) != 0
    }

    /// Sleeps the thread without touching the heap (a task sleep would allocate).
    private static func sleepNanoseconds(_ nanoseconds: UInt64) {
        guard nanoseconds > 0 else { return }
        var request = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR {
            if soakgate_stop_requested() != 0 { return }
            request = remaining
        }
    }
}
