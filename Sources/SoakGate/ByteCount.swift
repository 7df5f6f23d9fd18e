import Foundation
import SoakGateBasics

/// Formats byte counts for people: `16 B`, `1.5 KiB`, `64.0 MiB`.
public enum ByteCount {
    public static func format(_ bytes: Int) -> String { format(Double(bytes)) }

    public static func format(_ bytes: Double) -> String {
        guard bytes.isFinite else { return "\(bytes) B" }
        let magnitude = abs(bytes)
        let sign = bytes < 0 ? "-" : ""
        if magnitude < 1024 {
            return magnitude == magnitude.rounded() ? "\(sign)\(Int64(magnitude)) B" : sign + String(format: "%.2f B", magnitude)
        }
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var value = magnitude / 1024
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return sign + String(format: "%.1f ", value) + units[unit]
    }

    /// Bytes per iteration with enough precision for small rates: `16 B/iter`, `0.064 B/iter`.
    public static func rate(_ bytesPerIteration: Double) -> String {
        let magnitude = abs(bytesPerIteration)
        if magnitude >= 1024 { return format(bytesPerIteration) + "/iter" }
        if magnitude >= 10 || magnitude == 0 { return String(format: "%.1f B/iter", bytesPerIteration) }
        return String(format: "%.3g B/iter", bytesPerIteration)
    }
}

extension ByteCount {
    /// Why a size could not be read.
    public struct ParseError: Error, CustomStringConvertible {
        public var text: String
        public var description: String { "'\(text)' is not a size in bytes; write e.g. 1048576, 512KiB, 64MiB, 2GiB or 10MB" }
    }

    /// Parses `4096`, `512KiB`, `64MiB`, `1.5GiB`, `10MB` (KB, MB, GB are powers of 1000). A
    /// negative, infinite or NaN size, or one above ``SoakLimits/maximumBytes``, throws
    /// `CheckedNumber.RangeError` naming `source`.
    public static func parse(_ text: String, source: String = "size") throws -> Double {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [
            ("KiB", 1024), ("MiB", 1_048_576), ("GiB", 1_073_741_824), ("TiB", 1_099_511_627_776),
            ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("B", 1), ("", 1),
        ]
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
            guard let value = Double(number) else { break }
            let bytes = value * scale
            guard bytes >= 0, bytes <= Double(SoakLimits.maximumBytes) else {
                throw CheckedNumber.RangeError(source: source, value: trimmed, expected: "a size from 0 B to 1 PiB")
            }
            return bytes
        }
        throw ParseError(text: text)
    }
}
