import ArgumentParser
import Foundation
import LotoFeatures
import MemoryGovernor

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

    @Option(help: "Series computed at once (default: the number of cores).")
    var workers = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Memory budget in MiB for the governor that sizes batches (default: from the cgroup or the machine).")
    var budgetMib: Int?

    func validate() throws {
        _ = try parsedTables()
        guard workers >= 1, workers <= 256 else { throw ValidationError("--workers must be between 1 and 256, e.g. --workers 4") }
        guard StoreLocation(store) != nil else {
            throw ValidationError("--store must be sqlite:PATH or postgresql://user@host/db, e.g. --store sqlite:reports/features.sqlite")
        }
        guard InputIdentifier.isValid(inputTable) else {
            throw ValidationError("--input-table must be a plain table name (letters, digits, _ and an optional schema.), e.g. --input-table draws")
        }
        if let budgetMib, budgetMib < 16 { throw ValidationError("--budget-mib must be at least 16, e.g. --budget-mib 512") }
    }

    private func parsedTables() throws -> [FeatureTable] {
        do { return try FeatureTable.parseList(tables) } catch { throw ValidationError("\(error)") }
    }

    func run() async throws {
        let bar = ProgressBar()
        do {
            let series = try DrawSource.read(input, table: inputTable)
            let store = try StoreLocation(store)!.open()
            let governor = try MemoryGovernor.forThisProcess(budgetBytes: budgetMib.map { $0 * 1024 * 1024 })
            let generator = FeatureGenerator(tables: try parsedTables(), workers: workers, governor: governor)
            let summary = try await generator.run(series, into: store) { bar.update($0) }
            bar.finish()
            FileHandle.standardError.write(Data("\(summary.series) series, \(summary.rowsComputed) rows computed in \(summary.batches) batches; \(summary.rowsChanged) rows inserted or changed in \(store.target)\n".utf8))
        } catch let error as LotoFeaturesError {
            bar.finish()
            FileHandle.standardError.write(Data("loto-features: \(error)\n".utf8))
            throw ExitCode(1)
        } catch let error as AdmissionError {
            bar.finish()
            FileHandle.standardError.write(Data("loto-features: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
