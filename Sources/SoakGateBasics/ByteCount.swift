import Foundation

/// Formats byte counts for people: `16 B`, `1.5 KiB`, `64.0 MiB`. The one byte formatter of
/// harness and engines alike.
public enum ByteCount {
    public static func format(_ bytes: Int) -> String { format(Double(bytes)) }

    public static func format(_ bytes: Double) -> String {
        guard bytes.isFinite else { return "\(bytes) B" }
        let magnitude = abs(bytes)
        let sign = bytes < 0 ? "-" : ""
        if magnitude < 1024 {
            return magnitude == magnitude.rounded()
                ? "\(sign)\(Int64(magnitude)) B" : sign + String(format: "%.2f B", magnitude)
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

    /// A count with thousands separated by commas: `2,048,000`.
    public static func grouped(_ count: Int) -> String {
        let digits = String(count.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return (count < 0 ? "-" : "") + result
    }
}
