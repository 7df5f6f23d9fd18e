import ArgumentParser
import Foundation
import SoakGate
import SoakGateBasics
import SoakGateReports

struct MergeCommand: RunnableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Joins the reports of a sharded run (--shard I/N) into the report one machine would have written.",
        discussion: """
            Give every shard's leak-report.json, bench-report.json or soak-report.json (one kind at a time). \
            The shards must be of one plan: the same soakgate and Swift versions, settings, selection, N and \
            --balance report; the first difference is named, and so is a shard that is missing or given twice. \
            The merged report lists the workloads in selection order and, under "shards", where and when each \
            shard ran. Run the gate on it as on any report.
            Examples:
              soakgate merge shard-*/leak-report.json --out merged && soakgate gate merged/leak-report.json
              soakgate merge soak-1/soak-report.json soak-2/soak-report.json --out soak
            Exit codes: as the merged report's own ('check', 'bench' or 'report'); 2 when the reports do not join.
            """
    )

    @Argument(help: ArgumentHelp("Every shard's report.", valueName: "report"))
    var reports: [String]

    @Option(help: ArgumentHelp("Directory for the merged reports; created if missing.", valueName: "dir"))
    var out: String

    func validate() throws {
        guard !reports.isEmpty else {
            throw ValidationError("name the shards' reports, e.g. soakgate merge shard-*/leak-report.json --out merged")
        }
    }

    func execute(_ context: CommandContext) async throws -> Int32 {
        var files: [(path: String, data: Data, kind: String)] = []
        for path in reports {
            let data = try InputFile.read(path, what: "report")
            let kind = GateCommand.kind(of: data) ?? "leak"
            guard ["leak", "bench", "soak"].contains(kind) else {
                throw CommandError(
                    exitCode: 2,
                    description:
                        "'\(path)' is not a leak, bench or soak report (its kind is \(String(reflecting: kind))); give the report files the shards wrote"
                )
            }
            if let first = files.first, first.kind != kind {
                throw CommandError(
                    exitCode: 2,
                    description:
                        "'\(path)' is a \(kind) report but '\(first.path)' is a \(first.kind) report; merge the reports of one kind at a time"
                )
            }
            files.append((path, data, kind))
        }
        do {
            try OutputDirectory.ensureWritable(out)
        } catch {
            throw CommandError(exitCode: 2, description: "cannot write to --out '\(out)': \(error.reason)")
        }
        switch files[0].kind {
        case "bench":
            let merged = try ReportMerge.merge(
                try files.map { .init(path: $0.path, report: try BenchReport.read(from: $0.data, path: $0.path)) })
            let written = try ReportFiles.write(merged, to: out)
            print(SummaryTable.render(merged))
            print("reports: \(written.joined(separator: ", "))")
            return merged.exitCode
        case "soak":
            let merged = try ReportMerge.merge(
                try files.map { .init(path: $0.path, report: try SoakReport.read(from: $0.data, path: $0.path)) })
            let directory = SoakDirectory(path: out)
            try AtomicFile.write(try merged.jsonData(), to: directory.reportJSONPath)
            try AtomicFile.write(Data(try SoakHTMLReport.render(merged).utf8), to: directory.reportHTMLPath)
            print(ReportCommand.summary(merged))
            print("reports: \(directory.reportJSONPath), \(directory.reportHTMLPath)")
            return merged.exitCode
        default:
            let merged = try ReportMerge.merge(
                try files.map { .init(path: $0.path, report: try LeakReport.read(from: $0.data, path: $0.path)) })
            let written = try ReportFiles.write(merged, to: out)
            print(SummaryTable.render(merged))
            print("reports: \(written.joined(separator: ", "))")
            return merged.exitCode
        }
    }
}
