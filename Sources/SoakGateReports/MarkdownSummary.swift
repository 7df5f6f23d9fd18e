import SoakGate
import SoakGateBasics

/// Renders a ``LeakReport`` as a Markdown summary for a pull-request comment or
/// `$GITHUB_STEP_SUMMARY`: counts, then one table row per workload, leaks and crashes first, then
/// the benchmark figures when the check ran with `--bench`.
public enum MarkdownSummary {
    /// With `gate`, the gate's decisions follow as a table: what a pull request's reader needs
    /// to see of a comparison with the base branch (the deltas of every benchmark figure).
    public static func render(_ report: LeakReport, gate: [GateDecision]? = nil) -> String {
        let counts = [Verdict.leak, .crashed, .inconclusive, .pass].map { verdict in
            "\(report.workloads.filter { $0.verdict == verdict }.count) \(verdict.rawValue)"
        }
        let headline =
            switch report.exitCode {
            case 0: "✅ no leak"
            case 1: "❌ leak found"
            case 4: "❔ inconclusive within the budget"
            default: "⚠️ a workload crashed"
            }
        var lines = [
            "### SoakGate: \(headline)",
            "",
            "\(counts.joined(separator: ", ")) · \(escape(report.tool.name)) \(escape(report.tool.version)) · ladder \(report.plan.ladder.map(String.init).joined(separator: ", ")) · budget \(String(format: "%g", report.plan.budgetSeconds)) s per workload",
            "",
            "| workload | verdict | growth | bytes/iteration | decided by |",
            "| --- | --- | --- | ---: | --- |",
        ]
        let order: [Verdict: Int] = [.leak: 0, .crashed: 1, .inconclusive: 2, .pass: 3]
        let sorted = report.workloads.enumerated().sorted {
            (order[$0.element.verdict]!, $0.offset) < (order[$1.element.verdict]!, $1.offset)
        }
        for (_, workload) in sorted {
            var rate = workload.bytesPerIteration.map(ByteCount.rate) ?? "–"
            if let unit = workload.unit, let perUnit = workload.bytesPerUnit {
                rate += " (" + BenchFormat.bytesPerUnit(perUnit, unit: unit.name) + ")"
            }
            var evidence = workload.evidenceSummary ?? workload.failure?.reason ?? ""
            if let site = workload.allocationSites?.sites.first {
                evidence += "; allocated by " + site.frames.joined(separator: " ← ")
            }
            if let grown = workload.allocationSites?.retention?.types.first {
                evidence += "; grows: \(grown.name) (\(ByteCount.rate(grown.bytesPerIteration)))"
                if let path = grown.path { evidence += ", held by " + path.description }
            }
            lines.append(
                "| \(escape(workload.name)) | **\(workload.verdict.rawValue)** | \(workload.growth.rawValue) | \(escape(rate)) | \(escape(evidence)) |"
            )
        }
        var text = lines.joined(separator: "\n") + "\n"
        if report.workloads.contains(where: { $0.bench?.figures != nil || $0.bench?.failure != nil }) {
            text += "\n#### Benchmarks\n\n" + BenchMarkdown.table(report.workloads.compactMap(\.bench))
        }
        if let gate { text += "\n" + gateTable(gate) }
        return text
    }

    /// The gate's decisions as a table under a headline: passed or failed.
    public static func gateTable(_ decisions: [GateDecision]) -> String {
        let failed = Gate.exitCode(decisions) != 0
        var lines = [
            "#### Gate: \(failed ? "❌ failed" : "✅ passed")", "", "| workload | outcome | why |", "| --- | --- | --- |",
        ]
        for decision in decisions {
            lines.append(
                "| \(escape(decision.workload)) | \(decision.outcome == .accepted ? decision.outcome.rawValue : "**\(decision.outcome.rawValue)**") | \(escape(decision.reason)) |"
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Keeps table cells intact and stops names from becoming markup or HTML.
    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "|", "\\", "`", "*", "_", "[", "]", "<", ">", "#": result += "\\\(character)"
            case "\n", "\r": result += " "
            default: result.append(character)
            }
        }
        return result
    }
}
