import Foundation
import SoakGateBasics

/// A length of time written the way people write it on a command line: `90s`, `10m`, `24h`,
/// `1h30m`, `2d`, `500ms`. A bare number is seconds.
public struct SoakDuration: Sendable, Equatable, Codable, CustomStringConvertible {
    public var seconds: Double

    public init(seconds: Double) {
        self.seconds = seconds
    }

    /// Why a duration could not be read.
    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public var text: String
        public var reason: String
        public var description: String { "'\(text)' is not a duration (\(reason)); write e.g. 90s, 10m, 24h or 1h30m" }
    }

    /// Parses `text`; the result is positive and at most ``SoakLimits/maximumDurationSeconds``.
    /// A longer (or infinite) duration throws `CheckedNumber.RangeError` naming `source`.
    public static func parse(_ text: String, source: String = "duration") throws -> SoakDuration {
        let units: [(suffix: String, seconds: Double)] = [
            ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400),
        ]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw ParseError(text: text, reason: "it is empty") }
        if let plain = Double(trimmed) {
            guard plain > 0 else { throw ParseError(text: text, reason: "it must be more than zero") }
            return SoakDuration(seconds: try checked(plain, trimmed, source: source))
        }
        var total = 0.0
        var rest = Substring(trimmed)
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else {
                throw ParseError(text: text, reason: "expected a number at '\(rest)'")
            }
            rest = rest.dropFirst(number.count)
            let letters = rest.prefix { $0.isLetter }
            guard let unit = units.first(where: { $0.suffix == letters }) else {
                let said = letters.isEmpty ? "a number without a unit inside it" : "unknown unit '\(letters)'"
                throw ParseError(text: text, reason: "\(said); units are ms, s, m, h, d")
            }
            rest = rest.dropFirst(letters.count)
            total += value * unit.seconds
        }
        guard total > 0 else { throw ParseError(text: text, reason: "it must be more than zero") }
        return SoakDuration(seconds: try checked(total, trimmed, source: source))
    }

    private static func checked(_ seconds: Double, _ text: String, source: String) throws(CheckedNumber.RangeError)
        -> Double
    {
        guard seconds.isFinite, seconds <= SoakLimits.maximumDurationSeconds else {
            throw CheckedNumber.RangeError(source: source, value: text, expected: "a duration of at most 366d")
        }
        return seconds
    }

    /// `1h30m`, `2m`, `45s`, `0.5s`: the shortest exact form for whole seconds.
    public var description: String { Self.format(seconds) }

    /// Formats seconds as `1h30m05s`, dropping zero parts; fractions below a minute keep one decimal.
    public static func format(_ seconds: Double) -> String {
        // Total: a figure read from someone else's file must not trap here.
        guard seconds.isFinite, abs(seconds) < 1e12 else { return "\(seconds)s" }
        if seconds < 60 {
            return seconds == seconds.rounded() ? "\(Int(seconds))s" : String(format: "%.1fs", seconds)
        }
        let whole = Int(seconds.rounded())
        let days = whole / 86400
        let hours = whole % 86400 / 3600
        let minutes = whole % 3600 / 60
        let secs = whole % 60
        var text = ""
        if days > 0 { text += "\(days)d" }
        if hours > 0 { text += "\(hours)h" }
        if minutes > 0 { text += "\(minutes)m" }
        if secs > 0 { text += "\(secs)s" }
        return text
    }

    /// `01:02:03` (hours may exceed 24): for progress lines and chart axes.
    public static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds < 1e12 else { return "--:--:--" }
        let whole = max(0, Int(seconds.rounded(.down)))
        return String(format: "%02d:%02d:%02d", whole / 3600, whole % 3600 / 60, whole % 60)
    }
}
