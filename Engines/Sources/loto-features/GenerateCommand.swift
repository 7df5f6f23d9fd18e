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
            With --worker, any number of processes on any number of machines share the series through
            a work table in the PostgreSQL store: each claims a few series at a time under a lease,
            computes them, and upserts their rows and marks them done in one transaction; a worker
            that dies loses only its lease. 'loto-features status --store URL' shows how it stands.
              loto-features generate --input postgresql://me@db/loto --store postgresql://me@db/loto --worker
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

    @Flag(
        help: ArgumentHelp(
            "Share the series with other workers through the PostgreSQL store's work table (needs a postgresql:// --store); run the same command on every machine.",
            discussion:
                "Every worker must be given the same input, tables and pipelines. A worker ends when no series is pending or held by another worker's live lease."
        ))
    var worker = false

    @Option(
        help: ArgumentHelp(
            "With --worker: seconds a claim holds before another worker may take its series over, 5 to 86400; longer than a claim takes to compute (default 300).",
            valueName: "seconds"))
    var lease: Double = 300

    /// The most MiB a budget may name: the machine's memory (the governor refuses more), which
    /// also keeps the conversion to bytes far from overflowing.
    static var budgetMibRange: ClosedRange<Int> {
        16...max(16, Int(clamping: ProcessInfo.processInfo.physicalMemory >> 20))
    }

    func validate() throws {
        do {
            try CheckedNumber.checked(workers, in: 1...256, source: "--workers")
            try CheckedNumber.checked(lease, in: 5...86_400, source: "--lease", unit: "seconds")
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
        if worker {
            guard case .postgres = store else {
                throw ValidationError(
                    "--worker shares work through a PostgreSQL store; give --store postgresql://user@host/db")
            }
            if resume {
                throw ValidationError(
                    "--resume goes without --worker: workers skip the series marked done by themselves")
            }
            if summary != nil {
                throw ValidationError(
                    "--summary goes without --worker: a worker's share is not the run; see loto-features status --store URL"
                )
            }
        }
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
        if worker, case .postgres(let url) = store {
            do {
                try await runWorker(series, url: url, governor: governor, bar: bar)
            } catch {
                bar.finish()
                failure = error
            }
        } else {
            failure = await runAlone(series, governor: governor, bar: bar)
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

    /// One worker of many: claims, computes and completes series until none is left.
    private func runWorker(_ series: [DrawSeries], url: String, governor: MemoryGovernor, bar: ProgressBar) async throws
    {
        let opened = try PostgresFeatureStore(connectionString: url)
        let generator = FeatureGenerator(tables: tables, pipelines: pipelines, workers: workers, governor: governor)
        let name =
            "\(ProcessInfo.processInfo.hostName):\(getpid()):\(String(UInt16.random(in: 0...UInt16.max), radix: 16))"
        let done = try await FeatureWorker(generator: generator, leaseSeconds: lease, claimSize: max(workers, 1)).run(
            series, into: opened, worker: name
        ) { summary, left in
            bar.update(
                done: summary.seriesDone, total: summary.seriesDone + left,
                detail: "\(summary.rowsChanged) rows written by this worker, \(left) series left to all")
        }
        bar.finish()
        let lost =
            done.leasesLost > 0 ? "; \(done.leasesLost) claims lost to another worker after their lease ran out" : ""
        StandardError.printLine(
            "worker \(name): \(done.seriesDone) series in \(done.claims) claims, \(done.rowsChanged) rows inserted or changed in \(opened.target)\(lost); no series left",
            redactingArguments: false)
    }

    /// The whole input in this process; the error, if the run failed or stopped.
    private func runAlone(_ series: [DrawSeries], governor: MemoryGovernor, bar: ProgressBar) async -> Error? {
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
        return failure
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
