import ArgumentParser
import Foundation

/// The one entry point of the engine executables (ast2graph, issue-stream, loto-features):
/// parses the command line, runs the command and exits with its code, every failure printed as
/// one line `NAME: error: …` on standard error.
///
/// - `--help` and `--version` print ArgumentParser's text on standard output and exit 0.
/// - A bad flag or value (ArgumentParser's own errors, `ValidationError`, a refused option
///   value) is its first line and where to read more, exit 2; a value refused by an
///   ``OptionValue`` transform is that transform's own line.
/// - A ``CommandFailure``, or what the engine's `failure` maps an error to, is its line and
///   code; an `ExitCode` thrown by a command that printed its own line is that code alone.
/// - Anything else is a run that failed: its description, exit 1.
///
/// Lines made from ArgumentParser's messages or an unknown error are scrubbed of the
/// arguments' credentials (``StandardError/redacted(_:)``) whatever `printLine` does; an
/// engine's own lines are printed by `printLine` as the engine wrote them.
public enum EngineCommandLine {
    /// Runs `command` as the process and exits. `failure` maps the engine's own errors to their
    /// line and exit code (nil leaves an error to the rules above); `printLine` writes one line
    /// to standard error (by default ``StandardError/printLine(_:)``: one line, credentials
    /// redacted).
    public static func run<Command: AsyncParsableCommand>(
        _ command: Command.Type,
        failure: @Sendable (any Error) -> CommandFailure? = { _ in nil },
        printLine: @Sendable (String) -> Void = StandardError.printLine
    ) async -> Never {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let code = await exitCode(command, arguments: arguments, failure: failure, printLine: printLine)
        // Every output stream, before exit.
        fflush(nil)
        exit(code)
    }

    /// Parses `arguments`, runs the command and returns the exit code, having printed the
    /// failure's one line. Help and version print their text and exit the process.
    public static func exitCode<Command: AsyncParsableCommand>(
        _ command: Command.Type, arguments: [String],
        failure: @Sendable (any Error) -> CommandFailure? = { _ in nil },
        printLine: @Sendable (String) -> Void = StandardError.printLine
    ) async -> Int32 {
        let refusals = ParseRefusals()
        do {
            var parsed = try ParseRefusals.$current.withValue(refusals) { () throws -> any ParsableCommand in
                try command.parseAsRoot(arguments)
            }
            if var asynchronous = parsed as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try parsed.run()
            }
            return EngineExitCode.success
        } catch {
            return report(
                error, of: command, arguments: arguments, refusals: refusals, failure: failure, printLine: printLine)
        }
    }

    private static func report<Command: AsyncParsableCommand>(
        _ error: any Error, of command: Command.Type, arguments: [String], refusals: ParseRefusals,
        failure: @Sendable (any Error) -> CommandFailure?, printLine: @Sendable (String) -> Void
    ) -> Int32 {
        let name = command.configuration.commandName ?? "\(command)"
        if let exit = error as? ExitCode { return exit.rawValue }
        if let known = error as? CommandFailure ?? failure(error) {
            printLine("\(name): error: \(known.description)")
            return known.exitCode
        }
        let message = command.message(for: error)
        switch command.exitCode(for: error) {
        case .success:
            // Help or version: ArgumentParser prints the right command's text and exits 0.
            command.exit(withError: error)
        case .validationFailure:
            // ArgumentParser's messages end in a usage block; its first line says what is wrong.
            // With more than a few allowed values the first line ends in "one of the following:"
            // and the values follow as "- value" lines: they are joined onto it.
            let lines = message.split(whereSeparator: \.isNewline).map(String.init)
            var firstLine = lines.first ?? message
            let values = lines.dropFirst().prefix { $0.trimmingPrefix(while: \.isWhitespace).hasPrefix("- ") }
            if firstLine.hasSuffix(":"), !values.isEmpty {
                firstLine +=
                    " "
                    + values.map { "'\($0.trimmingPrefix(while: \.isWhitespace).dropFirst(2))'" }.joined(
                        separator: ", ")
            }
            let line = refusals.refusal(endingMessage: message) ?? firstLine
            let help = commandPath(command, arguments: arguments) + " --help"
            // ArgumentParser echoes the arguments as typed: a database URL's password with them.
            printLine(StandardError.redacted("\(name): error: \(line) (see '\(help)')"))
            return EngineExitCode.usage
        default:
            let line = message.isEmpty ? String(describing: error) : message
            printLine(StandardError.redacted("\(name): error: \(line)"))
            return EngineExitCode.runFailed
        }
    }

    /// The root's name and the subcommands `arguments` start with: `loto-features generate`.
    static func commandPath(_ root: any ParsableCommand.Type, arguments: [String]) -> String {
        var path = [root.configuration.commandName ?? "\(root)"]
        var current = root
        for argument in arguments {
            let subcommands = current.configuration.subcommands
            guard let next = subcommands.first(where: { $0.configuration.commandName == argument }) else { break }
            path.append(argument)
            current = next
        }
        return path.joined(separator: " ")
    }
}
