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
    /// Where the loop was when it stopped: what the rules need beyond the readings.
    public var stop = MeasurementStop()

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

        var samples: [HeapSample] = []
        samples.reserveCapacity(plan.maximumReadings)
        var cursor = CheckpointCursor(plan: plan)
        let classCount = probe.sizeClasses.count
        let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: 2 * classCount)
        counts.initialize(repeating: 0)
        defer { counts.deallocate() }

        // Everything `read()` captures is declared here, before the baseline: a captured `var`
        // lives in a box allocated where it is declared (debug builds do not move it to the
        // stack), and 64 bytes of boxes after the baseline would be counted as the workload's.
        var done = 0
        var stop = MeasurementStop()
        // Seconds per iteration over the latest stretch between two readings.
        var pace = 0.0
        var decided = false
        var baseline = probe.snapshot()
        var start: UInt64 = 0
        let schedule = BudgetSchedule(plan: plan)

        // Run the loop's own machinery once, every branch of the stopping rule included, so its
        // first-use costs (runtime metadata, lazily bound symbols) land before the baseline.
        _ = probe.snapshot()
        progress?.report(iterations: 0, retainedBytes: 0)
        _ = MonotonicClock.nanoseconds()
        warmUpStoppingRule(plan: plan, heap: probe.snapshot())

        baseline = probe.snapshot()
        probe.countLiveObjects(into: UnsafeMutableBufferPointer(rebasing: counts[0..<classCount]))
        start = MonotonicClock.nanoseconds()
        samples.append(HeapSample(iterations: 0, retainedBytes: 0, heap: baseline, elapsedSeconds: 0))

        func read() -> Double {
            let heap = probe.snapshot()
            let elapsed = Double(MonotonicClock.nanoseconds() - start) / 1e9
            let retained = heap.allocatedBytes - baseline.allocatedBytes
            let previous = samples[samples.count - 1]
            if done > previous.iterations {
                pace = (elapsed - previous.elapsedSeconds) / Double(done - previous.iterations)
            }
            samples.append(HeapSample(iterations: done, retainedBytes: retained, heap: heap, elapsedSeconds: elapsed))
            progress?.report(iterations: done, retainedBytes: retained)
            return elapsed
        }

        // The ladder and the windows, while the phase under way can end within the windows'
        // share of the budget; the rest is the final stretch's.
        while let checkpoint = cursor.next() {
            let now = Double(MonotonicClock.nanoseconds() - start) / 1e9
            if schedule.leavesWindows(now: now, pace: pace, done: done, phaseEnd: cursor.phaseEnd) { break }
            while done < checkpoint {
                try await workload.run()
                done += 1
            }
            _ = read()
            if GrowthRules.decide(samples: samples, plan: plan, stop: stop) != nil {
                decided = true
                break
            }
        }

        // The final stretch: what is left of the budget, read `finalReadings` times.
        if !decided {
            stop.finalStretchFrom = done
            var now = Double(MonotonicClock.nanoseconds() - start) / 1e9
            for reading in 1...plan.finalReadings {
                // Sized again at every reading from the latest pace, so the stretch ends with the budget.
                let step = schedule.finalStep(now: now, pace: pace, readingsLeft: plan.finalReadings - reading + 1)
                // In chunks, with a look at the clock after each: a step sized from a pace that
                // then slowed stops at the target instead of running past the budget.
                let chunk = max(1, step / 32)
                var ran = 0
                while ran < step {
                    let count = min(chunk, step - ran)
                    for _ in 0..<count { try await workload.run() }
                    ran += count
                    if schedule.pastTarget(Double(MonotonicClock.nanoseconds() - start) / 1e9) { break }
                }
                done += ran
                now = read()
                let next = schedule.finalStep(now: now, pace: pace, readingsLeft: max(1, plan.finalReadings - reading))
                stop.budgetEnded = schedule.endsBudget(reading: reading, elapsed: now, pace: pace, step: next)
                if GrowthRules.decide(samples: samples, plan: plan, stop: stop, newestOnly: true) != nil
                    || stop.budgetEnded
                {
                    break
                }
            }
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
        record.stop = stop
        return record
    }

    /// Drives ``GrowthRules/decide(samples:plan:stop:)`` through the ladder, windows, a final
    /// stretch and every rule on made-up samples: flat, steady, slowing, and past the magnitude
    /// limit.
    private static func warmUpStoppingRule(plan: MeasurementPlan, heap: HeapSnapshot) {
        var cursor = CheckpointCursor(plan: plan)
        var points = [0]
        while points.count < plan.ladderCheckpoints.count + 6 * plan.checkpointsPerWindow + 1,
            let next = cursor.next()
        {
            points.append(next)
        }
        let from = points[points.count - 1]
        for reading in 1...plan.finalReadings { points.append(from + reading * plan.firstWindowLength) }
        let shapes: [(Int) -> Int] = [
            { _ in 0 }, { $0 }, { $0 * plan.policy.magnitudeLimitBytes },
            { Int(Double($0).squareRoot()) * 64 }, { min($0, 3 * plan.firstWindowLength) },
        ]
        for shape in shapes {
            let samples = points.map {
                HeapSample(iterations: $0, retainedBytes: shape($0), heap: heap, elapsedSeconds: 0)
            }
            // Every prefix, as the loop calls it (one look at the newest reading), then the whole
            // series replayed as the report does.
            for end in 2...samples.count {
                let prefix = Array(samples[0..<end])
                _ = GrowthRules.decide(samples: prefix, plan: plan)
                _ = GrowthRules.decide(
                    samples: prefix, plan: plan, stop: MeasurementStop(finalStretchFrom: from), newestOnly: true)
            }
            _ = GrowthRules.decide(
                samples: samples, plan: plan, stop: MeasurementStop(finalStretchFrom: from, budgetEnded: true),
                newestOnly: true)
        }
    }
}

/// The measuring loop's decisions about time. One type, so that the rule tests' simulation
/// (``RuleSimulation``) schedules its readings exactly as the loop does.
struct BudgetSchedule {
    let plan: MeasurementPlan

    /// Whether the phase under way (the ladder, or a window, ending at `phaseEnd`) would not end
    /// within the windows' share of the budget at the latest pace: then the final stretch begins.
    func leavesWindows(now: Double, pace: Double, done: Int, phaseEnd: Int) -> Bool {
        done > 0
            && now + pace * Double(phaseEnd - done) > plan.budgetSeconds * MeasurementPlan.windowShareOfBudget
    }

    /// Iterations to the next reading of the final stretch: what is left until the target,
    /// divided among the readings left, at least one.
    func finalStep(now: Double, pace: Double, readingsLeft: Int) -> Int {
        let remaining = max(0, target - now)
        let perReading = remaining / Double(max(1, readingsLeft)) / max(pace, 1e-9)
        return Int(min(max(perReading, 1), Double(1 << 40)))
    }

    /// Whether reading `reading` of the final stretch is its last: the planned last, or the
    /// next would end past the target.
    func endsBudget(reading: Int, elapsed: Double, pace: Double, step: Int) -> Bool {
        reading == plan.finalReadings || elapsed + pace * Double(step) > target
    }

    /// Whether the final stretch has reached the time it aims to end at.
    func pastTarget(_ elapsed: Double) -> Bool { elapsed >= target }

    /// Where the final stretch aims to end: ``MeasurementPlan/finalStretchTarget`` of the budget.
    private var target: Double { plan.budgetSeconds * MeasurementPlan.finalStretchTarget }
}

/// The measuring loop run on a made-up workload: `retained(iterations)` live bytes after so
/// many iterations, each taking `secondsPerIteration`. Readings, the budget and the stopping
/// rule are the loop's own; only the clock and the heap are simulated. For the rule tests.
enum RuleSimulation {
    struct Outcome {
        var samples: [HeapSample]
        var stop: MeasurementStop
        var decision: GrowthDecision?
    }

    static func run(_ plan: MeasurementPlan, secondsPerIteration: Double, retained: (Int) -> Int) -> Outcome {
        let heap = HeapSnapshot(
            allocatedBytes: 0, activeBytes: 0, residentBytes: 0, mappedBytes: 0, allocatorRetainedBytes: 0,
            processResidentBytes: 0)
        let schedule = BudgetSchedule(plan: plan)
        var cursor = CheckpointCursor(plan: plan)
        var samples = [HeapSample(iterations: 0, retainedBytes: 0, heap: heap, elapsedSeconds: 0)]
        var stop = MeasurementStop()
        var done = 0
        var pace = 0.0
        func read() -> Double {
            let elapsed = Double(done) * secondsPerIteration
            let previous = samples[samples.count - 1]
            if done > previous.iterations {
                pace = (elapsed - previous.elapsedSeconds) / Double(done - previous.iterations)
            }
            samples.append(
                HeapSample(iterations: done, retainedBytes: retained(done), heap: heap, elapsedSeconds: elapsed))
            return elapsed
        }
        while let checkpoint = cursor.next() {
            let now = Double(done) * secondsPerIteration
            if schedule.leavesWindows(now: now, pace: pace, done: done, phaseEnd: cursor.phaseEnd) { break }
            done = checkpoint
            _ = read()
            if let decision = GrowthRules.decide(samples: samples, plan: plan, stop: stop) {
                return Outcome(samples: samples, stop: stop, decision: decision)
            }
        }
        stop.finalStretchFrom = done
        var now = Double(done) * secondsPerIteration
        for reading in 1...plan.finalReadings {
            let step = schedule.finalStep(now: now, pace: pace, readingsLeft: plan.finalReadings - reading + 1)
            done += step
            now = read()
            let next = schedule.finalStep(now: now, pace: pace, readingsLeft: max(1, plan.finalReadings - reading))
            stop.budgetEnded = schedule.endsBudget(reading: reading, elapsed: now, pace: pace, step: next)
            let decision = GrowthRules.decide(samples: samples, plan: plan, stop: stop, newestOnly: true)
            if decision != nil || stop.budgetEnded { return Outcome(samples: samples, stop: stop, decision: decision) }
        }
        return Outcome(samples: samples, stop: stop, decision: nil)
    }
}

/// The ladder's readings, then each window's, in order, without allocating.
struct CheckpointCursor {
    private let plan: MeasurementPlan
    private let ladder: [Int]
    private var ladderIndex = 0
    private var window = 0
    private var reading = 1
    private var last = 0
    /// Where the phase of the checkpoint last returned ends: the ladder's top, or its window's end.
    private(set) var phaseEnd = 0

    init(plan: MeasurementPlan) {
        self.plan = plan
        self.ladder = plan.ladderCheckpoints
    }

    mutating func next() -> Int? {
        if ladderIndex < ladder.count {
            last = ladder[ladderIndex]
            ladderIndex += 1
            phaseEnd = plan.ladderTop
            return last
        }
        while window < MeasurementPlan.maximumWindows {
            let checkpoint = plan.windowCheckpoint(window, reading: reading)
            phaseEnd = plan.window(window).end
            reading += 1
            if reading > plan.checkpointsPerWindow {
                reading = 1
                window += 1
            }
            if checkpoint > last {
                last = checkpoint
                return checkpoint
            }
        }
        return nil
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
    /// The heap walks' answer: which types grew between the two profiles and who holds them.
    /// Nil from a process started without the live-block table.
    public var retention: RetentionReport?
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
        // The heap walks bracket the same iterations as the profiles (see HeapWalker). The first
        // census is taken before the first profile, so its buffers are in both profiles and
        // never read as the workload's growth; the second after the second profile.
        let walker = try? HeapWalker()
        let before = walker?.census()
        try probe.dumpProfile(to: first)
        let between = 2 * plan.ladderTop
        for _ in 0..<between { try await workload.run() }
        try probe.dumpProfile(to: second)
        var retention: RetentionReport?
        if let walker, let before {
            let clock = ContinuousClock()
            let started = clock.now
            let after = walker.census()
            let task = withUnsafeCurrentTask { task in task.map { unsafeBitCast($0, to: UInt.self) } }
            retention = walker.retention(
                from: before, to: after, iterations: between, seconds: 0, measuringTask: task)
            let elapsed = clock.now - started
            retention?.seconds =
                Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        } else {
            retention = .unavailable(HeapWalker.unavailableReason ?? "the heap walk could not start")
        }
        try await workload.tearDown()
        return ProfileRecord(
            workload: definition.name, firstDump: first, secondDump: second, iterationsBetween: between,
            retention: retention)
    }
}
