/// The code under test: a tiny parser that remembers the lines it has seen, in a cache that can
/// be bounded, or not.
public final class InvoiceParser {
    private var seen: [String: Int] = [:]
    private let cacheLimit: Int?

    /// `cacheLimit: nil` keeps every line it has ever seen: the bug this example catches.
    public init(cacheLimit: Int?) {
        self.cacheLimit = cacheLimit
    }

    /// Sums the amounts of `total=N` lines.
    public func parse(_ text: String) -> Int {
        var total = 0
        for line in text.split(separator: "\n") {
            if line.hasPrefix("total=") { total += Int(line.dropFirst(6)) ?? 0 }
            if let cacheLimit, seen.count >= cacheLimit { seen.removeAll(keepingCapacity: true) }
            seen[String(line), default: 0] += 1
        }
        return total
    }
}
