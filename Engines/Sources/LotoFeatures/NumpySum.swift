/// numpy's summation of a contiguous float64 array (`np.sum`, `np.add.reduce`): pairwise —
/// a plain loop below 8 values, eight interleaved partial sums up to 128, and halves (rounded
/// down to a multiple of 8) beyond. Features checked against numpy to the last bit sum this way.
enum NumpySum {
    static func pairwise(_ a: UnsafeBufferPointer<Double>) -> Double {
        let n = a.count
        if n < 8 {
            var sum = 0.0
            for value in a { sum += value }
            return sum
        }
        if n <= 128 {
            var r = (a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7])
            var i = 8
            while i < n - n % 8 {
                r.0 += a[i]
                r.1 += a[i + 1]
                r.2 += a[i + 2]
                r.3 += a[i + 3]
                r.4 += a[i + 4]
                r.5 += a[i + 5]
                r.6 += a[i + 6]
                r.7 += a[i + 7]
                i += 8
            }
            var sum = ((r.0 + r.1) + (r.2 + r.3)) + ((r.4 + r.5) + (r.6 + r.7))
            while i < n {
                sum += a[i]
                i += 1
            }
            return sum
        }
        var half = n / 2
        half -= half % 8
        return pairwise(UnsafeBufferPointer(rebasing: a[0..<half]))
            + pairwise(UnsafeBufferPointer(rebasing: a[half..<n]))
    }

    /// The sum of `a[start ..< start + count]`.
    static func pairwise(_ a: [Double], _ start: Int = 0, _ count: Int? = nil) -> Double {
        a.withUnsafeBufferPointer { pairwise(UnsafeBufferPointer(rebasing: $0[start..<(start + (count ?? a.count))])) }
    }
}
