import ArgumentParser
import SoakGate
import SoakGateBasics

/// A size in bytes given to a flag (`4096`, `512KiB`, `64MiB`, `1.5GiB`, `10MB`), read once by
/// `ByteCount.parse` while the command line is parsed: finite and from 0 B to 1 PiB
/// (``SoakLimits/maximumBytes``).
struct ByteSizeArgument: ExpressibleByArgument, Sendable, Equatable {
    /// The size: finite, from 0 to ``SoakLimits/maximumBytes``.
    let bytes: Double

    /// Reads `text`, or says what is wrong with it.
    init(parsing text: String) throws(OptionValueError) {
        do {
            bytes = try ByteCount.parse(text)
        } catch is ByteCount.ParseError {
            throw OptionValueError(description: "not a size in bytes; write e.g. 1048576, 512KiB, 64MiB, 2GiB or 10MB")
        } catch let error as CheckedNumber.RangeError {
            throw OptionValueError(description: "out of range: expected \(error.expected)")
        } catch {
            throw OptionValueError(description: "\(error)")
        }
    }

    init?(argument: String) {
        guard let value = try? ByteSizeArgument(parsing: argument) else { return nil }
        self = value
    }

    /// The size as whole bytes, rounded by `rule`. At most 1 PiB, so the conversion cannot trap.
    func wholeBytes(_ rule: FloatingPointRoundingRule) -> Int {
        Int(bytes.rounded(rule))
    }

    var defaultValueDescription: String { ByteCount.format(bytes) }
}
