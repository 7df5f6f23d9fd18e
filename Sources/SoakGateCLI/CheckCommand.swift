import ArgumentParser
import Foundation
import SoakGate
import SoakGateBasics

struct CheckCommand: RunnableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Measures workloads, each in its own process, and says whether they leak.",
        discussion: """
            Writes OUT/leak-report.json, .html (charts), .junit.xml and .md (each replaced only when the new \
            one is complete) and prints a table.
            Examples:
              soakgate check                                  every workload that runs by default
              soakgate check --workload 'planted.*'           the planted cases; exits 1 (they include leaks)
              soakgate check --workload planted.clean.task-group --iterations 1,10,100,1000,10000
              soakgate check --bench --gate --baseline main/leak-report.json   leaks and benchmarks, gated
            Each workload gets --budget (60 s): growth that goes on is followed, windows doubling, until it \
            stops (no leak) or the budget ends; then the sequential rule decides, or says inconclusive. \
            Exit codes: 0 no leak, 1 leak, 2 usage or configuration error, 3 a workload crashed or timed out, \
            4 a workload was inconclusive (3 wins over 1, 1 over 4). With --gate, the gate's: 0 within the \
            policy, 1 rejected (an inconclusive workload too, unless the policy accepts it), 3 a crash.
            """
    )

    @Option(
        name: .customLong("workload"), parsing: .upToNextOption,
        help: ArgumentHelp(
            "Workload names or patterns, '*' matching any run of characters.",
            discussion: "Without it, every workload except those 'soakgate list' marks as only when named.",
            valueName: "name"))
    var workloads: [String] = []

    @Option(
        help: ArgumentHelp(
            "The iteration ladder: strictly increasing counts. Default \(IterationLadderArgument.standard).",
            valueName: "n,n,..."),
        transform: IterationLadderArgument.init(parsing:))
    var iterations = IterationLadderArgument.standard

    @Option(
        help: ArgumentHelp(
            "Directory for the reports (leak-report.json, .html, .junit.xml, .md); created if missing.",
            valueName: "dir"))
    var out = "reports"

    @Option(
        help: ArgumentHelp(
            "Time each workload's measurement may take to decide (90s, 5m, ...; a bare number is seconds).",
            discussion:
                "Growth that goes on is followed for this long before it is judged; a bounded cache that fills slowly needs the time to reach its bound. Default 60 s, or three quarters of --timeout if that is shorter.",
            valueName: "duration"))
    var budget: DurationArgument?

    @Option(
        help: ArgumentHelp(
            "Seconds a workload's process may run before it is killed and counted as crashed (default: 600, or twice the budget plus a minute if that is longer).",
            valueName: "seconds"))
    var timeout: Double?

    @Option(help: ArgumentHelp("Iterations run before the baseline is read.", valueName: "n"))
    var warmup = 0

    @Option(help: .hidden)
    var windows: String?

    @Option(
        help: ArgumentHelp("Bytes per iteration a workload may keep growing by and still pass.", valueName: "bytes"))
    var tolerate: Double = 0

    @Option(help: ArgumentHelp("Workloads measured at once, each in its own process.", valueName: "n"))
    var jobs = 1

    @Flag(
        help:
            "Skip the profiled run that names the allocation sites of a leak, the types that grow and who holds them."
    )
    var noSites = false

    @Flag(
        help:
            "Also time each workload and count its allocations exactly (see 'soakgate help bench'); the figures go into the same reports."
    )
    var bench = false

    @OptionGroup var benchOptions: BenchOptions

    @Flag(help: "Apply the gate (--policy, --baseline) to the new report; the exit code is the gate's.")
    var gate = false

    @OptionGroup var gateOptions: GateOptions

    @OptionGroup var shardOptions: ShardOptions

    func validate() throws {
        do {
            // Every number through one checked range before any arithmetic or conversion sees it.
            if let timeout {
                try CheckedNumber.checked(
                    timeout, in: 0.1...Self.maximumTimeoutSeconds, source: "--timeout", unit: "seconds")
            }
            if let budget {
                try CheckedNumber.checked(
                    budget.seconds, in: 0.1...Self.maximumBudgetSeconds, source: "--budget", unit: "seconds")
            }
            try CheckedNumber.checked(warmup, in: 0...1_000_000_000, source: "--warmup", unit: "iterations")
            try CheckedNumber.checked(
                tolerate, in: 0...1_125_899_906_842_624, source: "--tolerate", unit: "bytes per iteration")
            try CheckedNumber.checked(jobs, in: 1...64, source: "--jobs")
        } catch {
            throw ValidationError(String(describing: error))
        }
        if windows != nil {
            throw ValidationError(
                "--windows is gone: windows now go on while growth does and the budget allows; give the time instead, e.g. --budget 2m"
            )
        }
        if let timeout, let budget, timeout <= budget.seconds {
            throw ValidationError(
                "--timeout \(String(format: "%g", timeout)) is not longer than --budget \(String(format: "%g", budget.seconds)) s; a measurement runs for up to its budget, so give e.g. --timeout \(Int(2 * budget.seconds + 60))"
            )
        }
        if !gate && (gateOptions.policy != nil || gateOptions.baseline != nil) {
            throw ValidationError(
                "--policy and --baseline go with --gate; add --gate, or run 'soakgate gate REPORT --policy FILE'")
        }
        if !bench && benchOptions.budget != nil {
            throw ValidationError("--bench-budget goes with --bench; add --bench")
        }
    }

    /// A week: longer than any measurement, short enough for the clock's nanoseconds.
    static let maximumTimeoutSeconds = 604_800.0
    /// A day: the longest budget, so that twice it plus a minute stays under the timeout's limit.
    static let maximumBudgetSeconds = 86_400.0

    /// Each workload's budget: the one given, else 60 s, or three quarters of a shorter --timeout.
    var budgetSeconds: Double {
        if let budget { return budget.seconds }
        return min(MeasurementPlan.defaultBudgetSeconds, 0.75 * (timeout ?? .infinity))
    }

    /// The process's time limit: the one given, else 600 s or twice the budget plus a minute.
    var timeoutSeconds: Double { timeout ?? max(600, 2 * budgetSeconds + 60) }

    func execute(_ context: CommandContext) async throws -> Int32 {
        // What a check killed with -9 (or crashed) left in the temporary directory.
        ScratchSpace.sweepStale()
        let signals = Self.cleanUpOnSignals()
        defer { for signal in signals { signal.cancel() } }
        let plan = try MeasurementPlan(
            ladder: iterations.counts, warmupIterations: warmup, budgetSeconds: budgetSeconds,
            policy: GrowthPolicy(toleratedBytesPerIteration: tolerate))
        let (selected, stamp) = try shardOptions.apply(try context.selectWorkloads(workloads))
        // Read the gate's files before measuring or creating --out, so a bad policy costs nothing.
        let gateInputs = gate ? try gateOptions.load() : nil
        do {
            try OutputDirectory.ensureWritable(out)
        } catch {
            throw CommandError(
                exitCode: 2,
                description:
                    "cannot write to --out '\(out)': \(error.reason); choose a directory you can write, e.g. --out reports"
            )
        }

        if let stamp { Terminal.status(ShardOptions.banner(stamp)) }
        let startedAt = ISO8601DateFormatter().string(from: Date())
        let runner = IsolatedMeasurement(
            executable: context.executablePath, plan: plan, timeoutSeconds: timeoutSeconds,
            baseEnvironment: ProcessInfo.processInfo.environment)
        let progress = CheckProgress(total: selected.count, plan: plan)
        var results = try await measureAll(selected, runner: runner, progress: progress)
        if !noSites {
            for index in results.indices where results[index].verdict == .leak {
                guard let workload = selected.first(where: { $0.name == results[index].name }) else { continue }
                progress.attributing(workload.name)
                results[index].allocationSites = await runner.attributeAllocationSites(workload)
            }
        }

        for index in results.indices {
            results[index].unit = selected.first { $0.name == results[index].name }?.unit
        }
        if bench {
            let benchRunner = IsolatedMeasurement(
                executable: runner.executable, plan: plan,
                timeoutSeconds: BenchOptions.timeoutSeconds(benchOptions.plan), baseEnvironment: runner.baseEnvironment)
            // A leaking or crashed workload is not timed: its heap would grow through the whole
            // timed run (a quadratic leak for minutes), and its figures would gate nothing.
            let timed = selected.filter { workload in
                guard let result = results.first(where: { $0.name == workload.name }) else { return false }
                if result.verdict == .leak || result.verdict == .crashed {
                    Terminal.status(
                        "bench: \(workload.name) is not timed: it \(result.verdict == .leak ? "leaks" : "crashed")\n")
                    return false
                }
                return true
            }
            let figures = try await BenchOptions.run(timed, runner: benchRunner, plan: benchOptions.plan)
            for figure in figures {
                guard let index = results.firstIndex(where: { $0.name == figure.name }) else { continue }
                results[index].bench = figure
            }
        }

        let info = ProcessInfo.processInfo
        var report = LeakReport(
            tool: .init(name: "soakgate", version: SoakGateVersion.current), startedAt: startedAt,
            host: .init(
                operatingSystem: info.operatingSystemVersionString, processorCount: info.processorCount,
                physicalMemoryBytes: Int(info.physicalMemory)),
            mallocConf: runner.mallocConf, plan: plan, workloads: results)
        report.bench = bench ? benchOptions.plan : nil
        report.shard = stamp
        let decisions = gateInputs.map { policy, baseline in
            GateOptions.evaluate(report, policy: policy, baseline: baseline)
        }
        let written = try ReportFiles.write(report, to: out, gate: decisions)
        print(SummaryTable.render(report))
        print("reports: \(written.joined(separator: ", "))")
        if let decisions { return GateOptions.report(decisions) }
        return report.exitCode
    }

    /// SIGINT and SIGTERM kill every measuring process group and remove the scratch directories
    /// before `check` ends (with 130 or 143, as a shell reports a signal).
    static func cleanUpOnSignals() -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                ScratchSpace.abandon()
                Terminal.error("interrupted; the measuring processes were killed and no report was written")
                Glibc.exit(128 + number)
            }
            source.resume()
            return source
        }
    }

    /// Runs up to `jobs` measuring processes at once; results keep the selection's order.
    private func measureAll(
        _ selected: [WorkloadDefinition], runner: IsolatedMeasurement, progress: CheckProgress
    ) async throws -> [WorkloadResult] {
        try await withThrowingTaskGroup(of: (Int, WorkloadResult).self) { group in
            var results = [WorkloadResult?](repeating: nil, count: selected.count)
            var next = 0
            func start(_ index: Int) {
                let workload = selected[index]
                progress.started(workload.name)
                group.addTask {
                    let result = try await runner.measure(workload) { iterations, retained in
                        progress.update(workload.name, iterations: iterations, retainedBytes: retained)
                    }
                    return (index, result)
                }
            }
            while next < min(jobs, selected.count) {
                start(next)
                next += 1
            }
            while let (index, result) = try await group.next() {
                results[index] = result
                progress.finished(result)
                if next < selected.count {
                    start(next)
                    next += 1
                }
            }
            return results.compactMap { $0 }
        }
    }
}
