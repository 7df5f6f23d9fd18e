import Foundation
import SoakGate
import SoakGateBasics
import SoakGateReports

/// The tables `check` and `bench` print when they are done.
enum SummaryTable {
    static func render(_ report: LeakReport) -> String {
        var rows = [["workload", "verdict", "growth", "bytes/iter", "evidence"]]
        for workload in report.workloads {
            let rate = workload.bytesPerIteration.map(ByteCount.rate) ?? "-"
            let evidence = workload.evidenceSummary ?? workload.failure?.reason ?? ""
            rows.append([workload.name, workload.verdict.rawValue, workload.growth.rawValue, rate, evidence])
        }
        var lines = aligned(rows)
        let counts = [Verdict.pass, .leak, .inconclusive, .crashed].map { verdict in
            "\(report.workloads.filter { $0.verdict == verdict }.count) \(verdict.rawValue)"
        }
        for workload in report.workloads where workload.verdict == .leak {
            lines += whoHolds(workload)
        }
        lines.append("")
        lines.append(counts.joined(separator: ", "))
        let bench = report.workloads.compactMap(\.bench)
        if bench.contains(where: { $0.figures != nil || $0.failure != nil }) {
            lines.append("")
            lines.append("benchmarks:")
            lines += aligned(benchRows(bench, throughput: false))
        }
        return lines.joined(separator: "\n")
    }

    /// A leak's allocation site, the types that grew and who holds them, under the table.
    static func whoHolds(_ workload: WorkloadResult) -> [String] {
        guard let attribution = workload.allocationSites else { return [] }
        var lines = ["", workload.name]
        if let site = attribution.sites.first {
            lines.append("  allocated at  \(site.frames.first ?? "?")\(site.location.map { " (\($0))" } ?? "")")
        }
        if let retention = attribution.retention {
            for type in retention.types.prefix(3) {
                let objects = String(format: "%+.2f", type.objectsPerIteration)
                lines.append(
                    "  grows         \(type.name): \(objects) objects and \(ByteCount.rate(type.bytesPerIteration))")
                if let path = type.path { lines.append("    held by     \(path.description)") }
            }
            if retention.types.isEmpty { lines.append("  grows         no type grew between the heap walks") }
            if let note = retention.note { lines.append("  note          \(note)") }
        }
        return lines
    }

    /// `soakgate bench`'s table: per workload its median wall and CPU time, allocations and
    /// bytes per iteration, and throughput.
    static func render(_ report: BenchReport) -> String {
        var lines = aligned(benchRows(report.workloads, throughput: true))
        let measured = report.workloads.filter { $0.figures != nil }.count
        let failed = report.workloads.filter { $0.failure != nil }.count
        lines.append("")
        lines.append("\(measured) measured, \(failed) failed")
        return lines.joined(separator: "\n")
    }

    /// A header and one row per workload; a workload without figures gets its name and the
    /// reason, which the alignment leaves at full length.
    private static func benchRows(_ results: [BenchResult], throughput: Bool) -> [[String]] {
        var header = ["workload", "median wall", "CPU", "allocs/iter", "bytes/iter"]
        if throughput { header.append("throughput") }
        var rows = [header]
        for result in results {
            guard let figures = result.figures else {
                rows.append([result.name, result.failure.map { "failed: \($0.reason)" } ?? "no figures"])
                continue
            }
            var row = [
                result.name,
                BenchText.duration(figures.wall.median),
                BenchText.duration(figures.cpu.median),
                BenchText.count(figures.allocationsPerIteration),
                ByteCount.format(figures.allocatedBytesPerIteration),
            ]
            if throughput { row.append(BenchFormat.throughput(figures)) }
            rows.append(row)
        }
        return rows
    }

    /// Rows as lines of columns two spaces apart. Every cell but a row's last is padded to the
    /// widest such cell of its column, so a long last cell (evidence, a failure) widens nothing.
    private static func aligned(_ rows: [[String]]) -> [String] {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in
            rows.filter { column < $0.count - 1 }.map { $0[column].count }.max() ?? 0
        }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column < row.count - 1 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0) : cell
            }.joined(separator: "  ")
        }
    }
}
