import ArgumentParser
import Foundation
import SoakGate
import SoakGateBasics

/// The whole `soakgate` command line over a package's own workloads, from one call in an
/// executable target:
///
/// ```swift
/// import SoakGateCLI
///
/// @main struct Leaks {
///     static func main() async {
///         await SoakGateMain.run(workloads: [
///             WorkloadDefinition("parser.invoice") { _ = try parseInvoice(sample) },
///         ])
///     }
/// }
/// ```
///
/// The executable answers `list`, `check`, `soak`, `report` and `gate`, and the hidden
/// `_measure` and `_soak` that `check` and `soak` start it with, one process per workload.
public enum SoakGateMain {
    /// Parses the command line, runs the command and exits with its code: 0 no leak, 1 leak,
    /// 2 usage or configuration error, 3 a workload crashed or timed out.
    public static func run(
        workloads: [WorkloadDefinition], arguments: [String] = Array(CommandLine.arguments.dropFirst())
    ) async -> Never {
        let context = CommandContext(workloads: workloads)
        let code: Int32
        do {
            try context.validateNames()
            let command = try SoakGateCommand.parseAsRoot(arguments)
            if let runnable = command as? any RunnableCommand {
                code = try await runnable.execute(context)
            } else {
                // `--help` and `help NAME` parse as ArgumentParser's own help command, whose
                // run prints the right command's help.
                var other = command
                try other.run()
                code = 0
            }
        } catch {
            code = report(error)
        }
        fflush(nil) // every output stream, before exit
        exit(code)
    }

    private static func report(_ error: Error) -> Int32 {
        if let error = error as? CommandError {
            Terminal.error(error.description)
            return error.exitCode
        }
        if isOwn(error) {
            Terminal.error(String(describing: error))
            return 2
        }
        if SoakGateCommand.exitCode(for: error) == .success {
            // Help or version: ArgumentParser prints the right command's text and exits 0.
            SoakGateCommand.exit(withError: error)
        }
        let message = SoakGateCommand.message(for: error)
        let firstLine = message.split(separator: "\n").first.map(String.init) ?? message
        Terminal.error("\(firstLine) (see 'soakgate help')")
        return 2
    }

    private static func isOwn(_ error: Error) -> Bool {
        error is WorkloadSelection.SelectionError || error is MeasurementPlan.PlanError
            || error is FileError || error is IsolatedMeasurement.ConfigurationError
            || error is ReportReadError || error is GatePolicy.PolicyError || error is CheckedNumber.RangeError
            || error is RegularFile.ReadError || error is SoakManifest.Problem || error is SoakDuration.ParseError
            || error is ByteCount.ParseError || error is SoakDirectory.SoakDirectoryError || error is ShardError
            || error is ShardSpec.ParseError
    }
}

/// What every subcommand needs from the executable that hosts it.
struct CommandContext: Sendable {
    var workloads: [WorkloadDefinition]

    /// This executable, for starting measuring processes.
    var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// The workloads `patterns` name (`--workload`), or those that run by default when there are
    /// none; refuses a selection that comes out empty, saying what to type.
    func selectWorkloads(_ patterns: [String]) throws -> [WorkloadDefinition] {
        let selected =
            patterns.isEmpty
            ? workloads.filter(\.runsByDefault)
            : try WorkloadSelection(patterns: patterns).select(from: workloads)
        guard !selected.isEmpty else {
            throw CommandError(
                exitCode: 2,
                description: "no workload runs by default here; name one with --workload (see 'soakgate list')")
        }
        return selected
    }

    func validateNames() throws {
        var seen = Set<String>()
        for workload in workloads {
            guard !workload.name.isEmpty, !workload.name.contains(where: { $0.isWhitespace || $0 == "*" }) else {
                throw CommandError(
                    exitCode: 2,
                    description:
                        "workload name '\(workload.name)' is empty or holds a space or '*'; rename it in the executable that registers it"
                )
            }
            guard seen.insert(workload.name).inserted else {
                throw CommandError(
                    exitCode: 2, description: "two workloads are named '\(workload.name)'; names must be unique")
            }
        }
    }
}

/// A subcommand that runs with the host executable's workloads.
protocol RunnableCommand: ParsableCommand {
    func execute(_ context: CommandContext) async throws -> Int32
}

/// An error with the exit code it maps to, printed as one line.
struct CommandError: Error, CustomStringConvertible {
    var exitCode: Int32
    var description: String
}

struct SoakGateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soakgate",
        abstract: "Finds memory leaks by reading jemalloc's exact live-heap figures while workloads repeat.",
        discussion: """
            Each workload runs in a process of its own with jemalloc's thread cache off. Live bytes are read \
            after 1, 10, 100 and 1000 iterations (and checkpoints between); if the last step grew, \
            windows of 1000, 2000, 4000, ... iterations follow until one stops growing (no leak) or the time \
            budget (check --budget, 60 s) runs short; then a final stretch decides: leak, no leak, or \
            inconclusive. The method is described in docs/method.md.

            Exit codes: 0 no leak, 1 leak, 2 usage or configuration error, 3 a workload crashed or timed out, \
            4 a workload was inconclusive.
            """,
        version: SoakGateVersion.current,
        subcommands: [
            ListCommand.self, CheckCommand.self, BenchCommand.self, SoakCommand.self, ReportCommand.self,
            GateCommand.self, MergeCommand.self,
            MeasureCommand.self,
            SoakProcessCommand.self,
        ]
    )
}

/// Writing to the terminal.
enum Terminal {
    static let standardErrorIsTerminal = isatty(2) == 1

    static func error(_ message: String) {
        FileHandle.standardError.write(Data("soakgate: \(message)\n".utf8))
    }

    static func status(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
