import ArgumentParser
import Foundation
import SoakGate

/// Options the gate takes, shared by `gate` and `check --gate`.
struct GateOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A policy file (JSON; see ci/soakgate-policy.json). Without it nothing may leak.", valueName: "file"))
    var policy: String?

    @Option(
        help: ArgumentHelp(
            "An earlier leak-report.json or bench-report.json: a slope that rose beyond the policy's baseline tolerance fails, and so do benchmark figures that regressed.",
            valueName: "report"))
    var baseline: String?

    /// What a baseline report gives the gate: a leak report's slopes, and the benchmark figures
    /// of either kind.
    struct Baseline {
        var leak: LeakReport?
        var bench: [BenchResult]
    }

    func load() throws -> (GatePolicy, Baseline?) {
        var policy = GatePolicy()
        if let path = self.policy {
            policy = try GatePolicy.read(from: try InputFile.read(path, what: "policy"), path: path)
        }
        let baseline = try self.baseline.map { path in
            do {
                let data = try InputFile.read(path, what: "baseline report")
                if GateCommand.kind(of: data) == "bench" {
                    return Baseline(leak: nil, bench: try BenchReport.read(from: data, path: path).workloads)
                }
                let leak = try LeakReport.read(from: data, path: path)
                return Baseline(leak: leak, bench: leak.workloads.compactMap(\.bench))
            } catch var error as ReportReadError {
                error.what = "baseline report"
                throw error
            }
        }
        return (policy, baseline)
    }

    /// The gate on a leak report: its leak half, and its bench half when it has one.
    static func evaluate(_ report: LeakReport, policy: GatePolicy, baseline: Baseline?) -> [GateDecision] {
        var decisions = Gate.evaluate(report, policy: policy, baseline: baseline?.leak)
        let bench = report.workloads.compactMap(\.bench)
        if !bench.isEmpty {
            decisions += Gate.evaluateBench(bench, baseline: baseline?.bench ?? [], rule: policy.bench ?? BenchRule())
        }
        return decisions
    }

    /// Prints the decisions and returns the gate's exit code.
    static func report(_ decisions: [GateDecision]) -> Int32 {
        let width = decisions.map(\.workload.count).max() ?? 0
        print("gate:")
        for decision in decisions {
            let name = decision.workload.padding(toLength: width, withPad: " ", startingAt: 0)
            let outcome = decision.outcome.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)
            print("  \(name)  \(outcome)  \(decision.reason)")
        }
        let code = Gate.exitCode(decisions)
        print(
            code == 0
                ? "gate: passed" : code == 1 ? "gate: FAILED (leak or regression)" : "gate: FAILED (a workload crashed)"
        )
        return code
    }
}

struct GateCommand: RunnableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract:
            "Applies a policy (and an optional baseline) to a leak, bench or soak report; exits non-zero to block a merge.",
        discussion: """
            Examples:
              soakgate gate reports/leak-report.json --policy ci/soakgate-policy.json --baseline main/leak-report.json
              soakgate gate reports/bench-report.json --baseline main/bench-report.json
              soakgate gate reports/nightly-soak/soak-report.json --policy ci/soakgate-policy.json
            Benchmark figures (a bench report, or a leak report from check --bench) are compared with the \
            baseline's: allocations per iteration may not rise beyond the policy's bench.allocationsTolerance \
            (default 0); wall and CPU time are judged at the samples' fast end (bench.effectQuantile, 0.01: \
            load from other processes only adds time) and regress when that rose by more than \
            bench.minimumEffect (0.05) for wall time, bench.cpuMinimumEffect (0.10) for CPU time, and its \
            intervals at bench.confidence (0.99) in the two runs do not overlap.
            A soak report is judged against the policy's toleratedBytesPerHour (default 0); an inconclusive \
            workload is rejected.
            Exit codes: 0 within the policy, 1 a leak or regression the policy rejects (or an expected leak missing), \
            2 a report or policy that cannot be used, 3 a workload crashed.
            """
    )

    @Argument(
        help: ArgumentHelp(
            "The leak-report.json (from check), bench-report.json (from bench) or soak-report.json (from soak) to judge.",
            valueName: "report"))
    var report: String

    @OptionGroup var options: GateOptions

    func execute(_ context: CommandContext) async throws -> Int32 {
        let data = try InputFile.read(report, what: "report")
        if Self.kind(of: data) == "bench" {
            let bench = try BenchReport.read(from: data, path: report)
            let (policy, baseline) = try options.load()
            return GateOptions.report(
                Gate.evaluateBench(bench.workloads, baseline: baseline?.bench ?? [], rule: policy.bench ?? BenchRule()))
        }
        if Self.kind(of: data) == "soak" {
            guard options.baseline == nil else {
                throw CommandError(
                    exitCode: 2,
                    description:
                        "--baseline compares leak reports; a soak report ('\(report)') is judged by the policy alone")
            }
            let soak = try SoakReport.read(from: data, path: report)
            return GateOptions.report(Gate.evaluate(soak, policy: try options.load().0))
        }
        let leakReport = try LeakReport.read(from: data, path: report)
        let (policy, baseline) = try options.load()
        return GateOptions.report(GateOptions.evaluate(leakReport, policy: policy, baseline: baseline))
    }
}

extension GateCommand {
    /// A report's `kind`: `soak`, `bench`, or nil for a leak report (which has none).
    static func kind(of data: Data) -> String? {
        struct Kind: Decodable { var kind: String? }
        return (try? JSONDecoder().decode(Kind.self, from: data))?.kind
    }
}
