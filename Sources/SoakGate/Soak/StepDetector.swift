/// A sudden change of level in live bytes: what seed 001 saw as memory jumping from 2.5 GB to
/// 5.8 GB between two readings 30 s apart.
public struct SoakStep: Sendable, Equatable, Codable {
    /// The jump happened between these two readings (soak seconds).
    public var fromSeconds: Double
    public var toSeconds: Double
    /// The change of level beyond the trend, in bytes (negative for a drop).
    public var bytes: Int
}

/// Finds steps in a series of live-byte readings.
///
/// For each reading i, the level change is the median of the `w` readings from i on minus the
/// median of the `w` before it, less what the series' typical change per reading (the median
/// first difference) accounts for over `w` readings; a steady leak therefore shows no step. A
/// change counts when it exceeds both `minimumBytes` and ten times the noise (1.4826 × the
/// median absolute deviation of first differences, scaled by √w). The step is placed at the
/// largest single difference near the change. Up to `limit` steps, largest first, that do not
/// overlap.
public enum StepDetector {
    public static func find(seconds: [Double], bytes: [Double], minimumBytes: Double, limit: Int = 3) -> [SoakStep] {
        let n = bytes.count
        let w = max(3, min(10, n / 10))
        guard n == seconds.count, n >= 2 * w + 1 else { return [] }
        let differences = (1..<n).map { bytes[$0] - bytes[$0 - 1] }
        let typical = median(differences)
        let noise = 1.4826 * median(differences.map { abs($0 - typical) })
        let threshold = max(minimumBytes, 10 * noise * Double(w).squareRoot())

        var candidates: [(index: Int, change: Double)] = []
        for i in w...(n - w) {
            let change =
                median(Array(bytes[i..<min(i + w, n)])) - median(Array(bytes[(i - w)..<i])) - typical * Double(w)
            if abs(change) >= threshold { candidates.append((i, change)) }
        }
        candidates.sort { abs($0.change) > abs($1.change) || (abs($0.change) == abs($1.change) && $0.index < $1.index) }
        var steps: [(at: Int, step: SoakStep)] = []
        for candidate in candidates where steps.count < limit {
            // The jump itself: the largest first difference within the window around i.
            let low = max(1, candidate.index - w + 1)
            let high = min(n - 1, candidate.index + w - 1)
            var at = low
            for k in low...high where abs(bytes[k] - bytes[k - 1]) > abs(bytes[at] - bytes[at - 1]) { at = k }
            if steps.contains(where: { abs($0.at - at) < 2 * w }) { continue }
            steps.append(
                (
                    at,
                    SoakStep(
                        fromSeconds: seconds[at - 1], toSeconds: seconds[at], bytes: Int(candidate.change.rounded()))
                ))
        }
        return steps.sorted { $0.at < $1.at }.map(\.step)
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
