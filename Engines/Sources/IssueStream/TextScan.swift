#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Lower-cased UTF-8 bytes of a text and its words, computed once per issue: the triage's rules
/// and the duplicate index read these instead of re-walking `Character`s (which dominated the
/// triage's cost in the benchmark).
struct TextScan {
    /// ASCII-lower-cased bytes; other bytes (non-ASCII letters) are kept as they are.
    let bytes: [UInt8]
    /// Word ranges: runs of ASCII letters and digits, or of non-ASCII bytes.
    let words: [Range<Int>]

    init<S: StringProtocol>(_ text: S, maxWords: Int = .max) {
        let scanned = text.utf8.withContiguousStorageIfAvailable { Self.scan($0, maxWords: maxWords) }
        (bytes, words) = scanned ?? Self.scan(Array(text.utf8), maxWords: maxWords)
    }

    private static func scan(_ text: [UInt8], maxWords: Int) -> ([UInt8], [Range<Int>]) {
        text.withUnsafeBufferPointer { scan($0, maxWords: maxWords) }
    }

    /// One pass over the bytes through raw pointers: the generic loop over `utf8`, appending
    /// byte by byte, was the triage's largest cost.
    private static func scan(_ text: UnsafeBufferPointer<UInt8>, maxWords: Int) -> ([UInt8], [Range<Int>]) {
        var words: [Range<Int>] = []
        words.reserveCapacity(min(maxWords, text.count / 4 + 1))
        var start = -1
        let bytes = [UInt8](unsafeUninitializedCapacity: text.count) { out, count in
            for (offset, byte) in text.enumerated() {
                let lower = byte >= 65 && byte <= 90 ? byte + 32 : byte
                let inWord = (lower >= 97 && lower <= 122) || (lower >= 48 && lower <= 57) || lower >= 128
                if inWord {
                    if start < 0 { start = offset }
                } else if start >= 0 {
                    if words.count < maxWords { words.append(start..<offset) }
                    start = -1
                }
                out[offset] = lower
            }
            count = text.count
        }
        if start >= 0, words.count < maxWords { words.append(start..<bytes.count) }
        return (bytes, words)
    }

    /// The set of words, as strings.
    func wordSet() -> Set<String> {
        var set = Set<String>()
        set.reserveCapacity(words.count)
        for range in words { set.insert(String(decoding: bytes[range], as: UTF8.self)) }
        return set
    }

    /// Which of `vocabulary`'s words are among the text's words, by the vocabulary's ids: the
    /// same as testing each in ``wordSet()``, without a `String` per word of the text.
    func presence(of vocabulary: WordVocabulary) -> [Bool] {
        var present = [Bool](repeating: false, count: vocabulary.words.count)
        bytes.withUnsafeBufferPointer { text in
            for range in words where range.count <= vocabulary.longest {
                let hash = WordVocabulary.hash(UnsafeBufferPointer(rebasing: text[range]))
                if let id = vocabulary.ids[hash], vocabulary.words[id].elementsEqual(text[range]) { present[id] = true }
            }
        }
        return present
    }

    /// Whether the lower-cased text contains `needle` (already lower case).
    func contains(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard needle.count <= bytes.count else { return false }
        return bytes.withUnsafeBytes { text in needle.withUnsafeBytes { Self.find($0, in: text) != nil } }
    }

    /// The offset of the first `needle` in `text`: `memchr` for its first byte (vectorised in
    /// the C library), `memcmp` for the rest.
    static func find(_ needle: UnsafeRawBufferPointer, in text: UnsafeRawBufferPointer) -> Int? {
        guard let needleStart = needle.baseAddress, !needle.isEmpty else { return 0 }
        guard let textStart = text.baseAddress, needle.count <= text.count else { return nil }
        let first = Int32(needle[0])
        var offset = 0
        let last = text.count - needle.count
        while offset <= last {
            guard let hit = memchr(textStart + offset, first, last - offset + 1) else { return nil }
            let at = UnsafeRawPointer(hit) - textStart
            if memcmp(textStart + at, needleStart, needle.count) == 0 { return at }
            offset = at + 1
        }
        return nil
    }
}

/// Words looked up by their bytes: every word is printable ASCII, so byte equality is `String`
/// equality (no canonical equivalence can make another byte sequence equal to an ASCII word of
/// letters and digits).
struct WordVocabulary: Sendable {
    /// Each word's bytes, by id.
    let words: [[UInt8]]
    /// Ids by FNV-1a of the bytes (a hit is confirmed against `words`).
    let ids: [UInt64: Int]
    /// The longest word's length: longer words of a text are not looked up.
    let longest: Int

    /// A vocabulary of `words` (ids in this order), or nil when one is not ASCII or two
    /// share a hash.
    init?(_ words: [String]) {
        var ids: [UInt64: Int] = [:]
        var bytes: [[UInt8]] = []
        for word in words {
            let utf8 = Array(word.utf8)
            guard utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
            let hash = utf8.withUnsafeBufferPointer { Self.hash($0) }
            guard ids[hash] == nil else { return nil }
            ids[hash] = bytes.count
            bytes.append(utf8)
        }
        self.words = bytes
        self.ids = ids
        longest = bytes.map(\.count).max() ?? 0
    }

    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }
}
