/// The one way a number from a flag, a file or a server enters arithmetic here: parsed, checked
/// to be finite and inside the range the code can work with, and refused with one line naming
/// where it came from otherwise. Nothing downstream converts or multiplies an unchecked value.
public enum CheckedNumber {
    /// A number that does not fit, naming its source (`--timeout`, `rules.json:3`, a URL).
    public struct RangeError: Error, CustomStringConvertible, Equatable, Sendable {
        /// Where the number came from.
        public var source: String
        /// The text or value as given.
        public var value: String
        /// What is accepted, e.g. "a number of seconds from 0.001 to 86400".
        public var expected: String

        /// An error for `value` from `source`.
        public init(source: String, value: String, expected: String) {
            self.source = source
            self.value = value
            self.expected = expected
        }

        public var description: String { "\(source) '\(value)' is out of range: expected \(expected)" }
    }

    /// `text` as an integer in `range`.
    public static func integer<T: FixedWidthInteger>(
        _ text: some StringProtocol, in range: ClosedRange<T>, source: String, unit: String = ""
    ) throws(RangeError) -> T {
        let trimmed = text.trimmingASCIIWhitespace()
        guard let value = T(trimmed, radix: 10), range.contains(value) else {
            throw RangeError(source: source, value: String(trimmed), expected: describe(range, unit: unit))
        }
        return value
    }

    /// `text` as a finite real number in `range`.
    public static func real(
        _ text: some StringProtocol, in range: ClosedRange<Double>, source: String, unit: String = ""
    ) throws(RangeError) -> Double {
        let trimmed = text.trimmingASCIIWhitespace()
        guard let value = Double(trimmed) else {
            throw RangeError(source: source, value: String(trimmed), expected: describe(range, unit: unit))
        }
        return try checked(value, in: range, source: source, unit: unit)
    }

    /// `value` (already parsed, e.g. by ArgumentParser) if it is finite and inside `range`.
    @discardableResult
    public static func checked(_ value: Double, in range: ClosedRange<Double>, source: String, unit: String = "")
        throws(RangeError) -> Double
    {
        guard value.isFinite, range.contains(value) else {
            throw RangeError(source: source, value: format(value), expected: describe(range, unit: unit))
        }
        return value
    }

    /// `value` (already parsed) if it is inside `range`.
    @discardableResult
    public static func checked<T: FixedWidthInteger>(
        _ value: T, in range: ClosedRange<T>, source: String, unit: String = ""
    ) throws(RangeError) -> T {
        guard range.contains(value) else {
            throw RangeError(source: source, value: String(value), expected: describe(range, unit: unit))
        }
        return value
    }

    /// `value` converted to `T` (its fraction dropped) when it is finite and within `range`.
    public static func exactly<T: FixedWidthInteger>(
        _ value: Double, in range: ClosedRange<T>, source: String, unit: String = ""
    ) throws(RangeError) -> T {
        guard value.isFinite, value >= Double(range.lowerBound), value <= Double(range.upperBound),
            let converted = T(exactly: value.rounded(.towardZero)), range.contains(converted)
        else {
            throw RangeError(source: source, value: format(value), expected: describe(range, unit: unit))
        }
        return converted
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 9e18 ? String(Int64(value)) : String(value)
    }

    static func describe<T: BinaryInteger>(_ range: ClosedRange<T>, unit: String) -> String {
        let suffix = unit.isEmpty ? "" : " " + unit
        return "a whole number from \(range.lowerBound) to \(range.upperBound)\(suffix)"
    }

    static func describe(_ range: ClosedRange<Double>, unit: String) -> String {
        let suffix = unit.isEmpty ? "" : " " + unit
        return "a number from \(format(range.lowerBound)) to \(format(range.upperBound))\(suffix)"
    }
}

extension StringProtocol {
    func trimmingASCIIWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        let string = String(self)[...]
        guard let first = string.firstIndex(where: { !isSpace($0) }),
            let last = string.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return string[first...last]
    }
}
