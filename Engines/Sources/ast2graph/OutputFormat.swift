import ASTGraph
import ArgumentParser

/// The `--format` values: a file format, or a PostgreSQL connection URL. Parsed by
/// ArgumentParser itself, so an unknown value is its one-line usage error (exit 2).
enum OutputFormat: Equatable, CustomStringConvertible, ExpressibleByArgument {
    case jsonl, jsonlLean, binary, graphml, neo4jCSV
    case postgres(url: String)

    init?(argument: String) {
        switch argument {
        case "jsonl": self = .jsonl
        case "jsonl-lean": self = .jsonlLean
        case "binary": self = .binary
        case "graphml": self = .graphml
        case "neo4j-csv": self = .neo4jCSV
        case _ where argument.hasPrefix("postgres://") || argument.hasPrefix("postgresql://"):
            self = .postgres(url: argument)
        default: return nil
        }
    }

    /// Named in the usage error for an unknown value and in `--help`.
    static var allValueStrings: [String] {
        ["jsonl", "jsonl-lean", "binary", "graphml", "neo4j-csv", "postgres://USER@HOST/DB"]
    }

    /// The name used in the checkpoint's run key, in messages and as the default in `--help`;
    /// never the URL (it may hold a password).
    var description: String {
        switch self {
        case .jsonl: "jsonl"
        case .jsonlLean: "jsonl-lean"
        case .binary: "binary"
        case .graphml: "graphml"
        case .neo4jCSV: "neo4j-csv"
        case .postgres: "postgres"
        }
    }

    /// How many partial files the format writes (the lengths a checkpoint holds); nil for
    /// PostgreSQL, which has no checkpoint.
    var partialFileCount: Int? {
        switch self {
        case .jsonl, .jsonlLean, .binary, .graphml: 1
        case .neo4jCSV: 2
        case .postgres: nil
        }
    }
}
