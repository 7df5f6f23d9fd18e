import ArgumentParser
import Foundation
// Reached through MemoryGovernor's dependency on swift-log (Package.swift does not list it for
// this target).
import Logging
import SoakGateBasics

/// The entry point: parses the command line, runs, and exits with the documented code. Every
/// error, ArgumentParser's own included, is one line on stderr with any credential redacted.
@main
enum AST2GraphMain {
    static func main() async {
        // Every outcome is one line ast2graph prints itself; the memory governor's log lines
        // (level changes, dropped caches, stop requests) would break that, and are all in
        // --governor-report's `actions`.
        LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() }
        let code: Int32
        do {
            var command = try AST2GraphCommand.parseAsRoot(Array(CommandLine.arguments.dropFirst()))
            if let ours = command as? AST2GraphCommand {
                code = await ours.execute()
            } else {
                try command.run()
                code = 0
            }
        } catch {
            code = report(error)
        }
        fflush(nil)
        exit(code)
    }

    /// Prints a parse or validation error as one line and returns 2; help and version print
    /// their text and exit 0.
    private static func report(_ error: any Error) -> Int32 {
        if AST2GraphCommand.exitCode(for: error) == .success {
            AST2GraphCommand.exit(withError: error)
        }
        let message = AST2GraphCommand.message(for: error)
        let firstLine = message.split(separator: "\n").first.map(String.init) ?? message
        printError("ast2graph: error: \(firstLine) (see 'ast2graph --help')")
        return ExitStatus.usage
    }
}

/// The exit codes, as `--help` lists them.
enum ExitStatus {
    /// Every file gave a graph, or some did (the others are listed as failed).
    static let success: Int32 = 0
    /// The run started but gave no output: no file gave a graph (any earlier output is left
    /// untouched), a write or database error, an interruption or the memory governor's stop.
    static let runFailed: Int32 = 1
    /// The run could not start: a bad flag or value, a missing or special input, an output,
    /// summary or checkpoint path that cannot be used, or a database that cannot be reached.
    static let usage: Int32 = 2
}

/// A failure with the exit code it maps to, printed as one line.
struct CommandFailure: Error, CustomStringConvertible {
    var exitCode: Int32
    var description: String

    /// A usage error (exit 2).
    static func usage(_ message: String) -> CommandFailure { CommandFailure(exitCode: ExitStatus.usage, description: message) }
    /// A run that failed after it started (exit 1).
    static func runFailed(_ message: String) -> CommandFailure { CommandFailure(exitCode: ExitStatus.runFailed, description: message) }
}

/// The command-line arguments that may carry a credential: URLs and libpq `key=value`
/// strings, whole and (for `--flag=value`) as their value. Every line ast2graph prints is
/// scrubbed of their secrets, so a URL echoed by ArgumentParser, libpq or a path is redacted.
let credentialBearingArguments: [String] = CommandLine.arguments.dropFirst().flatMap { argument -> [String] in
    guard argument.contains("://") || argument.contains("=") else { return [] }
    if argument.hasPrefix("-"), let equals = argument.firstIndex(of: "=") {
        return [argument, String(argument[argument.index(after: equals)...])]
    }
    return [argument]
}

/// `line` with the secrets of every credential-bearing argument replaced by `***`.
func redacted(_ line: String) -> String {
    credentialBearingArguments.reduce(line) { text, source in Redaction.scrub(text, secretsOf: source) }
}

/// Prints one line to stderr, with credentials redacted.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((redacted(line) + "\n").utf8))
}
