import Foundation
import SoakGate
import SoakGateBasics
import SoakGateReports

/// Writes a report in every format beside each other, each file replaced atomically.
enum ReportFiles {
    /// Returns the paths written, JSON first.
    static func write(_ report: LeakReport, to directory: String) throws -> [String] {
        let base = (directory as NSString).appendingPathComponent("leak-report")
        let files: [(String, Data)] = [
            (base + ".json", try report.jsonData()),
            (base + ".html", Data(try HTMLReport.render(report).utf8)),
            (base + ".junit.xml", Data(JUnitReport.render(report).utf8)),
            (base + ".md", Data(MarkdownSummary.render(report).utf8)),
        ]
        for (path, data) in files {
            try AtomicFile.write(data, to: path)
        }
        return files.map(\.0)
    }
}
