import ArgumentParser
import EngineCommandLine
import Foundation
import LotoFeatures
import SoakGateBasics

/// `--summary FILE`: what a run did, per pipeline, as JSON.
struct RunSummary: Codable {
    var store: String
    var seconds: Double
    var series: Int
    var seriesAlreadyComplete: Int
    var batches: Int
    var rowsComputed: Int
    var rowsChanged: Int
    /// Per pipeline: its computing seconds summed over series (with several workers their sum
    /// can exceed `seconds`), rows per table and columns written.
    var pipelines: [PipelineSummary]

    init(_ summary: GenerateSummary, store: String, seconds: Duration) {
        self.store = store
        self.seconds = Double(seconds.components.seconds) + Double(seconds.components.attoseconds) * 1e-18
        series = summary.series
        seriesAlreadyComplete = summary.seriesAlreadyComplete
        batches = summary.batches
        rowsComputed = summary.rowsComputed
        rowsChanged = summary.rowsChanged
        pipelines = summary.pipelines
    }

    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try AtomicFile.write(Array(try encoder.encode(self)) + [0x0A], to: path)
        } catch {
            throw LotoFeaturesError.output(
                path: path, problem: "the run finished but its summary could not be written: \(error)")
        }
    }
}

extension StoreLocation {
    /// Why a store that must exist already cannot be read: an SQLite file that is not there
    /// (opening it would create an empty one); nil otherwise.
    var missingProblem: String? {
        guard case .sqlite(let path) = self, !FileManager.default.fileExists(atPath: path) else { return nil }
        return "there is no such file; make one with loto-features generate --input DRAWS.csv --store \(shown)"
    }
}

/// `loto-features migrate`: rebuilds tables of an earlier column set in this version's schema.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Rebuild feature tables made by an earlier version in the current schema, keeping every row.",
        discussion: """
            Columns of an earlier name are renamed (e.g. futr_ds_week → futr_ds_week_of_year), types
            are changed where the schema's differ, new columns are added (NULL until the next
            generate without --resume fills them) and columns this version does not have are
            dropped, all tables in one transaction: on any error nothing changes.
            Examples:
              loto-features migrate --store sqlite:reports/loto-features.sqlite --dry-run
              loto-features migrate --store postgresql://me@localhost/loto
            """
    )

    @Option(
        help: "The store: sqlite:PATH or a postgresql:// URL.",
        transform: OptionValue.parser(StoreLocation.init(option:)))
    var store: StoreLocation

    @Flag(help: "Print what the migration would do and change nothing.")
    var dryRun = false

    func validate() throws {
        if let problem = store.problem ?? store.missingProblem {
            throw ValidationError("--store \(store.shown): \(problem)")
        }
    }

    func run() throws {
        let opened = try store.open()
        let plans = dryRun ? try opened.migrationPlan() : try opened.migrate()
        guard !plans.isEmpty else {
            print("\(store.shown): every table is in the current schema; nothing to migrate")
            return
        }
        for plan in plans { print(plan.summary.joined(separator: "\n")) }
        print(
            dryRun
                ? "dry run: nothing changed; run the same command without --dry-run to migrate"
                : "migrated \(plans.count) table\(plans.count == 1 ? "" : "s") in one transaction; run loto-features generate (without --resume) to fill the new columns"
        )
    }
}

/// `loto-features show`: rows of one table as CSV.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print rows of a feature table as CSV (header first, key order).",
        discussion: """
            Numbers are printed in their shortest exact form, booleans as true/false, NULL as an
            empty field; the same for SQLite and PostgreSQL.
            Examples:
              loto-features show --store sqlite:reports/loto-features.sqlite --table stat
              loto-features show --store sqlite:reports/loto-features.sqlite --table hist --loto loto6 --unique-id N1 --limit 10
            """
    )

    @Option(
        help: "The store: sqlite:PATH or a postgresql:// URL.",
        transform: OptionValue.parser(StoreLocation.init(option:)))
    var store: StoreLocation

    @Option(
        help: "hist, futr or stat (or the table's name, e.g. features_hist).",
        transform: OptionValue.parser(ShowCommand.table(_:)))
    var table: FeatureTable

    @Option(help: "Only this game's rows.")
    var loto: String?

    @Option(help: "Only this unique_id's rows.")
    var uniqueId: String?

    @Option(help: "At most this many rows, 1 to 1,000,000,000 (default: all).")
    var limit: Int?

    static func table(_ text: String) throws -> FeatureTable {
        guard let table = FeatureTable(rawValue: text) ?? FeatureTable.allCases.first(where: { $0.name == text }) else {
            throw OptionRefusal("--table: unknown table '\(text)'; use hist, futr or stat, e.g. --table stat")
        }
        return table
    }

    func validate() throws {
        if let limit {
            do {
                try CheckedNumber.checked(limit, in: 1...1_000_000_000, source: "--limit")
            } catch {
                throw ValidationError("\(error)")
            }
        }
        if let problem = store.problem ?? store.missingProblem {
            throw ValidationError("--store \(store.shown): \(problem)")
        }
    }

    func run() throws {
        let opened = try store.open()
        var printed = -1
        try opened.forEachRow(table, loto: loto, uniqueId: uniqueId) { cells in
            print(cells.joined(separator: ","))
            printed += 1
            return limit.map { printed < $0 } ?? true
        }
    }
}

/// `loto-features info`: what a store holds, per table.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print per feature table its rows, series, date range and last update.",
        discussion: """
            Example:
              loto-features info --store sqlite:reports/loto-features.sqlite
            """
    )

    @Option(
        help: "The store: sqlite:PATH or a postgresql:// URL.",
        transform: OptionValue.parser(StoreLocation.init(option:)))
    var store: StoreLocation

    func validate() throws {
        if let problem = store.problem ?? store.missingProblem {
            throw ValidationError("--store \(store.shown): \(problem)")
        }
    }

    func run() throws {
        print(store.shown)
        for info in try store.open().info() { print("  " + info.line) }
    }
}

/// `loto-features pipelines`: every pipeline with its columns and reference.
struct PipelinesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipelines",
        abstract: "List the pipelines (for --pipelines), each with its tables, columns and reference."
    )

    func run() {
        for pipeline in FeaturePipelines.all {
            print("\(pipeline.id) \(pipeline.title) — \(pipeline.reference)")
            for table in pipeline.tables {
                let names = pipeline.columns(in: table).map(\.name)
                print("  \(table.name) (\(names.count)): \(names.joined(separator: ", "))")
            }
        }
    }
}

/// `loto-features status`: how the series shared by `generate --worker` stand.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the work table of 'generate --worker' runs: series pending, claimed, expired, done and failed.",
        discussion: """
            Claimed series are held by a live lease; expired ones were claimed by a worker that died
            or ran past --lease, and the next worker to look claims them again. A series whose
            lease expired three times is failed. Exit codes: 0 nothing failed or outstanding; 1 a
            series failed; 3 series are still pending or claimed; 2 bad input.
            Example: loto-features status --store postgresql://me@localhost/loto
            """
    )

    @Option(
        help: "The PostgreSQL store the workers write to.",
        transform: OptionValue.parser(StoreLocation.init(option:)))
    var store: StoreLocation

    func validate() throws {
        guard case .postgres = store else {
            throw ValidationError(
                "--store \(store.shown): workers share work only through PostgreSQL; give a postgresql:// URL")
        }
        if let problem = store.problem { throw ValidationError("--store \(store.shown): \(problem)") }
    }

    func run() throws {
        guard case .postgres(let url) = store else { return }
        let opened = try PostgresFeatureStore(connectionString: url)
        guard let status = try PostgresWorkQueue.status(of: opened) else {
            throw LotoFeaturesError.usage(
                "\(opened.target) has no work table yet; start workers with loto-features generate --input … --store \(store.shown) --worker"
            )
        }
        print("pending  \(status.pending)")
        print("claimed  \(status.claimed)")
        print("expired  \(status.expired)")
        print("done     \(status.done)")
        print("failed   \(status.failed)")
        for (worker, count) in status.workers { print("  \(worker) holds \(count)") }
        for (key, error) in status.failures { print("  failed \(key): \(error)") }
        if status.failed > 0 { throw ExitCode(1) }
        if status.pending + status.claimed + status.expired > 0 { throw ExitCode(3) }
    }
}
