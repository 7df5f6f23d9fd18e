import ArgumentParser
import Foundation
import LotoFeatures
import MemoryGovernor
import SoakGateBasics

/// `loto-features generate`: draws → feature tables in a store.
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate features_hist, features_futr and features_stat from draws into SQLite or PostgreSQL.",
        discussion: """
            Input is a CSV file (header loto,unique_id,ds,y[,num,co]) or a PostgreSQL table
            (--input postgresql://user@host/db --input-table draws). Writes are idempotent
            upserts, one transaction per batch of series: a rerun changes nothing, a run over
            extended input adds only the new rows, and after a failure a rerun completes the rest.
            Examples:
              loto-features generate --input draws.csv
              loto-features generate --input draws.csv --store sqlite:features.db --tables hist,stat
              loto-features generate --input draws.csv --store postgresql://me@localhost/loto --workers 4
            """
    )

    @Option(help: "The draws: a CSV file, or a postgresql:// URL (with --input-table).")
    var input: String

    @Option(help: "The table to read when --input is PostgreSQL; needs columns loto, unique_id, ds, y (num, co optional).")
    var inputTable = "draws"

    @Option(help: "Where to write: sqlite:PATH or a postgresql:// URL.")
    var store = "sqlite:reports/loto-features.sqlite"

    @Option(help: "Tables to generate, a comma-separated subset of hist,futr,stat.")
    var tables = "hist,futr,stat"

    @Option(help: "Series computed at once, 1 to 256 (default: the number of cores).")
    var workers = min(max(ProcessInfo.processInfo.activeProcessorCount, 1), 256)

    @Option(help: "Memory budget in MiB for the governor that sizes batches, from 16 to the machine's memory (default: from the cgroup or the machine).")
    var budgetMib: Int?

    /// The most MiB a budget may name: the machine's memory (the governor refuses more), which
    /// also keeps the conversion to bytes far from overflowing.
    static var budgetMibRange: ClosedRange<Int> { 16...max(16, Int(clamping: ProcessInfo.processInfo.physicalMemory >> 20)) }

    func validate() throws {
        _ = try parsedTables()
        do {
            try CheckedNumber.checked(workers, in: 1...256, source: "--workers")
            if let budgetMib { try CheckedNumber.checked(budgetMib, in: Self.budgetMibRange, source: "--budget-mib", unit: "MiB") }
        } catch {
            throw ValidationError("\(error)")
        }
        guard let location = StoreLocation(store) else {
            throw ValidationError("--store '\(Redaction.url(store))' must be sqlite:PATH or postgresql://user@host/db, e.g. --store sqlite:reports/features.sqlite")
        }
        if let problem = location.problem { throw ValidationError("--store \(location.shown): \(problem)") }
        if let problem = DrawSource.problem(input) { throw ValidationError("--input \(Redaction.url(input)): \(problem)") }
        guard InputIdentifier.isValid(inputTable) else {
            throw ValidationError("--input-table must be a plain table name (letters, digits, _ and an optional schema.), e.g. --input-table draws")
        }
    }

    private func parsedTables() throws -> [FeatureTable] {
        do { return try FeatureTable.parseList(tables) } catch { throw ValidationError("\(error)") }
    }

    func run() async throws {
        guard let location = StoreLocation(store) else { throw ValidationError("--store '\(Redaction.url(store))' is not sqlite:PATH or a postgresql:// URL") }
        let bar = ProgressBar()
        do {
            let series = try DrawSource.read(input, table: inputTable)
            let store = try location.open()
            // In range (validate): at most the machine's memory in MiB, so the shift cannot overflow.
            let governor = try MemoryGovernor.forThisProcess(budgetBytes: budgetMib.map { $0 << 20 })
            let generator = FeatureGenerator(tables: try parsedTables(), workers: workers, governor: governor)
            let summary = try await generator.run(series, into: store) { bar.update($0) }
            bar.finish()
            FileHandle.standardError.write(Data("\(summary.series) series, \(summary.rowsComputed) rows computed in \(summary.batches) batches; \(summary.rowsChanged) rows inserted or changed in \(store.target)\n".utf8))
        } catch {
            // The entry point prints the one line and picks the exit code.
            bar.finish()
            throw error
        }
    }
}
