/// The exit codes every engine executable shares, as their `--help` lists them.
public enum EngineExitCode {
    /// The run did what was asked (an engine may still list items it could not process).
    public static let success: Int32 = 0
    /// The run started and then stopped or failed: a store, server or write that failed, an
    /// interruption, the memory governor's stop. Its one line says why and how far it got.
    public static let runFailed: Int32 = 1
    /// The run could not start: a bad flag or value, a file or setting that cannot be used.
    /// Nothing was requested or written.
    public static let usage: Int32 = 2
}

/// A failure with the exit code it maps to, printed by ``EngineCommandLine`` as one line
/// `NAME: error: DESCRIPTION`.
public struct CommandFailure: Error, CustomStringConvertible, Sendable {
    /// The process's exit code.
    public var exitCode: Int32
    /// The line's text after `NAME: error: `: what is wrong, naming the input.
    public var description: String

    /// A failure with any exit code.
    public init(exitCode: Int32, description: String) {
        self.exitCode = exitCode
        self.description = description
    }

    /// A run that could not start (exit 2).
    public static func usage(_ message: String) -> CommandFailure {
        CommandFailure(exitCode: EngineExitCode.usage, description: message)
    }

    /// A run that failed after it started (exit 1).
    public static func runFailed(_ message: String) -> CommandFailure {
        CommandFailure(exitCode: EngineExitCode.runFailed, description: message)
    }
}
