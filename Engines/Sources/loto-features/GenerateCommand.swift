import ArgumentParser
import EngineCommandLine
import Foundation
import Logging
import LotoFeatures
import MemoryGovernor
import SoakGateBasics

/// `loto-features generate`: draws → feature tables in a store.
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate features_hist, features_futr and features_stat from draws into SQLite or PostgreSQL.",
        discussion: """
            Input is a CSV file (header loto,unique_id,ds,y[,num,co,prize]) or a PostgreSQL table
            (--input postgresql://user@host/db --input-table draws). Writes are idempotent
            upserts, one transaction per batch of series: a rerun changes nothing, a run over
            extended input adds only the new rows, and after a failure a rerun completes the rest.
            Under --memory-budget a run that reaches the cap stops after a committed batch and
            prints the command to type (the same one with --resume, which skips the series the
            store already holds completely).
            Examples:
              loto-features generate --input draws.csv
              loto-features generate --input draws.csv --store sqlite:features.db --tables hist,stat
              loto-features generate --input draws.csv --store postgresql://me@localhost/loto --workers 4
              loto-features generate --input draws.csv --memory-budget 512 --governor-report governor.json
            """
    )

    @Option(help: "The draws: a CSV file, or a postgresql:// URL (with --input-table).")
    var input: String

    @Option(
        help:
            "The table to read when --input is PostgreSQL; needs columns loto, unique_id, ds, y (num, co, prize optional)."
    )
    var inputTable = "draws"

    @Option(
        help: "Where to write: sqlite:PATH or a postgresql:// URL (default: sqlite:reports/loto-features.sqlite).",
        transform: OptionValue.parser(StoreLocation.init(option:)))
    var store = StoreLocation.sqlite(path: "reports/loto-features.sqlite")

    @Option(
        help: "Tables to generate, a comma-separated subset of hist,futr,stat (default: all three).",
        transform: OptionValue.parser(FeatureTable.parseList))
    var tables = FeatureTable.allCases

    @Option(
        help: ArgumentHelp(
            "Pipelines to run, a comma-separated subset of P1 … P14 (default: all this version has; see loto-features pipelines). Only their columns are written; the other columns of an existing row keep their values.",
            valueName: "P1,P4,…"),
        transform: OptionValue.parser(PipelineID.parseList))
    var pipelines = FeaturePipelines.all.map(\.id)

    @Option(
        help: ArgumentHelp(
            "Write the run summary (per pipeline its computing seconds, rows and columns; series, batches, rows) as JSON to FILE when the run ends. Never a directory or a symbolic link; the directory must exist.",
            valueName: "FILE"))
    var summary: String?

    @Option(help: "Series computed at once, 1 to 256 (default: the number of cores).")
    var workers = min(max(ProcessInfo.processInfo.activeProcessorCount, 1), 256)

    @Option(
        name: [.customLong("memory-budget"), .customLong("budget-mib")],
        help: ArgumentHelp(
            "Memory budget in MiB, from 16 to the machine's memory (default: the cgroup limit, else the machine's memory). Near it batches shrink, the run goes light (one worker, no batch computed while one is written, a small store cache) and at the cap it stops after a committed batch; rerun with --resume. --budget-mib is the older name.",
            valueName: "MiB"))
    var memoryBudget: Int?

    @Option(
        help: ArgumentHelp(
            "Write the memory governor's JSON report (budget, start and peak usage, batch sizes, light-mode reads, actions) to FILE when the run ends, also when it stops or fails. Never a directory or a symbolic link; the directory must exist.",
            valueName: "FILE"))
    var governorReport: String?

    @Flag(
        help:
            "Skip series the store already holds completely in every requested table (one row per draw day up to the series' last draw; the features_stat row), so a rerun after a stop does only the rest. Without it every series is upserted again."
    )
    var resume = false

    /// The most MiB a budget may name: the machine's memory (the governor refuses more), which
    /// also keeps the conversion to bytes far from overflowing.
    static var budgetMibRange: ClosedRange<Int> {
        16...max(16, Int(clamping: ProcessInfo.processInfo.physicalMemory >> 20))
    }

    func validate() throws {
        do {
            try CheckedNumber.checked(workers, in: 1...256, source: "--workers")
            if let memoryBudget {
                try CheckedNumber.checked(memoryBudget, in: Self.budgetMibRange, source: "--memory-budget", unit: "MiB")
            }
        } catch {
            throw ValidationError("\(error)")
        }
        if let governorReport, let problem = OutputPath.problem(governorReport) {
            throw ValidationError("--governor-report \(governorReport): \(problem)")
        }
        if let summary, let problem = OutputPath.problem(summary) {
            throw ValidationError("--summary \(summary): \(problem)")
        }
        if FeatureGenerator(tables: tables, pipelines: pipelines).tables.isEmpty {
            throw ValidationError(
                "--pipelines \(pipelines.map(\.description).joined(separator: ",")) writes no column of --tables \(tables.map(\.rawValue).joined(separator: ",")); see loto-features pipelines for which tables each pipeline writes"
            )
        }
        if let problem = store.problem { throw ValidationError("--store \(store.shown): \(problem)") }
        if let problem = DrawSource.problem(input) {
            throw ValidationError("--input \(Redaction.url(input)): \(problem)")
        }
        guard InputIdentifier.isValid(inputTable) else {
            throw ValidationError(
                "--input-table must be a plain table name (letters, digits, _ and an optional schema.), e.g. --input-table draws"
            )
        }
    }

    func run() async throws {
        let series = try DrawSource.read(input, table: inputTable)
        try FeatureGenerator.checkKeys(series)
        // Made after the input is read, so its start is the process with the draws in memory,
        // and before the store is opened, so a refused budget touches nothing.
        let governor: MemoryGovernor
        do {
            // In range (validate): at most the machine's memory in MiB, so the shift cannot overflow.
            governor = try MemoryGovernor.forThisProcess(
                budgetBytes: memoryBudget.map { $0 << 20 },
                logger: Logger(label: "soakgate.memory-governor") { _ in SwiftLogNoOpLogHandler() })
        } catch let error as MemoryBudget.BudgetError {
            guard case .belowStartingUsage = error else { throw error }
            throw LotoFeaturesError.usage("--memory-budget \(memoryBudget.map { "\($0) MiB" } ?? ""): \(error)")
        }
        // Only on a terminal: elsewhere standard error holds the run's outcome line alone.
        let bar = ProgressBar(unit: "series", plainLines: .none)
        var failure: Error?
        do {
            let opened = try store.open()
            let generator = FeatureGenerator(tables: tables, pipelines: pipelines, workers: workers, governor: governor)
            let started = ContinuousClock.now
            let summary = try await generator.run(series, into: opened, resume: resume) { progress in
                let times = progress.pipelineSeconds.map { "\($0.pipeline) \(String(format: "%.1f", $0.seconds))s" }
                bar.update(
                    done: progress.seriesDone, total: progress.seriesTotal,
                    detail: "\(progress.rowsChanged) rows written · \(times.joined(separator: " "))")
            }
            if let path = self.summary {
                try RunSummary(summary, store: opened.target, seconds: started.duration(to: .now)).write(to: path)
            }
            bar.finish()
            let skipped =
                summary.seriesAlreadyComplete > 0
                ? " (\(summary.seriesAlreadyComplete) more already complete, skipped)" : ""
            StandardError.printLine(
                "\(summary.series) series\(skipped), \(summary.rowsComputed) rows computed in \(summary.batches) batches; \(summary.rowsChanged) rows inserted or changed in \(opened.target)",
                redactingArguments: false)
        } catch LotoFeaturesError.interrupted(let message) {
            bar.finish()
            failure = LotoFeaturesError.interrupted("\(message): \(ShellCommand.line(resuming: CommandLine.arguments))")
        } catch {
            bar.finish()
            failure = error
        }
        // On every path once the governor exists: finished, stopped or failed. When the run
        // failed, its error is the news and a report that cannot be written is not.
        if let governorReport {
            do {
                try governor.report().write(to: governorReport)
            } catch {
                if failure == nil {
                    throw LotoFeaturesError.output(
                        path: governorReport,
                        problem: "the run finished but its governor report could not be written: \(error)")
                }
            }
        }
        // The entry point prints the one line and picks the exit code.
        if let failure { throw failure }
    }
}

extension StoreLocation {
    /// `--store`'s text as a location, or the one line that refuses it (any password shown as `***`).
    init(option text: String) throws {
        guard let location = StoreLocation(text) else {
            throw OptionRefusal(
                "--store '\(Redaction.url(text))' must be sqlite:PATH or postgresql://user@host/db, e.g. --store sqlite:reports/features.sqlite"
            )
        }
        self = location
    }
}
