import ArgumentParser
import EngineCommandLine
import IssueStream
import SoakGateBasics

/// `issue-stream`: GitHub issue triage over the REST API.
@main
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

    /// The entry point: every failure is one line `issue-stream: error: …` (control characters
    /// made spaces, the token hidden) and its exit code.
    static func main() async {
        await EngineCommandLine.run(Self.self, failure: failure(for:), printLine: CommandOutput.write)
    }

    /// The line and exit code of issue-stream's own errors: a bad flag, file or setting is 2, a
    /// run that stopped is 1. Nil leaves the rest to ``EngineCommandLine``.
    static func failure(for error: any Error) -> CommandFailure? {
        switch error {
        case let error as IssueStreamError: error.isUsage ? .usage(error.description) : .runFailed(error.description)
        case is CheckedNumber.RangeError, is RegularFile.ReadError, is FileError: .usage(String(describing: error))
        default: nil
        }
    }

    /// Whether `error` is a bad flag, file or setting (exit 2), not a run that failed.
    static func isUsage(_ error: any Error) -> Bool {
        (error as? CommandFailure ?? failure(for: error))?.exitCode == EngineExitCode.usage
    }
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
