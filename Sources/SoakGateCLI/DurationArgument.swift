import ArgumentParser
import Foundation
import SoakGate
import SoakGateBasics

/// A length of time given to a flag (`90s`, `10m`, `24h`, `1h30m`, `500ms`; a bare number is
/// seconds), read once by ``SoakDuration/parse(_:source:)`` while the command line is parsed:
/// finite, positive and at most ``SoakLimits/maximumDurationSeconds``.
///
/// The rules that relate one duration to another (an interval no longer than the soak, a settle
/// shorter than the checkpoint period) are the soak manifest's, applied to the flags and to a
/// resumed `soak.json` alike (``SoakManifest/validate(naming:)``).
struct DurationArgument: ExpressibleByArgument, Sendable, Equatable {
    /// The length in seconds: finite, from 0 (only through ``init(parsingZeroOrLonger:)``) to 366 days.
    let seconds: Double

    private init(seconds: Double) {
        self.seconds = seconds
    }

    /// Reads `text`, or says what is wrong with it.
    init(parsing text: String) throws(OptionValueError) {
        do {
            self.init(seconds: try SoakDuration.parse(text).seconds)
        } catch let error as SoakDuration.ParseError {
            throw OptionValueError(description: "\(error.reason); write e.g. 90s, 10m, 24h or 1h30m")
        } catch let error as CheckedNumber.RangeError {
            throw OptionValueError(description: "out of range: expected \(error.expected)")
        } catch {
            throw OptionValueError(description: "\(error)")
        }
    }

    /// Reads `text` as ``init(parsing:)`` does, and also takes zero (`0`, `0s`, `0ms`, ...): for a
    /// pause that may be left out.
    init(parsingZeroOrLonger text: String) throws(OptionValueError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let number = trimmed.prefix { $0.isNumber || $0 == "." }
        if Double(number) == 0, ["", "ms", "s", "m", "h", "d"].contains(trimmed.dropFirst(number.count)) {
            self.init(seconds: 0)
        } else {
            try self.init(parsing: text)
        }
    }

    init?(argument: String) {
        guard let value = try? DurationArgument(parsing: argument) else { return nil }
        self = value
    }

    var defaultValueDescription: String { SoakDuration.format(seconds) }
}
