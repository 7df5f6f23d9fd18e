import ASTGraph
import ArgumentParser
import EngineCommandLine
import Foundation

/// `ast2graph merge SHARD… --out OUT`: shard outputs (JSON Lines of either layout, binary,
/// GraphML or Neo4j CSV directories) joined in path order.
struct AST2GraphMergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ast2graph merge",
        abstract:
            "Join the outputs of 'ast2graph --shard I/N' runs (JSON Lines, lean JSON Lines, binary, GraphML or Neo4j CSV) into the output of one run.",
        discussion: """
            Each shard's output holds its files in path order; the merge takes them all in that \
            order, so the result is byte for byte what one run over every file writes (with the \
            same options and format; the format is read from the inputs: Neo4j CSV outputs are \
            directories, and so is --out then). A file in two outputs, an output out of order or \
            cut short, or outputs of two formats are refused and nothing is written. The merge \
            cannot tell that a shard is missing: give all N. PostgreSQL shards need no merge: each \
            publishes its rows into the shared tables when it ends.
            Exit codes: 0 merged; 1 the outputs do not join, or the output cannot be written; 2 a bad flag.
            Example: ast2graph merge graph-1.jsonl graph-2.jsonl graph-3.jsonl --out graph.jsonl
            """)

    @Argument(
        help: ArgumentHelp(
            "The shards' outputs: files (jsonl, jsonl-lean, binary, graphml) or directories (neo4j-csv).",
            valueName: "SHARD"))
    var shards: [String] = []

    @Option(
        help: ArgumentHelp(
            "The merged file or, for Neo4j CSV, directory (each file written as NAME.partial, renamed when complete).",
            valueName: "OUT"))
    var out: String

    func validate() throws {
        if shards.isEmpty {
            throw ValidationError(
                "give the shards' outputs, e.g. ast2graph merge graph-1.jsonl graph-2.jsonl --out graph.jsonl")
        }
        if shards.contains(out) { throw ValidationError("--out \(out) is also a shard to read; choose another file") }
    }

    func run() async throws {
        let summary: ShardOutputMerge.Summary
        do {
            summary = try ShardOutputMerge.merge(shards, into: out)
        } catch {
            throw CommandFailure.runFailed("\(error)")
        }
        StandardError.printLine(
            "ast2graph merge: \(summary.files) files from \(shards.count) shards, \(summary.bytes) bytes of \(summary.format) → \(out)"
        )
    }
}
