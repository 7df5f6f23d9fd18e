import LibPQ

/// PostgreSQL tables loaded with `COPY … FROM STDIN` through the project's libpq layer:
///
/// - `PREFIX_files(path, bytes, nodes, edges, syntax_errors)`
/// - `PREFIX_nodes(id, file, idx, kind, name, text, start_offset, end_offset, start_line,
///   start_column, end_line, end_column)`
/// - `PREFIX_edges(file, kind, source, target)` (node ids, as in the other exports)
///
/// The whole load is one transaction that drops and recreates the three tables: readers see
/// the old tables until the commit, and a failed or interrupted run leaves them as they were.
/// Hence no checkpoint and no resume for this sink.
public final class PostgresExporter: GraphSink {
    private let connection: PostgresConnection
    private let prefix: String
    /// Whether the transaction was committed or rolled back (then deinit has nothing to undo).
    private var transactionEnded = false

    /// Whether `prefix` is a safe table-name prefix (identifiers are never taken from users
    /// unchecked): a lowercase letter, then up to 40 lowercase letters, digits or `_`.
    public static func validPrefix(_ prefix: String) -> Bool {
        let bytes = Array(prefix.utf8)
        guard let first = bytes.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first), bytes.count <= 41 else { return false }
        return bytes.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_") }
    }

    /// Connects and starts the transaction that replaces the tables `PREFIX_*`.
    public init(connectionString: String, tablePrefix: String) throws {
        precondition(Self.validPrefix(tablePrefix), "table prefix '\(tablePrefix)' was not validated")
        connection = try PostgresConnection(connectionString: connectionString)
        prefix = tablePrefix
        try connection.execute("BEGIN")
        for table in ["files", "nodes", "edges"] { try connection.execute("DROP TABLE IF EXISTS \(prefix)_\(table)") }
        try connection.execute("CREATE TABLE \(prefix)_files (path text PRIMARY KEY, bytes bigint NOT NULL, nodes integer NOT NULL, edges integer NOT NULL, syntax_errors boolean NOT NULL)")
        try connection.execute("""
            CREATE TABLE \(prefix)_nodes (id text PRIMARY KEY, file text NOT NULL, idx integer NOT NULL, kind text NOT NULL, \
            name text, text text, start_offset integer NOT NULL, end_offset integer NOT NULL, start_line integer NOT NULL, \
            start_column integer NOT NULL, end_line integer NOT NULL, end_column integer NOT NULL)
            """)
        try connection.execute("CREATE TABLE \(prefix)_edges (file text NOT NULL, kind text NOT NULL, source text NOT NULL, target text NOT NULL)")
    }

    deinit {
        if !transactionEnded { _ = try? connection.execute("ROLLBACK") }
    }

    public func write(_ graph: FileGraph) throws {
        let path = copyTextField(graph.path)
        let files = try PostgresCopy(connection: connection, sql: "COPY \(prefix)_files (path, bytes, nodes, edges, syntax_errors) FROM STDIN")
        try files.appendFormatted("\(path)\t\(graph.byteCount)\t\(graph.nodeCount)\t\(graph.edgeCount)\t\(graph.hasSyntaxErrors ? "t" : "f")\n")
        try files.finish()

        let nodes = try PostgresCopy(connection: connection, sql: """
            COPY \(prefix)_nodes (id, file, idx, kind, name, text, start_offset, end_offset, start_line, start_column, end_line, end_column) FROM STDIN
            """)
        var kinds = KindNames()
        var nextName = 0
        for index in 0..<graph.nodeCount {
            var name: String?
            if nextName < graph.namedNodes.count, graph.namedNodes[nextName] == index {
                name = graph.names[nextName]
                nextName += 1
            }
            try nodes.appendFormatted("\(path)#\(index)\t\(path)\t\(index)\t\(kinds[graph.kinds[index]])\t\(copyTextField(name))\t\(copyTextField(graph.tokenText(index)))\t")
            try nodes.appendFormatted("\(graph.startOffsets[index])\t\(graph.endOffsets[index])\t\(graph.startLines[index])\t\(graph.startColumns[index])\t\(graph.endLines[index])\t\(graph.endColumns[index])\n")
        }
        try nodes.finish()

        let edges = try PostgresCopy(connection: connection, sql: "COPY \(prefix)_edges (file, kind, source, target) FROM STDIN")
        for edge in 0..<graph.edgeCount {
            try edges.appendFormatted("\(path)\t\(graph.edgeKinds[edge].name)\t\(path)#\(graph.edgeSources[edge])\t\(path)#\(graph.edgeTargets[edge])\n")
        }
        try edges.finish()
    }

    public func checkpoint() throws -> [Int] { [] }

    /// Rolls the transaction back: the tables stay as they were before the run.
    public func discard() {
        guard !transactionEnded else { return }
        _ = try? connection.execute("ROLLBACK")
        transactionEnded = true
    }

    public func finish() throws {
        try connection.execute("COMMIT")
        transactionEnded = true
    }
}
