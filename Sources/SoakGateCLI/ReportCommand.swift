import ArgumentParser
import Foundation
import SoakGate
import SoakGateBasics
import SoakGateReports

struct ReportCommand: RunnableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Writes a soak's report (soak-report.json and .html) from what its directory holds.",
        discussion: """
            Works on a finished soak, a running one, or one killed part-way: a last line torn by the kill is \
            left out and named. Reads samples.jsonl and events.jsonl; changes nothing but the two reports.
            Example: soakgate report reports/soak
            Exit codes: 0 no leak, 1 a leak or an inconclusive workload, 2 not a soak directory, 3 a workload crashed.
            """
    )

    @Argument(help: ArgumentHelp("The soak's directory (the --out of 'soakgate soak').", valueName: "dir"))
    var directory: String

    func execute(_ context: CommandContext) async throws -> Int32 {
        let report = try Self.writeReport(SoakDirectory(path: directory))
        return report.exitCode
    }

    /// Analyses what is on disk, writes both reports atomically and prints a summary.
    @discardableResult
    static func writeReport(_ directory: SoakDirectory) throws -> SoakReport {
        let contents: SoakDirectory.Contents
        do {
            contents = try directory.read()
        } catch let error as SoakDirectory.SoakDirectoryError {
            throw CommandError(exitCode: 2, description: error.description)
        }
        let state: String
        if let stop = contents.events.last(where: { $0.kind == .stopped }),
            !contents.events.contains(where: { $0.kind == .resumed && $0.elapsedSeconds > stop.elapsedSeconds })
        {
            state = stop.message
        } else if contents.events.last?.kind == .finished {
            state = "finished"
        } else {
            state = "incomplete: no end recorded (still running, or killed)"
        }
        let report = SoakAnalysis.report(
            contents, tool: .init(name: "soakgate", version: SoakGateVersion.current), state: state)
        try AtomicFile.write(try report.jsonData(), to: directory.reportJSONPath)
        try AtomicFile.write(Data(try SoakHTMLReport.render(report).utf8), to: directory.reportHTMLPath)
        for line in contents.unreadableLines { Terminal.status("soakgate: \(line)\n") }
        print(summary(report))
        print("reports: \(directory.reportJSONPath), \(directory.reportHTMLPath)")
        return report
    }

    static func summary(_ report: SoakReport) -> String {
        let width = max(8, report.workloads.map(\.name.count).max() ?? 0)
        var lines = [
            "\("workload".padding(toLength: width, withPad: " ", startingAt: 0))  verdict       bytes/hour    lower 95 %    readings  evidence"
        ]
        for workload in report.workloads {
            let rate = workload.bytesPerHour.map { ByteCount.format($0) + "/h" } ?? "–"
            let bound = workload.bytesPerHourLowerBound.map { ByteCount.format($0) + "/h" } ?? "–"
            lines.append(
                workload.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                    + workload.verdict.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0) + "  "
                    + rate.padding(toLength: 12, withPad: " ", startingAt: 0) + "  "
                    + bound.padding(toLength: 12, withPad: " ", startingAt: 0) + "  "
                    + "\(workload.readings)".padding(toLength: 8, withPad: " ", startingAt: 0) + "  "
                    + workload.evidence)
        }
        return lines.joined(separator: "\n")
    }
}
