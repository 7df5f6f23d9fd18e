import Foundation
import LibPQ

/// PostgreSQL tables loaded with `COPY … FROM STDIN` through the project's libpq layer:
///
/// - `PREFIX_files(path, bytes, nodes, edges, syntax_errors)`
/// - `PREFIX_nodes(id, file, idx, kind, name, text, start_offset, end_offset, start_line,
///   start_column, end_line, end_column)`
/// - `PREFIX_edges(file, kind, source, target)` (node ids, as in the other exports)
///
/// A run loads loading tables beside them (`PREFIX_files_loading`, `PREFIX_nodes_loading`,
/// `PREFIX_edges_loading`) and commits each batch's rows in one transaction with the run's
/// checkpoint (`PREFIX_loading_checkpoint`, one row), so what is kept and what the checkpoint
/// says always agree. ``finish()`` replaces the three tables with the loading ones in one
/// transaction: readers see the old tables until that commit, and a failed, interrupted or
/// stopped run leaves them as they were, with its loading tables for `--resume`.
///
/// One load per prefix and database at a time: the connection holds an advisory lock on the
/// prefix for its lifetime, and a second load is refused while it does.
///
/// Sharded (`--shard I/N`), each shard loads tables of its own (`PREFIX_sI_N_files_loading`, …,
/// under a lock of its own, so shards load at once) and ``finish()`` publishes them into the
/// shared tables in one transaction: it deletes the rows an earlier run of the same shard
/// published (`PREFIX_files.shard` says which files are whose) and inserts its own, so a rerun
/// of a shard replaces only its rows. Shards publish one at a time (a transaction-scoped
/// advisory lock). Tables made by an unsharded run, or by shards of another N, are refused.
public final class PostgresExporter: CheckpointingSink {
    private let connection: PostgresConnection
    private let prefix: String
    /// The prefix of this run's loading tables: `prefix`, or `prefix_sI_N` for a shard.
    private let loading: String
    /// The shard this run loads (`I/N`), nil for a whole run.
    private let shard: (index: Int, count: Int)?
    /// Whether a batch's transaction is open (then deinit rolls it back).
    private var inTransaction = false
    /// The checkpoint an earlier run committed, when this exporter continues it.
    public let resumedCheckpoint: Checkpoint?

    /// Whether `prefix` is a safe table-name prefix (identifiers are never taken from users
    /// unchecked): a lowercase letter, then up to 40 lowercase letters, digits or `_`.
    /// The longest table name it makes (`PREFIX_loading_checkpoint`) stays within
    /// PostgreSQL's 63 bytes.
    public static func validPrefix(_ prefix: String) -> Bool {
        let bytes = Array(prefix.utf8)
        guard let first = bytes.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first), bytes.count <= 41 else {
            return false
        }
        return bytes.allSatisfy {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                || $0 == UInt8(ascii: "_")
        }
    }

    /// The three tables a finished load replaces.
    static let tables = ["files", "nodes", "edges"]

    /// Connects, takes the prefix's advisory lock and prepares the loading tables.
    ///
    /// - Parameter resume: continue the load whose checkpoint is committed in
    ///   `PREFIX_loading_checkpoint` (``resumedCheckpoint``; the caller checks it belongs to
    ///   this run). Nothing is changed when there is one; when there is none, a fresh load
    ///   starts, as it does without `resume` (earlier loading tables are dropped).
    public init(
        connectionString: String, tablePrefix: String, resume: Bool = false, shard: (index: Int, count: Int)? = nil
    ) throws {
        precondition(Self.validPrefix(tablePrefix), "table prefix '\(tablePrefix)' was not validated")
        let loading = shard.map { "\(tablePrefix)_s\($0.index)_\($0.count)" } ?? tablePrefix
        guard Self.validPrefix(loading) else {
            throw PostgresLoadError(
                "--out \(tablePrefix) is too long for a shard's loading tables (\(loading)_…, at most 41 characters before _loading_checkpoint); use a prefix of at most \(41 - (loading.utf8.count - tablePrefix.utf8.count)) characters"
            )
        }
        self.loading = loading
        self.shard = shard
        connection = try PostgresConnection(connectionString: connectionString)
        prefix = tablePrefix
        // libpq prints notices (`table … does not exist, skipping`) on stderr by default.
        try connection.execute("SET client_min_messages = warning")
        let locked = try connection.execute(
            "SELECT pg_try_advisory_lock(hashtext($1))", ["ast2graph load " + loading])
        guard locked.rowCount == 1, locked.value(row: 0, column: 0) == "t" else {
            throw PostgresLoadError(
                "tables \(loading)_* in \(connection.target) are being loaded by another ast2graph; wait for it to end or use another --out prefix"
            )
        }
        if let shard { try Self.refuseUnshardedTables(connection, prefix: tablePrefix, shardCount: shard.count) }
        if resume, let checkpoint = try Self.committedCheckpoint(connection, prefix: loading) {
            resumedCheckpoint = checkpoint
            return
        }
        resumedCheckpoint = nil
        try connection.execute("BEGIN")
        inTransaction = true
        for table in Self.tables { try connection.execute("DROP TABLE IF EXISTS \(loading)_\(table)_loading") }
        try connection.execute("DROP TABLE IF EXISTS \(loading)_loading_checkpoint")
        try connection.execute(
            "CREATE TABLE \(loading)_files_loading (path text PRIMARY KEY, bytes bigint NOT NULL, nodes integer NOT NULL, edges integer NOT NULL, syntax_errors boolean NOT NULL)"
        )
        try connection.execute(
            """
            CREATE TABLE \(loading)_nodes_loading (id text PRIMARY KEY, file text NOT NULL, idx integer NOT NULL, kind text NOT NULL, \
            name text, text text, start_offset integer NOT NULL, end_offset integer NOT NULL, start_line integer NOT NULL, \
            start_column integer NOT NULL, end_line integer NOT NULL, end_column integer NOT NULL)
            """)
        try connection.execute(
            "CREATE TABLE \(loading)_edges_loading (file text NOT NULL, kind text NOT NULL, source text NOT NULL, target text NOT NULL)"
        )
        try connection.execute("CREATE TABLE \(loading)_loading_checkpoint (checkpoint text NOT NULL)")
        try commit()
    }

    deinit {
        if inTransaction { _ = try? connection.execute("ROLLBACK") }
    }

    /// The checkpoint committed in `PREFIX_loading_checkpoint`, nil when there is no load to
    /// continue (no table, or no row: nothing was committed yet).
    private static func committedCheckpoint(_ connection: PostgresConnection, prefix: String) throws -> Checkpoint? {
        let checkpointTable = "\(prefix)_loading_checkpoint"
        let present = try connection.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = ANY($1::text[])",
            ["{" + ([checkpointTable] + tables.map { "\(prefix)_\($0)_loading" }).joined(separator: ",") + "}"])
        let count = Int(present.value(row: 0, column: 0) ?? "") ?? 0
        if count == 0 { return nil }
        guard count == 1 + tables.count else {
            throw PostgresLoadError(
                "the loading tables \(prefix)_*_loading in \(connection.target) are incomplete; run without --resume to start again"
            )
        }
        let rows = try connection.execute("SELECT checkpoint FROM \(checkpointTable)")
        guard rows.rowCount > 0 else { return nil }
        guard rows.rowCount == 1, let text = rows.value(row: 0, column: 0),
            let checkpoint = try? JSONDecoder().decode(Checkpoint.self, from: Data(text.utf8))
        else {
            throw PostgresLoadError(
                "table \(checkpointTable) in \(connection.target) does not hold one readable checkpoint; run without --resume to start again"
            )
        }
        return checkpoint
    }

    /// Where the checkpoint is kept, for messages.
    public var checkpointTable: String { "\(loading)_loading_checkpoint" }

    private func beginIfNeeded() throws {
        guard !inTransaction else { return }
        try connection.execute("BEGIN")
        inTransaction = true
    }

    private func commit() throws {
        try connection.execute("COMMIT")
        inTransaction = false
    }

    public func write(_ graph: FileGraph) throws {
        try beginIfNeeded()
        let path = copyTextField(graph.path)
        let files = try PostgresCopy(
            connection: connection,
            sql: "COPY \(loading)_files_loading (path, bytes, nodes, edges, syntax_errors) FROM STDIN")
        try files.appendFormatted(
            "\(path)\t\(graph.byteCount)\t\(graph.nodeCount)\t\(graph.edgeCount)\t\(graph.hasSyntaxErrors ? "t" : "f")\n"
        )
        try files.finish()

        let nodes = try PostgresCopy(
            connection: connection,
            sql: """
                COPY \(loading)_nodes_loading (id, file, idx, kind, name, text, start_offset, end_offset, start_line, start_column, end_line, end_column) FROM STDIN
                """)
        var kinds = KindNames()
        var nextName = 0
        for index in 0..<graph.nodeCount {
            var name: String?
            if nextName < graph.namedNodes.count, graph.namedNodes[nextName] == index {
                name = graph.names[nextName]
                nextName += 1
            }
            try nodes.appendFormatted(
                "\(path)#\(index)\t\(path)\t\(index)\t\(kinds[graph.kinds[index]])\t\(copyTextField(name))\t\(copyTextField(graph.tokenText(index)))\t"
            )
            try nodes.appendFormatted(
                "\(graph.startOffsets[index])\t\(graph.endOffsets[index])\t\(graph.startLines[index])\t\(graph.startColumns[index])\t\(graph.endLines[index])\t\(graph.endColumns[index])\n"
            )
        }
        try nodes.finish()

        let edges = try PostgresCopy(
            connection: connection, sql: "COPY \(loading)_edges_loading (file, kind, source, target) FROM STDIN")
        for edge in 0..<graph.edgeCount {
            try edges.appendFormatted(
                "\(path)\t\(graph.edgeKinds[edge].name)\t\(path)#\(graph.edgeSources[edge])\t\(path)#\(graph.edgeTargets[edge])\n"
            )
        }
        try edges.finish()
    }

    /// Commits the rows written since the last batch together with `checkpoint`.
    public func commitBatch(_ checkpoint: Checkpoint) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(checkpoint), as: UTF8.self)
        try beginIfNeeded()
        try connection.execute("DELETE FROM \(loading)_loading_checkpoint")
        try connection.execute("INSERT INTO \(loading)_loading_checkpoint (checkpoint) VALUES ($1)", [text])
        try commit()
    }

    /// Nothing to flush: batches are kept by ``commitBatch(_:)``.
    public func checkpoint() throws -> [Int] { [] }

    /// Drops the loading tables: the run's result is not kept, and the tables stay as they
    /// were before the run.
    public func discard() {
        if inTransaction {
            _ = try? connection.execute("ROLLBACK")
            inTransaction = false
        }
        for table in Self.tables { _ = try? connection.execute("DROP TABLE IF EXISTS \(loading)_\(table)_loading") }
        _ = try? connection.execute("DROP TABLE IF EXISTS \(loading)_loading_checkpoint")
    }

    /// Refuses shared tables this shard cannot publish into: made by an unsharded run (no
    /// `shard` column), or holding rows of shards of another N.
    private static func refuseUnshardedTables(_ connection: PostgresConnection, prefix: String, shardCount: Int)
        throws
    {
        let columns = try connection.execute(
            """
            SELECT count(*) FILTER (WHERE column_name = 'shard'), count(*) FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = $1
            """, ["\(prefix)_files"])
        let (shardColumns, all) = (columns.value(row: 0, column: 0), columns.value(row: 0, column: 1))
        guard all != "0" else { return }
        guard shardColumns == "1" else {
            throw PostgresLoadError(
                "table \(prefix)_files in \(connection.target) was made by a run without --shard; shards publish into tables of their own, so use another --out prefix or drop \(prefix)_files, \(prefix)_nodes and \(prefix)_edges"
            )
        }
        let other = try connection.execute(
            "SELECT shard FROM \(prefix)_files WHERE split_part(shard, '/', 2) <> $1 LIMIT 1", [String(shardCount)])
        if other.rowCount > 0, let found = other.value(row: 0, column: 0) {
            throw PostgresLoadError(
                "table \(prefix)_files in \(connection.target) holds rows of shard \(found), not of \(shardCount) shards; give every shard the same N, or use another --out prefix"
            )
        }
    }

    /// Replaces `PREFIX_files`, `PREFIX_nodes` and `PREFIX_edges` with the loaded tables (and
    /// their primary keys' names) in one transaction, and drops the checkpoint. A shard
    /// publishes its rows into them instead (see the type's documentation).
    public func finish() throws {
        if shard != nil { return try publishShard() }
        try beginIfNeeded()
        for table in Self.tables { try connection.execute("DROP TABLE IF EXISTS \(prefix)_\(table)") }
        for table in Self.tables {
            try connection.execute("ALTER TABLE \(loading)_\(table)_loading RENAME TO \(prefix)_\(table)")
        }
        for table in ["files", "nodes"] {
            try connection.execute("ALTER INDEX \(loading)_\(table)_loading_pkey RENAME TO \(prefix)_\(table)_pkey")
        }
        try connection.execute("DROP TABLE \(loading)_loading_checkpoint")
        try commit()
    }

    /// One transaction: the shared tables made if missing; this shard's earlier rows deleted;
    /// its loaded rows inserted; its loading tables dropped.
    private func publishShard() throws {
        guard let shard else { return }
        let key = "\(shard.index)/\(shard.count)"
        try beginIfNeeded()
        do {
            try connection.execute("SELECT pg_advisory_xact_lock(hashtext($1))", ["ast2graph publish " + prefix])
            try Self.refuseUnshardedTables(connection, prefix: prefix, shardCount: shard.count)
            try connection.execute(
                "CREATE TABLE IF NOT EXISTS \(prefix)_files (LIKE \(loading)_files_loading INCLUDING ALL, shard text NOT NULL)"
            )
            try connection.execute(
                "CREATE TABLE IF NOT EXISTS \(prefix)_nodes (LIKE \(loading)_nodes_loading INCLUDING ALL)")
            try connection.execute(
                "CREATE TABLE IF NOT EXISTS \(prefix)_edges (LIKE \(loading)_edges_loading INCLUDING ALL)")
            let mine = "SELECT path FROM \(prefix)_files WHERE shard = $1"
            try connection.execute("DELETE FROM \(prefix)_edges WHERE file IN (\(mine))", [key])
            try connection.execute("DELETE FROM \(prefix)_nodes WHERE file IN (\(mine))", [key])
            try connection.execute("DELETE FROM \(prefix)_files WHERE shard = $1", [key])
            try connection.execute(
                "INSERT INTO \(prefix)_files SELECT *, $1 FROM \(loading)_files_loading ORDER BY path", [key])
            try connection.execute("INSERT INTO \(prefix)_nodes SELECT * FROM \(loading)_nodes_loading")
            try connection.execute("INSERT INTO \(prefix)_edges SELECT * FROM \(loading)_edges_loading")
            for table in Self.tables { try connection.execute("DROP TABLE \(loading)_\(table)_loading") }
            try connection.execute("DROP TABLE \(loading)_loading_checkpoint")
            try commit()
        } catch let error as PostgresError where error.sqlState == "23505" {
            throw PostgresLoadError(
                "shard \(key) holds a file another shard published (\(error.message)); every shard must name its inputs the same way"
            )
        }
    }
}

/// A PostgreSQL load that cannot go on, as one line.
public struct PostgresLoadError: Error, CustomStringConvertible, Equatable {
    public var description: String

    init(_ description: String) { self.description = description }
}
