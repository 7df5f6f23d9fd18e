import SoakGateBasics
import Synchronization

/// Option values checked once, where ArgumentParser reads them: a transform made here turns
/// the text into the value the command uses (an enum, a parsed address, a checked number) or
/// refuses it with one line naming the flag. The command never holds the text to parse again,
/// so nothing later unwraps a value a validation already proved.
public enum OptionValue {
    /// A transform for `@Option(transform:)`: `parse` returns the value or throws why the
    /// text is refused, as a line that names the flag (`--store 'x' must be sqlite:PATH or …`).
    /// ``EngineCommandLine`` prints that line as it is, not inside ArgumentParser's
    /// "The value '…' is invalid for '…'" that would name the flag and the value twice.
    public static func parser<Value>(
        _ parse: @escaping @Sendable (String) throws -> Value
    ) -> @Sendable (String) throws -> Value {
        { text in
            do {
                return try parse(text)
            } catch {
                let refusal = OptionRefusal(String(describing: error))
                ParseRefusals.current?.record(refusal.description)
                throw refusal
            }
        }
    }

    /// A transform accepting a whole number in `range`, refused as `CheckedNumber` words it:
    /// `--workers '0' is out of range: expected a whole number from 1 to 1024`.
    public static func integer<Number: FixedWidthInteger & Sendable>(
        _ flag: String, in range: ClosedRange<Number>, unit: String = ""
    ) -> @Sendable (String) throws -> Number {
        parser { text in try CheckedNumber.integer(text, in: range, source: flag, unit: unit) }
    }
}

/// A value an option refused, as one line naming the flag.
public struct OptionRefusal: Error, CustomStringConvertible, Sendable {
    /// The whole line, flag and value included.
    public var description: String

    /// A refusal worded as `description`.
    public init(_ description: String) { self.description = description }
}

/// The refusals of one command line's parse, so the entry point can tell a transform's own
/// line inside ArgumentParser's message. Scoped to the parse by a task-local value, not global.
final class ParseRefusals: Sendable {
    @TaskLocal static var current: ParseRefusals?

    private let lines = Mutex<[String]>([])

    func record(_ line: String) { lines.withLock { $0.append(line) } }

    /// The refusal `message` (ArgumentParser's text for a value a transform refused) ends
    /// with, if any.
    func refusal(endingMessage message: String) -> String? {
        lines.withLock { lines in lines.last { message.hasSuffix(": " + $0) } }
    }
}
