import Foundation
import SoakGate
import SoakGateBasics
import SoakGateReports

/// Writes a report in every format beside each other, each file replaced atomically.
enum ReportFiles {
    /// Returns the paths written, JSON first.
    /// With `gate`, the Markdown summary ends with the gate's decisions and the HTML shows them.
    static func write(_ report: LeakReport, to directory: String, gate: [GateDecision]? = nil) throws -> [String] {
        let base = (directory as NSString).appendingPathComponent("leak-report")
        return try write([
            (base + ".json", try report.jsonData()),
            (base + ".html", Data(try HTMLReport.render(report, gate: gate).utf8)),
            (base + ".junit.xml", Data(JUnitReport.render(report).utf8)),
            (base + ".md", Data(MarkdownSummary.render(report, gate: gate).utf8)),
        ])
    }

    /// `soakgate bench`'s files, `bench-report.*`; returns the paths written, JSON first.
    static func write(_ report: BenchReport, to directory: String, gate: [GateDecision]? = nil) throws -> [String] {
        let base = (directory as NSString).appendingPathComponent("bench-report")
        return try write([
            (base + ".json", try report.jsonData()),
            (base + ".html", Data(try BenchHTML.render(report, gate: gate).utf8)),
            (base + ".junit.xml", Data(BenchJUnit.render(report).utf8)),
            (
                base + ".md",
                Data((BenchMarkdown.render(report) + (gate.map { "\n" + MarkdownSummary.gateTable($0) } ?? "")).utf8)
            ),
        ])
    }

    /// Writes files rendered beforehand: a format that fails to render has thrown before any file is replaced.
    private static func write(_ files: [(String, Data)]) throws -> [String] {
        for (path, data) in files {
            try AtomicFile.write(data, to: path)
        }
        return files.map(\.0)
    }
}
