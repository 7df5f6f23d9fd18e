import CSoakGateProcess
import Foundation
import Synchronization

/// Runs a soak: one soaking process per workload (`executable _soak`, thread cache off), their
/// readings appended to `samples.jsonl` as they arrive, alerts raised, and a stop on request.
///
/// A process that dies stays dead: its readings so far count, a `crashed` event says why, and
/// the other workloads go on.
public final class SoakSupervisor: Sendable {
    /// The name of the hidden subcommand a soaking process answers to.
    public static let subcommand = "_soak"

    /// Called for every reading once it is on disk, with the alerts it raised.
    public typealias Observer = @Sendable (SoakSample, [SoakAlertMonitor.Alert]) -> Void

    public let directory: SoakDirectory
    public let manifest: SoakManifest
    let executable: String
    let environment: [String: String]
    let samplesLog: DurableLog
    let eventsLog: DurableLog
    private let state: Mutex<State>

    private struct State {
        var monitor: SoakAlertMonitor
        var processes: [Int32] = []
        var stopReason: String?
        var writeFailure: String?
        var lastElapsed = 0.0
    }

    /// What the soak did.
    public struct Outcome: Sendable {
        /// Why it ended early, if it did.
        public var stopReason: String?
        /// A reading that could not be written: the soak stopped there.
        public var writeFailure: String?
    }

    /// Prepares a soak in `directory`, whose `soak.json` is already written; `existing` are the
    /// readings already there (a resume).
    public init(
        directory: SoakDirectory, manifest: SoakManifest, executable: String, environment: [String: String],
        existing: [SoakSample]
    ) throws {
        self.directory = directory
        self.manifest = manifest
        self.executable = executable
        var environment = environment
        let inherited = environment["MALLOC_CONF"].map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        environment["MALLOC_CONF"] = inherited.isEmpty ? "tcache:false" : inherited + ",tcache:false"
        self.environment = environment
        samplesLog = try DurableLog(path: directory.samplesPath)
        eventsLog = try DurableLog(path: directory.eventsPath)
        var monitor = SoakAlertMonitor(policy: manifest.alerts)
        monitor.prime(with: existing)
        state = Mutex(State(monitor: monitor, lastElapsed: existing.map(\.elapsedSeconds).max() ?? 0))
    }

    /// The plan of each workload's next process: it continues from that workload's last reading.
    public static func plans(for manifest: SoakManifest, existing: [SoakSample]) -> [SoakProcessPlan] {
        let segment = (existing.map(\.segment).max() ?? -1) + 1
        return manifest.workloads.compactMap { name in
            let last = existing.filter { $0.workload == name }.max { $0.elapsedSeconds < $1.elapsedSeconds }
            let elapsed = last?.elapsedSeconds ?? 0
            let remaining = manifest.durationSeconds - elapsed
            guard remaining > manifest.intervalSeconds / 2 else { return nil }
            return SoakProcessPlan(
                workload: name, segment: segment, intervalSeconds: manifest.intervalSeconds,
                checkpointSeconds: manifest.checkpointSeconds, settleSeconds: manifest.settleSeconds,
                runSeconds: remaining, startElapsedSeconds: elapsed, startIterations: last?.iterations ?? 0,
                warmupIterations: manifest.warmupIterations)
        }
    }

    /// Runs `plans` to the end (or to a stop) and returns why it ended.
    public func run(_ plans: [SoakProcessPlan], observer: @escaping Observer) async -> Outcome {
        await withTaskGroup(of: Void.self) { group in
            for plan in plans {
                group.addTask { await self.runProcess(plan, observer: observer) }
            }
        }
        return state.withLock { Outcome(stopReason: $0.stopReason, writeFailure: $0.writeFailure) }
    }

    /// Ends the soak early: every soaking process takes a last reading and exits.
    public func stop(reason: String) {
        let processes = state.withLock { state -> [Int32] in
            if state.stopReason == nil { state.stopReason = reason }
            return state.processes
        }
        for pid in processes { kill(pid, SIGTERM) }
    }

    /// Appends an event to `events.jsonl`.
    public func record(_ event: SoakEvent) {
        do {
            var line = try JSONEncoder.sortedKeys.encode(event)
            line.append(0x0A)
            try eventsLog.append(line)
        } catch {
            state.withLock { if $0.writeFailure == nil { $0.writeFailure = "\(error)" } }
        }
    }

    private func runProcess(_ plan: SoakProcessPlan, observer: @escaping Observer) async {
        record(
            SoakEvent(
                kind: plan.segment == 0 ? .started : .resumed, workload: plan.workload, segment: plan.segment,
                elapsedSeconds: plan.startElapsedSeconds,
                message: plan.segment == 0
                    ? "started"
                    : "resumed at \(SoakDuration.clock(plan.startElapsedSeconds)) after \(plan.startIterations) iterations"
            ))
        let planJSON = (try? JSONEncoder.sortedKeys.encode(plan)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        let argv = [executable, Self.subcommand, "--plan", planJSON, "--parent", "\(getpid())"]
        let envp = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        var output: [Int32] = [-1, -1]
        var errors: [Int32] = [-1, -1]
        var piped = soakgate_pipe(&output)
        if piped == 0 {
            piped = soakgate_pipe(&errors)
            if piped != 0 {
                close(output[0])
                close(output[1])
            }
        }
        guard piped == 0 else {
            record(
                SoakEvent(
                    kind: .crashed, workload: plan.workload, segment: plan.segment,
                    elapsedSeconds: plan.startElapsedSeconds,
                    message: "cannot start '\(executable)': \(String(cString: strerror(piped)))"))
            return
        }
        let (outputRead, outputWrite, errorRead, errorWrite) = (output[0], output[1], errors[0], errors[1])

        let tail = Mutex<[String]>([])
        let lastElapsed = Mutex<Double>(plan.startElapsedSeconds)
        let watch = Watch()
        // Started from a thread that lives as long as the process: the process dies with that
        // thread (PR_SET_PDEATHSIG), so a soak killed with -9 takes its soaking processes along.
        let ended = await withCheckedContinuation {
            (continuation: CheckedContinuation<(status: Int32, spawnError: Int32), Never>) in
            Thread {
                var spawnedPid: pid_t = 0
                let result = withCStrings(argv) { argvPointer in
                    withCStrings(envp) { envpPointer in
                        soakgate_spawn(self.executable, argvPointer, envpPointer, outputWrite, errorWrite, &spawnedPid)
                    }
                }
                let pid = spawnedPid
                close(outputWrite)
                close(errorWrite)
                guard result == 0 else {
                    close(outputRead)
                    close(errorRead)
                    continuation.resume(returning: (0, result))
                    return
                }
                ScratchSpace.adopt(group: pid)
                let alreadyStopping = self.state.withLock { state -> Bool in
                    state.processes.append(pid)
                    return state.stopReason != nil
                }
                if alreadyStopping { kill(pid, SIGTERM) }
                self.startWatchdog(pid, plan: plan, watch: watch)
                let errorReader = Thread {
                    LineReader.readLines(FileHandle(fileDescriptor: errorRead, closeOnDealloc: true)) { line in
                        tail.withLock { lines in
                            lines.append(String(line))
                            if lines.count > 200 { lines.removeFirst() }
                        }
                    }
                }
                errorReader.start()
                LineReader.readLines(FileHandle(fileDescriptor: outputRead, closeOnDealloc: true)) { line in
                    guard let sample = SoakWireLine.parse(line, workload: plan.workload, segment: plan.segment) else {
                        return
                    }
                    watch.firstReadingAt.withLock { if $0 == nil { $0 = Date() } }
                    lastElapsed.withLock { $0 = sample.elapsedSeconds }
                    self.accept(sample, observer: observer)
                }
                var status: Int32 = 0
                _ = soakgate_wait(pid, &status)
                watch.ended.store(true, ordering: .releasing)
                self.state.withLock { $0.processes.removeAll { $0 == pid } }
                // Whatever the workload left running in the process's group goes with it.
                kill(-pid, SIGKILL)
                ScratchSpace.release(group: pid)
                continuation.resume(returning: (status, 0))
            }.start()
        }
        if ended.spawnError != 0 {
            record(
                SoakEvent(
                    kind: .crashed, workload: plan.workload, segment: plan.segment,
                    elapsedSeconds: plan.startElapsedSeconds,
                    message: "cannot start '\(executable)': \(String(cString: strerror(ended.spawnError)))"))
            return
        }
        let stopping = state.withLock { $0.stopReason != nil }
        let signal = soakgate_term_signal(ended.status)
        let exitStatus = soakgate_exit_status(ended.status)
        if signal != 0 || exitStatus != 0, !(stopping && signal == SIGTERM) {
            let said = IsolatedMeasurement.tellingLine(tail.withLock { $0 }).map { ": \($0)" } ?? ""
            let how =
                watch.killed.load(ordering: .relaxed)
                ? (watch.firstReadingAt.withLock { $0 } == nil
                    ? "did not finish its set-up and warm-up within the soak's \(SoakDuration.clock(plan.runSeconds)) plus \(Int(Self.graceSeconds)) s and was killed"
                    : "did not end within \(Int(Self.graceSeconds)) s of its deadline or stop and was killed")
                : signal != 0
                    ? "was killed by signal \(signal) (\(IsolatedMeasurement.signalName(signal)))"
                    : "exited with status \(exitStatus)"
            record(
                SoakEvent(
                    kind: .crashed, workload: plan.workload, segment: plan.segment,
                    elapsedSeconds: lastElapsed.withLock { $0 }, message: "the soaking process \(how)\(said)"))
        }
    }

    /// How long past its deadline, or past a stop, a soaking process may take to end (an
    /// iteration in progress, the last reading, tear-down) before it is killed.
    static let graceSeconds = 60.0

    /// Kills a process that outlives its plan or a stop by ``graceSeconds``, and says so in
    /// `watch`. The plan's time starts at the process's first reading, which comes after its
    /// set-up and warm-up (a thousand warm-up iterations of a slow workload can take minutes);
    /// until that reading, set-up and warm-up together may take the plan's time plus the grace.
    private func startWatchdog(_ pid: Int32, plan: SoakProcessPlan, watch: Watch) {
        let spawned = Date()
        Thread {
            var stoppedAt: Date?
            while !watch.ended.load(ordering: .acquiring) {
                if stoppedAt == nil && self.state.withLock({ $0.stopReason != nil }) { stoppedAt = Date() }
                let limit = Self.killTime(
                    plan: plan, spawned: spawned, firstReading: watch.firstReadingAt.withLock { $0 }, stopped: stoppedAt
                )
                if Date() >= limit {
                    watch.killed.store(true, ordering: .relaxed)
                    kill(-pid, SIGKILL)
                    return
                }
                Thread.sleep(forTimeInterval: 0.2)
            }
        }.start()
    }

    /// When the watchdog kills a soaking process spawned at `spawned`: ``graceSeconds`` past
    /// the plan's run and settle time counted from its first reading (from the spawn while
    /// there is none), or ``graceSeconds`` past a stop, whichever is first.
    static func killTime(plan: SoakProcessPlan, spawned: Date, firstReading: Date?, stopped: Date?) -> Date {
        let deadline = (firstReading ?? spawned).addingTimeInterval(plan.runSeconds + plan.settleSeconds + graceSeconds)
        return stopped.map { min(deadline, $0.addingTimeInterval(graceSeconds)) } ?? deadline
    }

    private func accept(_ sample: SoakSample, observer: Observer) {
        let alerts: [SoakAlertMonitor.Alert]
        do {
            try samplesLog.append(try sample.jsonLine())
            alerts = state.withLock { state in
                state.lastElapsed = max(state.lastElapsed, sample.elapsedSeconds)
                return state.monitor.observe(sample)
            }
        } catch {
            state.withLock { if $0.writeFailure == nil { $0.writeFailure = "\(error)" } }
            stop(reason: "a reading could not be written: \(error)")
            return
        }
        for alert in alerts {
            record(
                SoakEvent(
                    kind: .alert, workload: alert.workload, segment: sample.segment,
                    elapsedSeconds: sample.elapsedSeconds, message: alert.message))
        }
        observer(sample, alerts)
        if !alerts.isEmpty && manifest.alerts.stopOnAlert {
            stop(reason: "stopped on alert: \(alerts[0].message)")
        }
    }

    /// The recent growth rate of a workload, for progress lines.
    public func recentBytesPerHour(_ workload: String) -> Double? {
        state.withLock { $0.monitor.recentBytesPerHour(workload) }
    }

    /// The latest soak time read from any process.
    public var elapsedSeconds: Double { state.withLock { $0.lastElapsed } }
}

/// Set by a watchdog that had to kill its process.
/// What the watchdog of one soaking process sees and says: when its first reading arrived,
/// and whether it had to kill the process.
final class Watch: Sendable {
    let firstReadingAt = Mutex<Date?>(nil)
    let killed = Atomic<Bool>(false)
    /// Set once the process has been waited for: the watchdog stops, and never signals a reused pid.
    let ended = Atomic<Bool>(false)
}

extension JSONEncoder {
    /// Compact JSON with sorted keys, for lines of a log.
    static var sortedKeys: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
