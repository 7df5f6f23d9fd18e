import Foundation

/// Pipeline P11's Isolation Forest score (Liu, Ting and Zhou, "Isolation Forest", ICDM 2008),
/// seeded and deterministic: one forest per series, fitted on and scoring the same points.
///
/// `hist_y_iforest_score`: for each draw t the point (y_t, y_t − y_{t−1}). Rows with a missing
/// coordinate (the first draw, a missing y_t or y_{t−1}) are not fitted and their score is NULL;
/// every score is NULL when fewer than 2 rows can be fitted.
///
/// The forest: 100 trees, each on ψ = min(256, rows) rows drawn without replacement, grown to the
/// height limit ⌈log₂ ψ⌉. A node with one row, or whose rows are equal in both coordinates, is a
/// leaf; otherwise the split attribute is uniform among the coordinates that vary in the node and
/// the split value p uniform in [min, max) of that coordinate (max − min times a uniform [0, 1)
/// draw; rows ≤ p go left, so neither side is empty). Randomness: SplitMix64 seeded with `seed`,
/// consumed tree by tree: ψ draws for the sample (a partial Fisher–Yates shuffle of the rows, kept
/// from tree to tree), then depth-first, left before right, per split one draw for the attribute
/// (only when both coordinates vary) and one for the value. Cost: about 7 ms for 2,000 draws.
///
/// Score s(x) = 2^(−E[h(x)] / c(ψ)), E over the trees, h(x) = the edges from the root to x's leaf
/// plus c(size of the leaf); c(1) = 0, c(2) = 1, c(n) = 2H(n − 1) − 2(n − 1)/n with
/// H(i) = ln i + γ (Euler's constant 0.5772156649015329) — scikit-learn's average path length, so
/// s is scikit-learn 1.9.1's `-IsolationForest.score_samples`. Scores lie in (0, 1]; higher is more
/// anomalous; 0.5 where every point is alike (a constant series gives 0.5 everywhere).
///
/// scikit-learn draws with numpy's generator and grows its trees its own way, so its values are
/// not reproduced; the golden test measures rank agreement (Spearman) with it instead.
public enum IsolationForest {
    /// `features_hist` column.
    public static let histColumns = ["hist_y_iforest_score"]
    /// Trees per forest.
    public static let treeCount = 100
    /// The largest subsample ψ.
    public static let maxSamples = 256

    /// One score per draw of `y` (NaN missing), NULL (NaN) where the draw's point is incomplete.
    public static func scores(_ y: [Double], seed: UInt64) -> [Double] {
        let n = y.count
        var out = [Double](repeating: .nan, count: n)
        var rows: [Int] = []
        var first: [Double] = []
        var second: [Double] = []
        for t in 1..<max(n, 1) where !y[t].isNaN && !y[t - 1].isNaN {
            rows.append(t)
            first.append(y[t])
            second.append(y[t] - y[t - 1])
        }
        let m = rows.count
        guard m >= 2 else { return out }
        let psi = min(maxSamples, m)
        var heightLimit = 0
        while (1 << heightLimit) < psi { heightLimit += 1 }
        var forest = Forest(first: first, second: second, capacity: treeCount * (2 * psi - 1))
        var generator = ForestGenerator(seed: seed)
        var permutation = Array(0..<m)
        var roots: [Int] = []
        roots.reserveCapacity(treeCount)
        for _ in 0..<treeCount {
            // Partial Fisher–Yates: the first ψ entries become a uniform sample without replacement.
            for i in 0..<psi {
                let j = i + generator.next(below: m - i)
                permutation.swapAt(i, j)
            }
            var sample = Array(permutation[0..<psi])
            roots.append(forest.grow(&sample, limit: heightLimit, generator: &generator))
        }
        // Equal points have equal scores: walk each distinct point once (draws repeat often).
        var distinct: [PointKey: Int] = [:]
        var uniqueFirst: [Double] = []
        var uniqueSecond: [Double] = []
        let slot = (0..<m).map { index in
            let key = PointKey(first: first[index].bitPattern, second: second[index].bitPattern)
            if let known = distinct[key] { return known }
            distinct[key] = uniqueFirst.count
            uniqueFirst.append(first[index])
            uniqueSecond.append(second[index])
            return uniqueFirst.count - 1
        }
        // Tree by tree, so one tree's nodes stay in cache while every point walks it.
        var totals = [Double](repeating: 0, count: uniqueFirst.count)
        for root in roots {
            forest.addPathLengths(uniqueFirst, uniqueSecond, from: root, limit: heightLimit, to: &totals)
        }
        let normaliser = averagePathLength(psi) * Double(treeCount)
        for (index, t) in rows.enumerated() { out[t] = exp2(-totals[slot[index]] / normaliser) }
        return out
    }

    /// A stable seed from a series key: FNV-1a 64 of the UTF-8 bytes of "loto/unique_id".
    public static func seed(loto: String, uniqueId: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(loto)/\(uniqueId)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// scikit-learn's `_average_path_length`: the mean path length of an unsuccessful search in a
    /// binary search tree of n points, c(n) = 2H(n − 1) − 2(n − 1)/n; c(1) = 0 and c(2) = 1.
    static func averagePathLength(_ n: Int) -> Double {
        if n <= 1 { return 0 }
        if n == 2 { return 1 }
        let size = Double(n)
        return 2 * (log(size - 1) + 0.577_215_664_901_532_9) - 2 * (size - 1) / size
    }
}

/// A point's exact coordinates (bit patterns: −0 and 0 stay apart, which only costs a walk).
private struct PointKey: Hashable {
    var first: UInt64
    var second: UInt64
}

/// One node of a tree: a split on coordinate `attribute` (0: y_t, 1: y_t − y_{t−1}) at `threshold`
/// with children at `left` and `left + 1`. A leaf leads to itself (`left` its own index, `threshold`
/// +∞), so every point can take the same number of steps, `limit`, and end at its leaf.
private struct Node {
    var threshold = Double.infinity
    var left: Int32 = 0
    var attribute: Int32 = 0
}

/// The trees of one forest, their nodes in one array.
private struct Forest {
    /// The points' two coordinates: y_t and y_t − y_{t−1}.
    let first: [Double]
    let second: [Double]
    var nodes: [Node] = []
    /// Per node: as a leaf, its depth plus c(its size), i.e. h(x) of the points that end there.
    var pathLength: [Double] = []

    init(first: [Double], second: [Double], capacity: Int) {
        self.first = first
        self.second = second
        nodes.reserveCapacity(capacity)
        pathLength.reserveCapacity(capacity)
    }

    private mutating func appendLeaf() -> Int {
        nodes.append(Node(left: Int32(nodes.count)))
        pathLength.append(0)
        return nodes.count - 1
    }

    /// Grows a tree on the rows `sample` and returns its root's index.
    mutating func grow(_ sample: inout [Int], limit: Int, generator: inout ForestGenerator) -> Int {
        let root = appendLeaf()
        fill(root, &sample, 0..<sample.count, depth: 0, limit: limit, generator: &generator)
        return root
    }

    /// Makes `node` the root of the subtree of `sample[range]`.
    private mutating func fill(
        _ node: Int, _ sample: inout [Int], _ range: Range<Int>, depth: Int, limit: Int,
        generator: inout ForestGenerator
    ) {
        pathLength[node] = Double(depth) + IsolationForest.averagePathLength(range.count)
        guard depth < limit, range.count > 1 else { return }
        var low0 = Double.infinity
        var high0 = -Double.infinity
        var low1 = Double.infinity
        var high1 = -Double.infinity
        for index in range {
            let row = sample[index]
            low0 = min(low0, first[row])
            high0 = max(high0, first[row])
            low1 = min(low1, second[row])
            high1 = max(high1, second[row])
        }
        let a: Int
        switch (low0 < high0, low1 < high1) {
        case (true, true): a = generator.next(below: 2)
        case (true, false): a = 0
        case (false, true): a = 1
        case (false, false): return // every row alike: a leaf
        }
        let values = a == 0 ? first : second
        let low = a == 0 ? low0 : low1
        let high = a == 0 ? high0 : high1
        var split = low + generator.nextUnit() * (high - low)
        if split >= high { split = low } // rounded up to the maximum: the right side would be empty
        var boundary = range.lowerBound
        for index in range where values[sample[index]] <= split {
            sample.swapAt(index, boundary)
            boundary += 1
        }
        let child = appendLeaf()
        _ = appendLeaf()
        nodes[node] = Node(threshold: split, left: Int32(child), attribute: Int32(a))
        fill(child, &sample, range.lowerBound..<boundary, depth: depth + 1, limit: limit, generator: &generator)
        fill(child + 1, &sample, boundary..<range.upperBound, depth: depth + 1, limit: limit, generator: &generator)
    }

    /// Adds h(x) of every point x to `totals`: `limit` steps from `root` reach x's leaf. Four
    /// points walk at once, so their independent loads overlap.
    func addPathLengths(_ x0: [Double], _ x1: [Double], from root: Int, limit: Int, to totals: inout [Double]) {
        nodes.withUnsafeBufferPointer { nodes in
            @inline(__always) func step(_ node: Int, _ a: Double, _ b: Double) -> Int {
                let current = nodes[node]
                let value = current.attribute == 0 ? a : b
                return Int(current.left) + (value <= current.threshold ? 0 : 1)
            }
            let count = totals.count
            var index = 0
            while index + 4 <= count {
                var n0 = root
                var n1 = root
                var n2 = root
                var n3 = root
                for _ in 0..<limit {
                    n0 = step(n0, x0[index], x1[index])
                    n1 = step(n1, x0[index + 1], x1[index + 1])
                    n2 = step(n2, x0[index + 2], x1[index + 2])
                    n3 = step(n3, x0[index + 3], x1[index + 3])
                }
                totals[index] += pathLength[n0]
                totals[index + 1] += pathLength[n1]
                totals[index + 2] += pathLength[n2]
                totals[index + 3] += pathLength[n3]
                index += 4
            }
            while index < count {
                var node = root
                for _ in 0..<limit { node = step(node, x0[index], x1[index]) }
                totals[index] += pathLength[node]
                index += 1
            }
        }
    }
}

/// SplitMix64 (Steele, Lea and Flood 2014): a small, fast, seedable generator.
private struct ForestGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in 0..<bound (Lemire's multiply-high; bias below bound / 2^64).
    mutating func next(below bound: Int) -> Int { Int(next().multipliedFullWidth(by: UInt64(bound)).high) }
}
