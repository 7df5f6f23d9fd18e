import Foundation
import SoakGateBasics

/// Lines for standard error, each made one line and (unless the engine redacts its own lines)
/// scrubbed of the credentials the command line carries, whatever a library, a server or
/// ArgumentParser echoed into it.
public enum StandardError {
    /// The command-line arguments that may carry a credential: URLs and libpq `key=value`
    /// strings, whole and (for `--flag=value`) as their value.
    static let credentialBearingArguments: [String] = CommandLine.arguments.dropFirst().flatMap {
        argument -> [String] in
        guard argument.contains("://") || argument.contains("=") else { return [] }
        if argument.hasPrefix("-"), let equals = argument.firstIndex(of: "=") {
            return [argument, String(argument[argument.index(after: equals)...])]
        }
        return [argument]
    }

    /// Whether any argument may carry a credential (a stop line then says that `***` in the
    /// command to type again stands for it).
    public static var argumentsHoldCredentials: Bool { !credentialBearingArguments.isEmpty }

    /// `line` with the secrets of every credential-bearing argument replaced by `***`: a URL's
    /// user information (user name included) and password-like parameters.
    public static func redacted(_ line: String) -> String {
        credentialBearingArguments.reduce(line) { text, source in Redaction.scrub(text, secretsOf: source) }
    }

    /// `line` as one line: control characters and line or paragraph separators become spaces.
    public static func oneLine(_ line: String) -> String {
        String(
            String.UnicodeScalarView(
                line.unicodeScalars.map { scalar in
                    let value = scalar.value
                    return value < 0x20 || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029
                        ? " " : scalar
                }))
    }

    /// Prints `line` and a newline on standard error, made one line, with the credentials of
    /// the arguments redacted.
    public static func printLine(_ line: String) {
        printLine(line, redactingArguments: true)
    }

    /// Prints `line` and a newline on standard error, made one line; with `redactingArguments`
    /// false the line is printed as the engine redacted it (loto-features keeps a database
    /// URL's user name in the command it says to type, as `ShellCommand` writes it).
    public static func printLine(_ line: String, redactingArguments: Bool) {
        FileHandle.standardError.write(Data((oneLine(redactingArguments ? redacted(line) : line) + "\n").utf8))
    }
}
