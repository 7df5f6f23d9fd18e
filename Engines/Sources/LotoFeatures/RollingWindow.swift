/// The last `size` values of a series, kept sorted (so one window serves min, max, median
/// and both quartiles) with compensated running sums for the mean and variance.
///
/// Missing values (NaN) take a place in the window but not in the sorted values: with pandas'
/// `min_periods = size`, any missing value in the window makes every statistic NULL.
struct RollingWindow {
    private(set) var size = 0
    private var sorted: [Double]
    private var missing = 0
    private var filled = 0
    /// Sums of `x − shift` and `(x − shift)²` with Kahan compensation; shifting by a value of
    /// the series keeps the variance's subtraction well-conditioned.
    private var shift = Double.nan
    private var sum = CompensatedSum()
    private var squares = CompensatedSum()

    init(capacity: Int) {
        sorted = []
        sorted.reserveCapacity(capacity)
    }

    mutating func reset(size: Int) {
        self.size = size
        sorted.removeAll(keepingCapacity: true)
        missing = 0
        filled = 0
        shift = .nan
        sum = CompensatedSum()
        squares = CompensatedSum()
    }

    /// True once `size` values have entered and none in the window is missing.
    var isFull: Bool { filled >= size && missing == 0 }

    mutating func push(_ value: Double, leaving old: Double?) {
        if let old {
            if old.isNaN { missing -= 1 } else { remove(old) }
        } else {
            filled += 1
        }
        if value.isNaN { missing += 1 } else { insert(value) }
    }

    private mutating func insert(_ value: Double) {
        if shift.isNaN { shift = value }
        let d = value - shift
        sum.add(d)
        squares.add(d * d)
        sorted.insert(value, at: firstIndex(notBelow: value))
    }

    private mutating func remove(_ value: Double) {
        let d = value - shift
        sum.add(-d)
        squares.add(-(d * d))
        sorted.remove(at: firstIndex(notBelow: value))
    }

    private func firstIndex(notBelow value: Double) -> Int {
        var low = 0
        var high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Every statistic of a full window.
    func statistics() -> WindowStatistics {
        let n = Double(sorted.count)
        let low = sorted[0]
        let high = sorted[sorted.count - 1]
        var mean: Double
        var std: Double
        if low == high {
            // All equal: exactly that value and no spread, as pandas' same-value rule gives.
            mean = low
            std = 0
        } else {
            let s = sum.value
            let q = squares.value
            mean = shift + s / n
            let variance = max((q - s * s / n) / (n - 1), 0)
            std = sorted.count > 1 ? variance.squareRoot() : .nan
            mean = min(max(mean, low), high)
        }
        if sorted.count == 1 { std = .nan }
        return WindowStatistics(
            mean: mean, std: std, min: low, max: high,
            median: median(), q25: quantile(0.25), q75: quantile(0.75))
    }

    private func median() -> Double {
        let count = sorted.count
        return count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2
    }

    /// pandas' linear interpolation: position q·(n−1) between its two neighbours.
    private func quantile(_ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let index = Int(position)
        let fraction = position - Double(index)
        if fraction == 0 { return sorted[index] }
        let low = sorted[index]
        return low + (sorted[index + 1] - low) * fraction
    }
}

/// The statistics of one full window.
struct WindowStatistics {
    var mean, std, min, max, median, q25, q75: Double
}

/// A Kahan–Babuška (Neumaier) compensated sum.
struct CompensatedSum {
    private var total = 0.0
    private var compensation = 0.0

    mutating func add(_ value: Double) {
        let t = total + value
        if abs(total) >= abs(value) {
            compensation += (total - t) + value
        } else {
            compensation += (value - t) + total
        }
        total = t
    }

    var value: Double { total + compensation }
}
