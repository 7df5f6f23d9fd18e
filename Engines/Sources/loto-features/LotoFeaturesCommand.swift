import ArgumentParser
import Foundation
import LotoFeatures
import MemoryGovernor
import SoakGateBasics

/// `loto-features`: lottery draw series → features_hist, features_futr, features_stat.
@main
struct LotoFeaturesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loto-features",
        abstract: "Lottery draw series into forecasting features (features_hist, features_futr, features_stat) in SQLite or PostgreSQL.",
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
        subcommands: [SampleCommand.self, GenerateCommand.self]
    )

    /// Parses, runs and exits with one line on standard error for every failure: ArgumentParser's
    /// own messages (which end in a usage block) are cut to their first line, so a bad flag
    /// reads like every other refusal.
    static func main() async {
        let code: Int32
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
            code = 0
        } catch {
            code = report(error)
        }
        fflush(nil)  // every output stream, before exit
        Foundation.exit(code)
    }

    /// Prints `error` as one line and returns the exit code for it.
    private static func report(_ error: Error) -> Int32 {
        if let exit = error as? ExitCode { return exit.rawValue }
        if let error = error as? LotoFeaturesError {
            Terminal.error(error.description)
            return error.exitCode
        }
        if error is AdmissionError || error is MemoryBudget.BudgetError {
            Terminal.error(String(describing: error))
            return 1
        }
        if error is CheckedNumber.RangeError || error is FileError || error is RegularFile.ReadError {
            Terminal.error(String(describing: error))
            return 2
        }
        if exitCode(for: error) == .success {
            // Help or version: ArgumentParser prints the right command's text and exits 0.
            exit(withError: error)
        }
        let message = self.message(for: error)
        let firstLine = message.split(whereSeparator: \.isNewline).first.map(String.init) ?? message
        Terminal.error("\(firstLine) (see 'loto-features help')")
        return 2
    }
}

/// One-line messages on standard error.
enum Terminal {
    /// Writes `loto-features: message` and a newline to standard error.
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("loto-features: \(message)\n".utf8))
    }
}

extension LotoFeaturesError {
    /// 2 for what the user gave (a flag, an input file, its content), 1 for a store, a source
    /// or a governor that failed the run.
    var exitCode: Int32 {
        switch self {
        case .csv, .file, .usage: return 2
        case .store, .source, .interrupted, .output: return 1
        }
    }
}
