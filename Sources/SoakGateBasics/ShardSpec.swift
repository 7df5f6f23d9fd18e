/// `--shard I/N`: the I-th of N shares of the selected workloads, I counted from 1.
public struct ShardSpec: Sendable, Equatable, CustomStringConvertible {
    /// Counted from 1, as CI matrices and people count; Kubernetes' `JOB_COMPLETION_INDEX`
    /// counts from 0, so its template passes `$((JOB_COMPLETION_INDEX + 1))`.
    public let index: Int
    public let count: Int

    /// More shards than this is a typing mistake, not a fleet.
    public static let maximumCount = 10_000

    /// Parses `I/N`, both decimal integers.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Self.integer(parts[0]), let count = Self.integer(parts[1]) else {
            throw ParseError(text, "expected I/N, two whole numbers such as 2/4")
        }
        guard (1...Self.maximumCount).contains(count) else {
            throw ParseError(text, "N must be 1 to \(Self.maximumCount)")
        }
        guard (1...count).contains(index) else {
            throw ParseError(
                text, "I must be 1 to \(count) (shards are counted from 1; for 0-based indices use I+1)")
        }
        self.index = index
        self.count = count
    }

    /// A decimal of at most 9 digits: range-checked by length before it is converted.
    private static func integer(_ text: Substring) -> Int? {
        guard (1...9).contains(text.count), text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    public var description: String { "\(index)/\(count)" }

    /// Whether `key` (a file's path) falls to this shard: FNV-1a of its UTF-8 bytes, modulo N.
    /// The same on every machine and for any number of workers.
    public func owns(_ key: String) -> Bool {
        Int(Self.fnv1aValue(key) % UInt64(count)) == index - 1
    }

    static func fnv1aValue(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// 64-bit FNV-1a of `text` as 16 hex digits: a digest that names a plan, not a security measure.
    public static func fnv1a(_ text: String) -> String {
        let digits = String(fnv1aValue(text), radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// A `--shard` value that is not one.
    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public var text: String
        /// What is wrong, and what to write instead.
        public var reason: String
        init(_ text: String, _ reason: String) {
            self.text = text
            self.reason = reason
        }
        public var description: String { "--shard '\(text)' is not a shard: \(reason)" }
    }
}
