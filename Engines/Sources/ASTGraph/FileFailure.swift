/// Why one file gave no graph. The batch records it and goes on.
public enum FileFailureReason: Error, CustomStringConvertible, Sendable, Equatable, Codable {
    /// The file could not be opened or read (missing, permissions, an I/O error). The only
    /// reason that is retried: the next attempt may succeed.
    case unreadable(String)
    /// The path names a FIFO, a socket, a device or a directory (given as what it is, e.g. "a
    /// FIFO (named pipe)"). Never opened for reading, so a FIFO cannot hang the run; not retried.
    case notARegularFile(String)
    /// The bytes are not valid UTF-8, or hold NUL bytes (a binary file).
    case notUTF8(String)
    /// The file is larger than ``GraphBuildOptions/maximumFileBytes``.
    case overSizeLimit(bytes: Int, limit: Int)
    /// Nested deeper than swift-syntax parses safely: past its nesting limit (which protects
    /// the stack), or a run of `[` long enough that its parse time explodes (see
    /// ``GraphBuilder``). The file gives no graph.
    case tooDeeplyNested(String)

    /// Whether another attempt can change the answer. Content failures are not retried: the
    /// same bytes give the same answer.
    public var isRetryable: Bool {
        if case .unreadable = self { return true }
        return false
    }

    /// One line for people and for the summary's `reason` field.
    public var description: String {
        switch self {
        case .unreadable(let why): "unreadable: \(why)"
        case .notARegularFile(let kind): "not a regular file: it is \(kind)"
        case .notUTF8(let why): "not UTF-8: \(why)"
        case .overSizeLimit(let bytes, let limit):
            "over size limit: \(bytes) bytes, the limit is \(limit) bytes (raise --max-file-bytes)"
        case .tooDeeplyNested(let detail): "too deeply nested: \(detail)"
        }
    }
}

/// A file that gave no graph, with the reason and how many attempts were made.
public struct FileFailure: Sendable, Equatable, Codable {
    /// The file's path as given or found.
    public var path: String
    /// Why it failed on the last attempt.
    public var reason: FileFailureReason
    /// Attempts made (1 plus retries).
    public var attempts: Int

    /// A failure of `path` for `reason` after `attempts` attempts.
    public init(path: String, reason: FileFailureReason, attempts: Int) {
        self.path = path
        self.reason = reason
        self.attempts = attempts
    }
}
