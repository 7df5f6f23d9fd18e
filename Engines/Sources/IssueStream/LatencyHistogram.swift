import Foundation

/// Per-issue latencies in logarithmic buckets (about 5 % wide, 1 µs to ~2 h): percentiles in
/// fixed memory however many issues are measured.
public struct LatencyHistogram: Sendable {
    private static let ratio = 1.05
    private var counts = [Int](repeating: 0, count: 480)
    /// How many values were recorded.
    public private(set) var count = 0

    /// An empty histogram.
    public init() {}

    /// Records one latency in seconds.
    public mutating func record(seconds: Double) {
        let micro = max(1, seconds * 1e6)
        let bucket = min(counts.count - 1, Int(log(micro) / log(Self.ratio)))
        counts[bucket] += 1
        count += 1
    }

    /// The `p`-th percentile (0...100) in seconds: the upper edge of its bucket.
    public func percentile(_ p: Double) -> Double {
        guard count > 0 else { return 0 }
        let rank = Int((Double(count) * p / 100).rounded(.up))
        var seen = 0
        for (bucket, n) in counts.enumerated() {
            seen += n
            if seen >= max(1, rank) { return pow(Self.ratio, Double(bucket + 1)) / 1e6 }
        }
        return pow(Self.ratio, Double(counts.count)) / 1e6
    }
}
