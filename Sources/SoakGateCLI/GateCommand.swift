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
            "An earlier leak-report.json: a slope that rose beyond the policy's baseline tolerance fails.",
            valueName: "report"))
    var baseline: String?

    func load() throws -> (GatePolicy, LeakReport?) {
        var policy = GatePolicy()
        if let path = self.policy {
            policy = try GatePolicy.read(from: try InputFile.read(path, what: "policy"), path: path)
        }
        let baseline = try self.baseline.map { path in
            do {
                return try LeakReport.read(from: try InputFile.read(path, what: "baseline report"), path: path)
            } catch var error as ReportReadError {
                error.what = "baseline report"
                throw error
            }
        }
        return (policy, baseline)
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
            "Applies a policy (and an optional baseline) to a leak or soak report; exits non-zero to block a merge.",
        discussion: """
            Examples:
              soakgate gate reports/leak-report.json --policy ci/soakgate-policy.json --baseline main/leak-report.json
              soakgate gate reports/nightly-soak/soak-report.json --policy ci/soakgate-policy.json
            A soak report is judged against the policy's toleratedBytesPerHour (default 0); an inconclusive \
            workload is rejected.
            Exit codes: 0 within the policy, 1 a leak or regression the policy rejects (or an expected leak missing), \
            2 a report or policy that cannot be used, 3 a workload crashed.
            """
    )

    @Argument(
        help: ArgumentHelp(
            "The leak-report.json (from check) or soak-report.json (from soak) to judge.", valueName: "report"))
    var report: String

    @OptionGroup var options: GateOptions

    func execute(_ context: CommandContext) async throws -> Int32 {
        let data = try InputFile.read(report, what: "report")
        if Self.isSoakReport(data) {
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
        return GateOptions.report(Gate.evaluate(leakReport, policy: policy, baseline: baseline))
    }
}

extension GateCommand {
    /// Whether `data` is a soak report (`"kind": "soak"`) rather than a leak report.
    static func isSoakReport(_ data: Data) -> Bool {
        struct Kind: Decodable { var kind: String? }
        return (try? JSONDecoder().decode(Kind.self, from: data))?.kind == "soak"
    }
}
