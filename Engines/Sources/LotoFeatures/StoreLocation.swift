import Foundation
import LibPQ
import SoakGateBasics

/// A `--store` value: an SQLite file or a PostgreSQL server.
public enum StoreLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(url: String)

    /// Parses `sqlite:PATH` or `postgres://…` / `postgresql://…`; nil otherwise.
    public init?(_ text: String) {
        if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            guard !path.isEmpty else { return nil }
            self = .sqlite(path: path)
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(url: text)
        } else {
            return nil
        }
    }

    /// The store as messages show it: a PostgreSQL URL with its user information and password
    /// replaced by `***`.
    public var shown: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .postgres(let url): return Redaction.url(url)
        }
    }

    /// Why the store cannot be used, before anything is opened or read: a PostgreSQL URL that
    /// libpq cannot parse (its message scrubbed of secrets); an SQLite path that is a
    /// directory, a FIFO or a device (SQLite would fail late or block on it) or a symbolic
    /// link, which the store never follows (a planted link must not redirect the writes).
    /// Nil when it looks usable.
    public var problem: String? {
        let path: String
        switch self {
        case .postgres(let url): return DrawSource.connectionProblem(url)
        case .sqlite(let sqlitePath): path = sqlitePath
        }
        var status = stat()
        if lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFLNK {
            return "it is a symbolic link; name the database file itself"
        }
        if let kind = RegularFile.irregularKind(path) {
            return "it is \(kind), not a database file; name a file (created if missing)"
        }
        return nil
    }

    /// Opens the store, creating an SQLite file's directory if missing.
    public func open() throws -> any FeatureStore {
        if let problem { throw LotoFeaturesError.store(target: shown, problem: problem) }
        switch self {
        case .sqlite(let path):
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            return try SQLiteFeatureStore(path: path)
        case .postgres(let url):
            return try PostgresFeatureStore(connectionString: url)
        }
    }
}

/// Table names a user may give for a PostgreSQL source: checked, never spliced unchecked.
public enum InputIdentifier {
    /// Letters, digits and `_`, not starting with a digit, with at most one `schema.` prefix.
    public static func isValid(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return false }
        return parts.allSatisfy { part in
            guard let first = part.first, !first.isNumber, part.count <= 63 else { return false }
            return part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        }
    }
}
