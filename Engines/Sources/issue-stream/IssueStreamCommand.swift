import ArgumentParser
import Foundation
import IssueStream
import SoakGateBasics

/// `issue-stream`: GitHub issue triage over the REST API.
struct IssueStreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue-stream",
        abstract: "Triage a GitHub repository's issues over the REST API, paced to its rate limit.",
        discussion: """
            Lists every issue page by page (following GitHub's link headers), decides kind, priority, \
            area and duplicate candidates, writes one JSON line per issue, and with --apply adds labels \
            and one triage comment. Try `issue-stream demo` first: it needs no network. Exit codes: 0 \
            done, 1 the run stopped (the reason is on standard error and in the output's run_error line), \
            2 a bad flag, file or setting (one line says which; nothing was requested or written).
            """,
        version: SoakGateVersion.current,
        subcommands: [TriageCommand.self, DemoCommand.self])
}

/// The entry point: parses, runs, and turns every error into one line and an exit code, so a
/// bad flag is `issue-stream: <what is wrong>` and status 2, never ArgumentParser's usage page.
@main
enum IssueStreamMain {
    static func main() async {
        let code: Int32
        do {
            var command = try IssueStreamCommand.parseAsRoot()
            if var runnable = command as? any AsyncParsableCommand {
                try await runnable.run()
            } else {
                try command.run()
            }
            code = 0
        } catch {
            code = report(error)
        }
        fflush(nil)
        exit(code)
    }

    /// Whether `error` is a bad flag, file or setting (exit 2), not a run that failed.
    static func isUsage(_ error: any Error) -> Bool {
        if error is UsageError || error is CheckedNumber.RangeError || error is RegularFile.ReadError || error is FileError { return true }
        if let error = error as? IssueStreamError { return error.isUsage }
        return false
    }

    /// Prints `error` as one line and returns the exit code.
    static func report(_ error: any Error) -> Int32 {
        if let exit = error as? ExitCode { return exit.rawValue }
        if let usage = error as? UsageError {
            CommandOutput.usage(usage.message)
            return 2
        }
        if let error = error as? IssueStreamError {
            if error.isUsage {
                CommandOutput.usage(error.description)
                return 2
            }
            CommandOutput.error(error.description)
            return 1
        }
        if error is CheckedNumber.RangeError || error is RegularFile.ReadError || error is FileError {
            CommandOutput.usage(String(describing: error))
            return 2
        }
        if IssueStreamCommand.exitCode(for: error) == .success {
            // Help: ArgumentParser prints the right command's text and exits 0.
            IssueStreamCommand.exit(withError: error)
        }
        let message = IssueStreamCommand.message(for: error)
        if message.isEmpty {
            CommandOutput.error(String(describing: error))
            return 1
        }
        let firstLine = message.split(whereSeparator: \.isNewline).first.map(String.init) ?? message
        CommandOutput.usage("\(firstLine) (see 'issue-stream help')")
        return 2
    }
}

/// A bad flag, file or setting found before anything was requested: exit 2 with this line.
struct UsageError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

extension IssueStreamError {
    /// Errors that mean the command line or a file it names is wrong, found before the run
    /// started: exit 2 (a run that stopped exits 1).
    var isUsage: Bool {
        switch self {
        case .badAPIURL, .badConfiguration, .badRules, .cannotCreateOutput, .cannotResume: return true
        default: return false
        }
    }
}
