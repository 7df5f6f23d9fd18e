import ASTGraph

/// The `--format` values: a file format, or a PostgreSQL connection URL.
enum OutputFormat: Equatable, CustomStringConvertible {
    case jsonl, graphml, neo4jCSV
    case postgres(url: String)

    init?(argument: String) {
        switch argument {
        case "jsonl": self = .jsonl
        case "graphml": self = .graphml
        case "neo4j-csv": self = .neo4jCSV
        case _ where argument.hasPrefix("postgres://") || argument.hasPrefix("postgresql://"): self = .postgres(url: argument)
        default: return nil
        }
    }

    /// The name used in the checkpoint's run key and in messages; never the URL (it may hold a
    /// password).
    var description: String {
        switch self {
        case .jsonl: "jsonl"
        case .graphml: "graphml"
        case .neo4jCSV: "neo4j-csv"
        case .postgres: "postgres"
        }
    }
}
