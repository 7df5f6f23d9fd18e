import CSoakGateProcess
import Foundation
import SoakGateBasics

/// What a measuring process leaves in its result file.
public enum ChildResult: Sendable, Codable {
    case measured(MeasurementRecord)
    /// A profiling run's two heap profiles.
    case profiled(ProfileRecord)
    /// A benchmark's timed run.
    case timed(BenchTiming)
    /// A benchmark's counting run.
    case counted(BenchAllocations)
    /// The set-up is wrong (not jemalloc, thread cache on): no workload can be measured.
    case configurationError(String)
    /// The workload threw.
    case workloadError(String)
}

/// Measures workloads each in a process of its own, so that one workload's caches, crash or
/// leak cannot touch another's figures.
///
/// The measuring process is `executable` (a program built with ``SoakGateCLI`` or the
/// `soakgate` tool itself) started as `executable _measure --workload NAME --plan JSON --result
/// FILE` with `MALLOC_CONF` ending in `tcache:false`.
public struct IsolatedMeasurement: Sendable {
    /// The name of the hidden subcommand a measuring process answers to.
    public static let subcommand = "_measure"

    public var executable: String
    public var plan: MeasurementPlan
    public var timeoutSeconds: Double
    public var baseEnvironment: [String: String]

    public init(executable: String, plan: MeasurementPlan, timeoutSeconds: Double, baseEnvironment: [String: String]) {
        self.executable = executable
        self.plan = plan
        self.timeoutSeconds = timeoutSeconds
        self.baseEnvironment = baseEnvironment
    }

    /// Called first thing in a measuring process: it is killed when `parent` (the `check` that
    /// started it) dies, even by `kill -9`. False when `parent` is already gone.
    public static func dieWithParent(_ parent: Int32) -> Bool {
        soakgate_die_with_parent(parent) != 0
    }

    /// The `MALLOC_CONF` the children run with: the caller's options, then `tcache:false`
    /// (later options win in jemalloc).
    public var mallocConf: String {
        let inherited = baseEnvironment["MALLOC_CONF"].map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return inherited.isEmpty ? "tcache:false" : inherited + ",tcache:false"
    }

    /// A configuration error reported by a measuring process; `soakgate check` stops with exit 2.
    public struct ConfigurationError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Measures one workload in a fresh process and analyses it. Throws only for a
    /// configuration error; a crash, a timeout or a thrown workload error is a `crashed` result.
    public func measure(
        _ workload: WorkloadDefinition, onProgress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> WorkloadResult {
        let (exit, result) = try await runMeasuringProcess(workload, mallocConf: mallocConf, onProgress: onProgress)
        if let result {
            switch result {
            case .measured(let record):
                return WorkloadAnalysis.analyze(record, summary: workload.summary, plan: plan)
            case .profiled, .timed, .counted:
                throw ConfigurationError(description: "the measuring process did other work than it was asked to")
            case .configurationError(let message):
                throw ConfigurationError(description: message)
            case .workloadError(let message):
                return .crashed(
                    name: workload.name, summary: workload.summary,
                    failure: Failure(
                        reason: "the workload threw: \(message)", exitStatus: exit.status, signal: nil, timedOut: false,
                        outputTail: exit.outputTail, seconds: exit.seconds))
            }
        }
        return .crashed(
            name: workload.name, summary: workload.summary,
            failure: Failure(
                reason: Self.describe(exit, timeoutSeconds: timeoutSeconds), exitStatus: exit.status,
                signal: exit.signal,
                timedOut: exit.timedOut, outputTail: exit.outputTail, seconds: exit.seconds))
    }

    /// Starts `executable _measure --workload NAME --plan … --result FILE --parent PID`, then
    /// `arguments`, with `mallocConf`, and returns how it exited and the result it wrote (nil if
    /// it timed out, failed or wrote none that reads). Throws only when it cannot start.
    func runMeasuringProcess(
        _ workload: WorkloadDefinition, arguments: [String] = [], mallocConf: String?,
        onProgress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> (exit: ChildExit, result: ChildResult?) {
        let directory = URL(fileURLWithPath: try ScratchSpace.makeDirectory("measure"))
        defer { ScratchSpace.removeDirectory(directory.path) }
        let resultFile = directory.appendingPathComponent("result.json")
        let planJSON = String(decoding: try JSONEncoder().encode(plan), as: UTF8.self)
        var environment = baseEnvironment
        environment["MALLOC_CONF"] = mallocConf
        let exit: ChildExit
        do {
            exit = try await ChildProcess.run(
                executable: executable,
                arguments: [
                    Self.subcommand, "--workload", workload.name, "--plan", planJSON, "--result", resultFile.path,
                    "--parent", "\(getpid())",
                ] + arguments,
                environment: environment, timeoutSeconds: timeoutSeconds, onProgress: onProgress)
        } catch {
            throw ConfigurationError(description: "cannot start the measuring process '\(executable)': \(error)")
        }
        guard !exit.timedOut, exit.status == 0, let data = try? Data(contentsOf: resultFile) else {
            return (exit, nil)
        }
        return (exit, try? JSONDecoder().decode(ChildResult.self, from: data))
    }

    /// The `MALLOC_CONF` of a profiling run: every allocation sampled.
    public var profilingMallocConf: String { "prof:true,prof_active:true,lg_prof_sample:0," + mallocConf }

    /// Names the allocation sites that grow: a separate process with heap profiling on runs the
    /// workload, dumps a profile after the ladder's iterations and another after twice as many
    /// more, and the stacks that grew between them are symbolised. Never the measuring run:
    /// profiling allocates.
    public func attributeAllocationSites(_ workload: WorkloadDefinition) async -> AllocationAttribution {
        let directory: URL
        do {
            directory = URL(fileURLWithPath: try ScratchSpace.makeDirectory("profile"))
        } catch {
            return AllocationAttribution(
                sites: [], note: "cannot create a directory for heap profiles: \(error.localizedDescription)")
        }
        defer { ScratchSpace.removeDirectory(directory.path) }
        let resultFile = directory.appendingPathComponent("result.json")
        var environment = baseEnvironment
        environment["MALLOC_CONF"] = profilingMallocConf
        // The child records every live block from its first moments (CSoakGateHeapWalk).
        environment["SOAKGATE_HEAP_WALK"] = "1"
        do {
            let planJSON = String(decoding: try JSONEncoder().encode(plan), as: UTF8.self)
            let exit = try await ChildProcess.run(
                executable: executable,
                arguments: [
                    Self.subcommand, "--workload", workload.name, "--plan", planJSON, "--result", resultFile.path,
                    "--profile-directory", directory.path, "--parent", "\(getpid())",
                ],
                environment: environment, timeoutSeconds: timeoutSeconds, onProgress: { _, _ in })
            guard exit.status == 0, let data = try? Data(contentsOf: resultFile),
                case .profiled(let record) = try JSONDecoder().decode(ChildResult.self, from: data)
            else {
                return AllocationAttribution(
                    sites: [], note: "the profiling run failed: \(Self.describe(exit, timeoutSeconds: timeoutSeconds))")
            }
            let first = try HeapProfile.parse(try String(contentsOfFile: record.firstDump, encoding: .utf8))
            let second = try HeapProfile.parse(try String(contentsOfFile: record.secondDump, encoding: .utf8))
            var attribution = AllocationSiteFinder.find(
                first: first, second: second, iterations: record.iterationsBetween)
            attribution.retention = record.retention
            return attribution
        } catch {
            return AllocationAttribution(sites: [], note: "the heap profiles could not be read: \(error)")
        }
    }

    static func describe(_ exit: ChildExit, timeoutSeconds: Double) -> String {
        // Swift's crash handler prints a backtrace after the message; the message is the line
        // that says what went wrong.
        let said = tellingLine(exit.outputTail).map { ": \($0)" } ?? ""
        if exit.timedOut {
            return "timed out after \(String(format: "%g", timeoutSeconds)) s and was killed"
        }
        if let signal = exit.signal {
            return "killed by signal \(signal) (\(signalName(signal)))\(said)"
        }
        return "exited with status \(exit.status ?? -1) without a result\(said)"
    }

    /// The line of a dead process's output that says what went wrong: Swift's fatal-error
    /// message rather than the backtrace after it; else the last line.
    static func tellingLine(_ output: [String]) -> String? {
        let lines = output.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return lines.first { $0.contains("Fatal error") || $0.contains("fatal error") }
            ?? lines.first { $0.contains("Program crashed") } ?? lines.last
    }

    static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGSEGV: return "SIGSEGV"
        case SIGABRT: return "SIGABRT"
        case SIGILL: return "SIGILL"
        case SIGTRAP: return "SIGTRAP"
        case SIGBUS: return "SIGBUS"
        case SIGFPE: return "SIGFPE"
        case SIGKILL: return "SIGKILL"
        case SIGTERM: return "SIGTERM"
        default: return "signal \(signal)"
        }
    }
}
