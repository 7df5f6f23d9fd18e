import SoakGate
import SoakGateBasics

/// The table `check` prints when it is done.
enum SummaryTable {
    static func render(_ report: LeakReport) -> String {
        let header = ["workload", "verdict", "growth", "bytes/iter", "evidence"]
        var rows = [header]
        for workload in report.workloads {
            let rate = workload.bytesPerIteration.map(ByteCount.rate) ?? "-"
            let evidence = workload.evidenceSummary ?? workload.failure?.reason ?? ""
            rows.append([workload.name, workload.verdict.rawValue, workload.growth.rawValue, rate, evidence])
        }
        let widths = (0..<header.count - 1).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = rows.map { row in
            (0..<row.count).map { column in
                column < widths.count
                    ? row[column].padding(toLength: widths[column], withPad: " ", startingAt: 0) : row[column]
            }.joined(separator: "  ")
        }
        let counts = [Verdict.pass, .leak, .inconclusive, .crashed].map { verdict in
            "\(report.workloads.filter { $0.verdict == verdict }.count) \(verdict.rawValue)"
        }
        lines.append("")
        lines.append(counts.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }
}
