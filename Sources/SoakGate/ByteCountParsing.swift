import Foundation
import SoakGateBasics

extension ByteCount {
    /// Why a size could not be read.
    public struct ParseError: Error, CustomStringConvertible {
        public var text: String
        public var description: String {
            "'\(text)' is not a size in bytes; write e.g. 1048576, 512KiB, 64MiB, 2GiB or 10MB"
        }
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
