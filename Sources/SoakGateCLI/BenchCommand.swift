import ArgumentParser
import Foundation
import SoakGate
import SoakGateBasics

/// Options `bench` and `check --bench` share: how long the timed run of each workload may take.
struct BenchOptions: ParsableArguments {
    @Option(
        name: .customLong("bench-budget"),
        help: ArgumentHelp(
            "Time each workload's timed run may take after its warm-up (10s, 1m, ...; a bare number is seconds). Sampling stops sooner, after a third of it, once the median's 95 % interval is within ±2 %.",
            valueName: "duration"))
    var budget: DurationArgument?

    func validate() throws {
        if let budget {
            do {
                try CheckedNumber.checked(budget.seconds, in: 0.1...86_400, source: "--bench-budget", unit: "seconds")
            } catch {
                throw ValidationError(String(describing: error))
            }
        }
    }

    var plan: BenchPlan { BenchPlan(budgetSeconds: budget?.seconds ?? BenchPlan.defaultBudgetSeconds) }

    /// Times and counts each workload in turn, never two at once (one would slow the other),
    /// printing a line per workload on standard error.
    static func run(_ workloads: [WorkloadDefinition], runner: IsolatedMeasurement, plan: BenchPlan) async throws
        -> [BenchResult]
    {
        var results: [BenchResult] = []
        for (index, workload) in workloads.enumerated() {
            Terminal.status("bench [\(index + 1)/\(workloads.count)] \(workload.name) …\n")
            let result = try await runner.bench(workload, plan: plan)
            if let figures = result.figures {
                Terminal.status(
                    "bench [\(index + 1)/\(workloads.count)] \(workload.name): median \(BenchText.duration(figures.wall.median)), \(BenchText.count(figures.allocationsPerIteration)) allocations per iteration (\(ByteCount.grouped(figures.timing.wallNanoseconds.count)) samples; \(figures.timing.stoppedBecause))\n"
                )
            } else {
                Terminal.status(
                    "bench [\(index + 1)/\(workloads.count)] \(workload.name): failed: \(result.failure?.reason ?? "")\n"
                )
            }
            results.append(result)
        }
        return results
    }

    /// The measuring processes' time limit: the budget and warm-up twice over, and a minute.
    static func timeoutSeconds(_ plan: BenchPlan) -> Double {
        max(600, 2 * (plan.budgetSeconds + plan.warmupSeconds) + 60)
    }
}

struct BenchCommand: RunnableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Times workloads and counts their allocations exactly; writes bench reports a gate can compare.",
        discussion: """
            Each workload runs twice, each time in a process of its own: a timed run with jemalloc's thread \
            cache on, as in production (samples of wall and CPU time per iteration until the median's 95 % \
            interval is within ±2 % or --bench-budget ends), then a counting run with the thread cache off, \
            in which jemalloc counts every allocation. Writes OUT/bench-report.json, .html, .junit.xml and .md.
            Examples:
              soakgate bench --workload 'parser.*'
              soakgate bench --out new --gate --baseline old/bench-report.json
            Exit codes: 0 done (with --gate: within the policy), 1 the gate found a regression, 2 usage or \
            configuration error, 3 a workload crashed or timed out.
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
            "Directory for the reports (bench-report.json, .html, .junit.xml, .md); created if missing.",
            valueName: "dir"))
    var out = "reports"

    @OptionGroup var benchOptions: BenchOptions

    @Flag(help: "Compare with --baseline under --policy; the exit code is the gate's.")
    var gate = false

    @OptionGroup var gateOptions: GateOptions

    @OptionGroup var shardOptions: ShardOptions

    func validate() throws {
        if !gate && (gateOptions.policy != nil || gateOptions.baseline != nil) {
            throw ValidationError(
                "--policy and --baseline go with --gate; add --gate, or run 'soakgate gate REPORT --baseline FILE'")
        }
    }

    func execute(_ context: CommandContext) async throws -> Int32 {
        ScratchSpace.sweepStale()
        let signals = CheckCommand.cleanUpOnSignals()
        defer { for signal in signals { signal.cancel() } }
        let (selected, stamp) = try shardOptions.apply(try context.selectWorkloads(workloads))
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
        let plan = benchOptions.plan
        let startedAt = ISO8601DateFormatter().string(from: Date())
        let environment = ProcessInfo.processInfo.environment
        let runner = IsolatedMeasurement(
            executable: context.executablePath, plan: try MeasurementPlan(),
            timeoutSeconds: BenchOptions.timeoutSeconds(plan), baseEnvironment: environment)
        let results = try await BenchOptions.run(selected, runner: runner, plan: plan)
        let info = ProcessInfo.processInfo
        var report = BenchReport(
            tool: .init(name: "soakgate", version: SoakGateVersion.current), startedAt: startedAt,
            host: .init(
                operatingSystem: info.operatingSystemVersionString, processorCount: info.processorCount,
                physicalMemoryBytes: Int(info.physicalMemory)),
            mallocConf: environment["MALLOC_CONF"] ?? "", plan: plan, workloads: results)
        report.shard = stamp
        let decisions = gateInputs.map { policy, baseline in
            Gate.evaluateBench(results, baseline: baseline?.bench ?? [], rule: policy.bench ?? BenchRule())
        }
        let written = try ReportFiles.write(report, to: out, gate: decisions)
        print(SummaryTable.render(report))
        print("reports: \(written.joined(separator: ", "))")
        if let decisions { return GateOptions.report(decisions) }
        return report.exitCode
    }
}
