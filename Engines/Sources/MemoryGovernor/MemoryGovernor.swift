import Foundation
import Logging
import Metrics
import SoakGateBasics
import Synchronization

/// A change of pressure level, for logs, metrics and the caller's own callback.
public struct MemoryAlert: Sendable, Equatable {
    public var level: PressureLevel
    public var previous: PressureLevel
    public var usageBytes: Int
    public var budgetBytes: Int
    /// One line for people.
    public var message: String
}

/// Why a job was not admitted.
public struct AdmissionError: Error, CustomStringConvertible, Equatable {
    public var job: String
    public var level: PressureLevel
    public var usageBytes: Int
    public var budgetBytes: Int

    public var description: String {
        let percent = String(format: "%.1f", 100 * Double(usageBytes) / Double(max(budgetBytes, 1)))
        return
            "job '\(job)' refused: memory is at \(percent) % of the \(ByteCount.format(budgetBytes)) budget (\(ByteCount.format(usageBytes)) in use, level \(level)); wait for running jobs to finish or raise the budget"
    }
}

/// Keeps the engines inside a memory budget: reads usage, says the pressure level, refuses new
/// jobs near the cap, sizes batches (AIMD), and in an emergency stops running jobs at their next
/// safe point, drops registered caches and purges the allocator, then reports what it did.
///
/// Thread-safe: any number of jobs on any threads share one governor.
public final class MemoryGovernor: Sendable {
    public let budget: MemoryBudget
    public let thresholds: PressureThresholds
    private let usage: any UsageSource
    private let purge: @Sendable () -> Void
    private let onAlert: (@Sendable (MemoryAlert) -> Void)?
    private let clock: @Sendable () -> Double
    private let state: Mutex<State>
    private let logger: Logger
    private let usageGauge: Gauge
    private let levelGauge: Gauge
    private let refusedCounter: Counter
    private let metrics: any MetricsFactory

    struct JobState {
        var name: String
        var batch: AdaptiveBatchSize
        var ownBytes = 0
        var peakOwnBytes = 0
        var peakUsage = 0
        var usageTotal = 0.0
        var samples = 0
        var lastLiveBytes: Int?
        var grownBytes = 0
        var batches = 0
        var secondsAtLevel = [Double](repeating: 0, count: PressureLevel.allCases.count)
        var stopRequested = false
        var finished = false
        var smallestBatch: Int
        var lightReads = 0

        init(name: String, batch: AdaptiveBatchSize) {
            self.name = name
            self.batch = batch
            smallestBatch = batch.current
        }
    }

    /// Finished jobs kept for the report, and actions kept: bounded, so a long-running process
    /// that admits millions of jobs holds a fixed amount.
    static let finishedJobsKept = 64
    static let actionsKept = 256

    struct State {
        var startBytes = 0
        /// Caches were dropped at throttle since pressure was last normal: a purge that brings
        /// usage just under the throttle line must not drop and purge again at every crossing.
        var droppedSinceNormal = false
        var finishedJobs: [JobState] = []
        var actionsDropped = 0
        var level = PressureLevel.normal
        var lastCheck: Double
        var peakUsage = 0
        var secondsAtLevel = [Double](repeating: 0, count: PressureLevel.allCases.count)
        var actions: [String] = []
        var jobs: [Int: JobState] = [:]
        var nextJob = 0
        var caches: [(id: Int, name: String, drop: @Sendable () -> Int)] = []
        var nextCache = 0

        mutating func record(_ action: String) {
            actions.append(action)
            if actions.count > MemoryGovernor.actionsKept {
                actions.removeFirst(actions.count - MemoryGovernor.actionsKept)
                actionsDropped += 1
            }
        }
    }

    /// - Parameters:
    ///   - usage: where usage is read (``ProcessUsageSource`` for the real process).
    ///   - purge: returns the allocator's unused pages to the system in an emergency.
    ///   - onAlert: called on every level change, outside the governor's lock.
    ///   - clock: seconds on a monotonic clock (injectable for tests).
    ///   - logger: level changes, refusals and emergency actions, once per change.
    ///   - metrics: gauges `memory_governor_usage_bytes`, `memory_governor_budget_bytes`,
    ///     `memory_governor_level` (0 normal … 4 emergency) and counters
    ///     `memory_governor_alerts_total{level}`, `memory_governor_refused_jobs_total`.
    public init(
        budget: MemoryBudget, thresholds: PressureThresholds, usage: any UsageSource,
        purge: @escaping @Sendable () -> Void = {}, onAlert: (@Sendable (MemoryAlert) -> Void)? = nil,
        clock: @escaping @Sendable () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 },
        logger: Logger = Logger(label: "soakgate.memory-governor"),
        metrics: any MetricsFactory = MetricsSystem.factory
    ) {
        self.budget = budget
        self.thresholds = thresholds
        self.usage = usage
        self.purge = purge
        self.onAlert = onAlert
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
        usageGauge = Gauge(label: "memory_governor_usage_bytes", factory: metrics)
        levelGauge = Gauge(label: "memory_governor_level", factory: metrics)
        refusedCounter = Counter(label: "memory_governor_refused_jobs_total", factory: metrics)
        Gauge(label: "memory_governor_budget_bytes", factory: metrics).record(budget.bytes)
        var initial = State(lastCheck: clock())
        initial.startBytes = usage.currentUsage().governingBytes
        initial.peakUsage = initial.startBytes
        state = Mutex(initial)
    }

    /// A governor for this process, sized from configuration, the cgroup limit or the machine.
    ///
    /// Throws ``MemoryBudget/BudgetError/belowStartingUsage(_:_:_:)`` when the process already
    /// uses the refusal share of the budget: no job could ever be admitted, so the caller is told
    /// the smallest budget that leaves room to work instead of failing later.
    ///
    /// A command-line tool that keeps standard error to its own lines passes a logger with
    /// `SwiftLogNoOpLogHandler`: the report's `actions` hold every change and action anyway.
    public static func forThisProcess(
        budgetBytes: Int? = nil, thresholds: PressureThresholds? = nil,
        onAlert: (@Sendable (MemoryAlert) -> Void)? = nil,
        metrics: any MetricsFactory = MetricsSystem.factory, logger: Logger = Logger(label: "soakgate.memory-governor")
    ) throws -> MemoryGovernor {
        let source = try ProcessUsageSource()
        let governor = MemoryGovernor(
            budget: try MemoryBudget.resolve(configured: budgetBytes),
            thresholds: try thresholds ?? PressureThresholds(),
            usage: source, purge: { source.purge() }, onAlert: onAlert, logger: logger, metrics: metrics)
        let start = governor.startBytes
        if Double(start) >= governor.thresholds.refuse * Double(governor.budget.bytes) {
            // Room for the process as it is, below the warning level, plus 16 MiB of work.
            let needed = Int((Double(start) / governor.thresholds.warn).rounded(.up)) + (16 << 20)
            throw MemoryBudget.BudgetError.belowStartingUsage(
                governor.budget.bytes, start, (needed + (1 << 20) - 1) >> 20)
        }
        return governor
    }

    /// What the process used when the governor was made.
    public var startBytes: Int { state.withLock { $0.startBytes } }

    /// The level at the last check.
    public var level: PressureLevel { state.withLock { $0.level } }

    /// Registers a cache the governor drops when pressure reaches `throttle` (and again at
    /// `emergency`); `drop` empties it and returns about how many bytes it freed.
    @discardableResult
    public func registerCache(_ name: String, drop: @escaping @Sendable () -> Int) -> CacheRegistration {
        state.withLock { state in
            let id = state.nextCache
            state.nextCache += 1
            state.caches.append((id, name, drop))
            return CacheRegistration(id: id)
        }
    }

    /// Forgets a cache registered for one run, so a governor that outlives many runs holds
    /// nothing for those that ended (and never calls into a cache that is gone).
    public func unregisterCache(_ registration: CacheRegistration) {
        state.withLock { $0.caches.removeAll { $0.id == registration.id } }
    }

    /// Reads usage, updates the level and every running job's accounting, and acts on a change.
    @discardableResult
    public func check() -> PressureLevel {
        let reading = usage.currentUsage()
        let now = clock()
        let bytes = reading.governingBytes
        let level = thresholds.level(for: Double(bytes) / Double(budget.bytes))
        var alert: MemoryAlert?
        var cachesToDrop: [(id: Int, name: String, drop: @Sendable () -> Int)] = []
        var newlyStopped = 0
        var dropNow = false
        state.withLock { state in
            let elapsed = max(now - state.lastCheck, 0)
            state.secondsAtLevel[state.level.rawValue] += elapsed
            state.lastCheck = now
            state.peakUsage = max(state.peakUsage, bytes)
            let levelIndex = state.level.rawValue
            for key in state.jobs.keys {
                guard var job = state.jobs[key], !job.finished else { continue }
                job.secondsAtLevel[levelIndex] += elapsed
                job.peakUsage = max(job.peakUsage, bytes)
                job.usageTotal += Double(bytes)
                job.samples += 1
                state.jobs[key] = job
            }
            if level != state.level {
                alert = MemoryAlert(
                    level: level, previous: state.level, usageBytes: bytes, budgetBytes: budget.bytes,
                    message:
                        "memory \(level > state.level ? "rose" : "fell") to \(level) (\(ByteCount.format(bytes)) of \(ByteCount.format(budget.bytes)), \(String(format: "%.1f", 100 * Double(bytes) / Double(budget.bytes))) %)"
                )
                state.record("\(level): \(alert!.message)")
                // Caches go when pressure first reaches throttle (once until it is normal
                // again), and again at emergency.
                if level == .normal { state.droppedSinceNormal = false }
                if (level >= .throttle && state.level < .throttle && !state.droppedSinceNormal) || level == .emergency {
                    cachesToDrop = state.caches
                    state.droppedSinceNormal = true
                    dropNow = true
                }
                state.level = level
            }
            // At emergency every running job is asked to stop, also one admitted while memory
            // was already there; the request stays when pressure falls.
            if level == .emergency {
                var stopped: [String] = []
                for key in state.jobs.keys.sorted() where !state.jobs[key]!.finished && !state.jobs[key]!.stopRequested
                {
                    state.jobs[key]!.stopRequested = true
                    stopped.append(state.jobs[key]!.name)
                }
                newlyStopped = stopped.count
                if !stopped.isEmpty || alert != nil {
                    state.record(
                        "emergency: asked \(stopped.isEmpty ? "no running job" : stopped.joined(separator: ", ")) to stop at the next safe point"
                    )
                }
            }
        }
        if let alert, dropNow {
            var freed: [String] = []
            for cache in cachesToDrop { freed.append("\(cache.name) (\(ByteCount.format(cache.drop())))") }
            purge()
            let action =
                "\(alert.level): dropped caches \(freed.isEmpty ? "(none registered)" : freed.joined(separator: ", ")); purged the allocator's arenas"
            state.withLock { $0.record(action) }
            if alert.level == .emergency { logger.critical("\(action)") } else { logger.warning("\(action)") }
            Counter(label: "memory_governor_cache_drops_total", factory: metrics).increment()
        }
        if newlyStopped > 0 {
            Counter(label: "memory_governor_stop_requests_total", factory: metrics).increment(by: newlyStopped)
        }
        usageGauge.record(bytes)
        levelGauge.record(level.rawValue)
        if let alert {
            Counter(
                label: "memory_governor_alerts_total", dimensions: [("level", alert.level.description)],
                factory: metrics
            ).increment()
            switch alert.level {
            case .emergency: logger.critical("\(alert.message)")
            case _ where alert.level > alert.previous: logger.warning("\(alert.message)")
            default: logger.info("\(alert.message)")
            }
            onAlert?(alert)
        }
        return level
    }

    /// Admits a job unless memory is at the refusal level or above; the handle sizes its
    /// batches and says when to stop.
    public func admit(job name: String, batch: AdaptiveBatchSize) throws -> JobHandle {
        let level = check()
        if level >= .refuse {
            let usageNow = usage.currentUsage().governingBytes
            state.withLock { $0.record("\(level): refused job '\(name)'") }
            refusedCounter.increment()
            let error = AdmissionError(job: name, level: level, usageBytes: usageNow, budgetBytes: budget.bytes)
            logger.warning("\(error.description)")
            throw error
        }
        let live = usage.currentUsage().liveBytes
        let id = state.withLock { state -> Int in
            let id = state.nextJob
            state.nextJob += 1
            var job = JobState(name: name, batch: batch)
            job.lastLiveBytes = live
            state.jobs[id] = job
            return id
        }
        return JobHandle(governor: self, id: id, name: name)
    }

    // MARK: - Job operations (through JobHandle)

    func nextBatchSize(job id: Int) -> Int {
        let level = check()
        let live = usage.currentUsage().liveBytes
        return state.withLock { state in
            guard var job = state.jobs[id] else { return 1 }
            if let last = job.lastLiveBytes, live > last { job.grownBytes += live - last }
            job.lastLiveBytes = live
            job.batches += 1
            let size = job.batch.next(at: level)
            job.smallestBatch = min(job.smallestBatch, size)
            state.jobs[id] = job
            return size
        }
    }

    func record(job id: Int, ownBytes: Int) {
        state.withLock { state in
            guard var job = state.jobs[id] else { return }
            job.ownBytes = ownBytes
            job.peakOwnBytes = max(job.peakOwnBytes, ownBytes)
            state.jobs[id] = job
        }
    }

    func shouldStop(job id: Int) -> Bool { state.withLock { $0.jobs[id]?.stopRequested ?? true } }

    func lightMode(job id: Int) -> Bool {
        state.withLock { state in
            guard state.level >= .throttle else { return false }
            state.jobs[id]?.lightReads += 1
            return true
        }
    }

    func finish(job id: Int) {
        check()
        state.withLock { state in
            guard var job = state.jobs.removeValue(forKey: id) else { return }
            job.finished = true
            state.finishedJobs.append(job)
            if state.finishedJobs.count > Self.finishedJobsKept { state.finishedJobs.removeFirst() }
        }
    }

    /// What the governor saw and did, per job and overall.
    public func report() -> GovernorReport {
        check()
        return state.withLock { state in
            GovernorReport(
                budgetBytes: budget.bytes, budgetSource: budget.source, thresholds: thresholds, level: state.level,
                startBytes: state.startBytes, peakBytes: state.peakUsage,
                secondsAtLevel: PressureLevel.allCases.map {
                    LevelTime(level: $0, seconds: state.secondsAtLevel[$0.rawValue])
                },
                actions: state.actions, actionsDropped: state.actionsDropped,
                jobs: (state.finishedJobs + state.jobs.keys.sorted().map { state.jobs[$0]! }).map { job in
                    GovernorReport.Job(
                        name: job.name, finished: job.finished, stopRequested: job.stopRequested, batches: job.batches,
                        firstBatchSize: job.batch.initial, smallestBatchSize: job.smallestBatch,
                        lastBatchSize: job.batch.current,
                        lightModeReads: job.lightReads, peakOwnBytes: job.peakOwnBytes, grownBytes: job.grownBytes,
                        peakBytes: job.peakUsage,
                        averageBytes: job.samples > 0 ? job.usageTotal / Double(job.samples) : 0,
                        secondsAtLevel: PressureLevel.allCases.map {
                            LevelTime(level: $0, seconds: job.secondsAtLevel[$0.rawValue])
                        })
                })
        }
    }
}

/// One admitted job: asks for its next batch size, reports its own buffers, checks whether to
/// stop, and finishes.
public final class JobHandle: Sendable {
    private let governor: MemoryGovernor
    private let id: Int
    public let name: String

    init(governor: MemoryGovernor, id: Int, name: String) {
        self.governor = governor
        self.id = id
        self.name = name
    }

    /// Checks memory and returns how many items the next batch should hold.
    public func nextBatchSize() -> Int { governor.nextBatchSize(job: id) }

    /// True at `throttle` and above: do the light version of the work (smaller buffers, no
    /// optional extras, caches off) until pressure falls. Reads the last check's level; each
    /// true answer is counted in the report (`lightModeReads`).
    public var lightMode: Bool { governor.lightMode(job: id) }

    /// The bytes the job's own buffers hold now.
    public func recordOwnBytes(_ bytes: Int) { governor.record(job: id, ownBytes: bytes) }

    /// True once the governor asked running jobs to stop: finish the current item, keep what is
    /// done, and return.
    public var shouldStop: Bool { governor.shouldStop(job: id) }

    /// Ends the job's accounting.
    public func finish() { governor.finish(job: id) }
}

/// A cache's place in the governor's list, to take it out again (``MemoryGovernor/unregisterCache(_:)``).
public struct CacheRegistration: Sendable, Hashable {
    let id: Int
}

/// Seconds spent at one level.
public struct LevelTime: Sendable, Equatable, Codable {
    public var level: PressureLevel
    public var seconds: Double
}

/// The governor's usage report: per job and overall, peak and average, time per level, actions.
public struct GovernorReport: Sendable, Equatable, Codable {
    public struct Job: Sendable, Equatable, Codable {
        public var name: String
        public var finished: Bool
        public var stopRequested: Bool
        public var batches: Int
        /// The size the job asked to start with, the smallest the governor gave, the last.
        public var firstBatchSize: Int
        public var smallestBatchSize: Int
        public var lastBatchSize: Int
        /// How many times the job asked whether to go light and was told yes.
        public var lightModeReads: Int
        /// The most the job reported for its own buffers.
        public var peakOwnBytes: Int
        /// Live bytes gained across its batches (sum of the rises between consecutive batches).
        public var grownBytes: Int
        /// Process usage while the job ran: peak and average of the readings.
        public var peakBytes: Int
        public var averageBytes: Double
        public var secondsAtLevel: [LevelTime]
    }

    public var budgetBytes: Int
    public var budgetSource: MemoryBudget.Source
    public var thresholds: PressureThresholds
    public var level: PressureLevel
    /// Usage when the governor was made (the process before any job), and the most seen since.
    public var startBytes: Int
    public var peakBytes: Int
    public var secondsAtLevel: [LevelTime]
    /// The most recent actions (at most 256) and how many older ones were dropped.
    public var actions: [String]
    public var actionsDropped: Int
    /// The last 64 finished jobs, then the running ones.
    public var jobs: [Job]

    /// Pretty, key-sorted JSON of the report.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Writes the JSON to `path` through the project's atomic writer (`--governor-report`).
    public func write(to path: String) throws {
        try AtomicFile.write(Array(try jsonData()) + [0x0A], to: path)
    }

    /// The report of `--governor-report FILE`, read back.
    public static func read(from path: String) throws -> GovernorReport {
        try JSONDecoder().decode(GovernorReport.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
