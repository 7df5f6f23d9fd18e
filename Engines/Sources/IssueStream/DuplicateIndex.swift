/// Near-duplicate search over open issues by word-shingle MinHash with banded LSH. It remembers
/// at most `capacity` issues (a ring; the oldest are forgotten), so memory is bounded however
/// many issues stream through.
struct DuplicateIndex: Sendable {
    static let hashCount = 64
    static let bands = 16
    static let rows = hashCount / bands

    private let capacity: Int
    private var numbers: [Int]
    private var signatures: [[UInt32]]
    private var buckets: [UInt64: [Int32]] = [:]
    private var next = 0
    private var filled = 0
    private let seeds: [UInt64]

    init(capacity: Int) {
        self.capacity = capacity
        numbers = []
        signatures = []
        var state: UInt64 = 0x5EED
        seeds = (0..<Self.hashCount).map { _ in
            state &+= 0x9E37_79B9_7F4A_7C15
            return state | 1
        }
    }

    /// The MinHash signature of `text`'s 3-word shingles (lower-cased letters and digits).
    func signature(_ text: String) -> [UInt32] {
        let scan = TextScan(text, maxWords: 400)
        let words = scan.words
        var shingles: [UInt64] = []
        // FNV-1a over the three words' bytes with a separator: the shingle's fingerprint without
        // building its string.
        func fingerprint(_ ranges: ArraySlice<Range<Int>>) -> UInt64 {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for range in ranges {
                for index in range { hash = (hash ^ UInt64(scan.bytes[index])) &* 0x0000_0100_0000_01B3 }
                hash = (hash ^ 0x20) &* 0x0000_0100_0000_01B3
            }
            return hash
        }
        if words.count < 3 {
            shingles = [fingerprint(words[...])]
        } else {
            shingles.reserveCapacity(words.count - 2)
            for i in 0...(words.count - 3) { shingles.append(fingerprint(words[i..<(i + 3)])) }
        }
        return seeds.map { seed in
            var minimum = UInt32.max
            for shingle in shingles {
                var z = shingle &* seed
                z ^= z >> 29
                minimum = min(minimum, UInt32(truncatingIfNeeded: z >> 32))
            }
            return minimum
        }
    }

    /// Earlier issues whose estimated similarity reaches `threshold`, best first (ties by number).
    func candidates(for signature: [UInt32], threshold: Double, limit: Int) -> [(number: Int, similarity: Double)] {
        var slots: [Int32] = []
        for band in 0..<Self.bands {
            slots += buckets[bandKey(signature, band)] ?? []
        }
        var seen = Set<Int32>()
        var found: [(Int, Double)] = []
        for slot in slots where seen.insert(slot).inserted {
            let other = signatures[Int(slot)]
            var same = 0
            for i in 0..<Self.hashCount where other[i] == signature[i] { same += 1 }
            let similarity = Double(same) / Double(Self.hashCount)
            if similarity >= threshold { found.append((numbers[Int(slot)], similarity)) }
        }
        found.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        return Array(found.prefix(limit))
    }

    /// Remembers an issue, forgetting the oldest when full.
    mutating func insert(number: Int, signature: [UInt32]) {
        let slot = next
        if filled < capacity {
            numbers.append(number)
            signatures.append(signature)
            filled += 1
        } else {
            let old = signatures[slot]
            for band in 0..<Self.bands {
                let key = bandKey(old, band)
                buckets[key]?.removeAll { $0 == Int32(slot) }
                if buckets[key]?.isEmpty == true { buckets[key] = nil }
            }
            numbers[slot] = number
            signatures[slot] = signature
        }
        for band in 0..<Self.bands { buckets[bandKey(signature, band), default: []].append(Int32(slot)) }
        next = (next + 1) % capacity
    }

    private func bandKey(_ signature: [UInt32], _ band: Int) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(band)
        for i in (band * Self.rows)..<((band + 1) * Self.rows) {
            hash = (hash ^ UInt64(signature[i])) &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
