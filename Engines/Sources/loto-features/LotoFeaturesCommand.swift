import ArgumentParser
import EngineCommandLine
import LotoFeatures
import MemoryGovernor
import SoakGateBasics

/// `loto-features`: lottery draw series → features_hist, features_futr, features_stat.
@main
struct LotoFeaturesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loto-features",
        abstract:
            "Lottery draw series into forecasting features (features_hist, features_futr, features_stat) in SQLite or PostgreSQL.",
        discussion: """
            Start with a sample file, then generate the tables:
              loto-features sample --loto loto6 --draws 500 --out draws.csv
              loto-features generate --input draws.csv
            Exit codes: 0 done; 1 the store, the source or the memory governor failed the run
            (every finished batch is kept; after a stop the line ends with the command that
            completes the rest, with --resume); 2 a bad flag, a bad input file or a memory
            budget below what the process already uses, nothing written.
            """,
        version: SoakGateVersion.current,
        subcommands: [
            SampleCommand.self, GenerateCommand.self, MigrateCommand.self, ShowCommand.self, InfoCommand.self,
            PipelinesCommand.self, StatusCommand.self,
        ]
    )

    /// The entry point: every failure is one line `loto-features: error: …` and its exit code.
    /// Its own lines show a database URL redacted already (`StoreLocation.shown`), and a stop
    /// line's command keeps the URL's user name so that typing it connects as the same user.
    static func main() async {
        await EngineCommandLine.run(
            Self.self, failure: failure(for:), printLine: { StandardError.printLine($0, redactingArguments: false) })
    }

    /// The line and exit code of loto-features' own errors; nil leaves the rest (ArgumentParser's,
    /// a run that failed for another reason) to ``EngineCommandLine``.
    static func failure(for error: any Error) -> CommandFailure? {
        switch error {
        case let error as LotoFeaturesError: CommandFailure(exitCode: error.exitCode, description: error.description)
        case is AdmissionError, is MemoryBudget.BudgetError: .runFailed(String(describing: error))
        case is CheckedNumber.RangeError, is FileError, is RegularFile.ReadError: .usage(String(describing: error))
        default: nil
        }
    }
}

extension LotoFeaturesError {
    /// 2 for what the user gave (a flag, an input file, its content), 1 for a store, a source
    /// or a governor that failed the run.
    var exitCode: Int32 {
        switch self {
        case .csv, .file, .usage: EngineExitCode.usage
        case .store, .source, .interrupted, .output: EngineExitCode.runFailed
        }
    }
}
