import Foundation

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

    /// Opens the store, creating an SQLite file's directory if missing.
    public func open() throws -> any FeatureStore {
        switch self {
        case let .sqlite(path):
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            return try SQLiteFeatureStore(path: path)
        case let .postgres(url):
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
