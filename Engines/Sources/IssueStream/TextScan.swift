/// Lower-cased UTF-8 bytes of a text and its words, computed once per issue: the triage's rules
/// and the duplicate index read these instead of re-walking `Character`s (which dominated the
/// triage's cost in the benchmark).
struct TextScan {
    /// ASCII-lower-cased bytes; other bytes (non-ASCII letters) are kept as they are.
    let bytes: [UInt8]
    /// Word ranges: runs of ASCII letters and digits, or of non-ASCII bytes.
    let words: [Range<Int>]

    init<S: StringProtocol>(_ text: S, maxWords: Int = .max) {
        var bytes = [UInt8]()
        bytes.reserveCapacity(text.utf8.count)
        var words: [Range<Int>] = []
        var start = -1
        for byte in text.utf8 {
            let lower = byte >= 65 && byte <= 90 ? byte + 32 : byte
            let inWord = (lower >= 97 && lower <= 122) || (lower >= 48 && lower <= 57) || lower >= 128
            if inWord {
                if start < 0 { start = bytes.count }
            } else if start >= 0 {
                if words.count < maxWords { words.append(start..<bytes.count) }
                start = -1
            }
            bytes.append(lower)
        }
        if start >= 0, words.count < maxWords { words.append(start..<bytes.count) }
        self.bytes = bytes
        self.words = words
    }

    /// The set of words, as strings.
    func wordSet() -> Set<String> {
        var set = Set<String>()
        set.reserveCapacity(words.count)
        for range in words { set.insert(String(decoding: bytes[range], as: UTF8.self)) }
        return set
    }

    /// Whether the lower-cased text contains `needle` (already lower case).
    func contains(_ needle: [UInt8]) -> Bool {
        guard let first = needle.first, needle.count <= bytes.count else { return needle.isEmpty }
        let last = bytes.count - needle.count
        var i = 0
        while i <= last {
            if bytes[i] == first {
                var j = 1
                while j < needle.count && bytes[i + j] == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }
}
