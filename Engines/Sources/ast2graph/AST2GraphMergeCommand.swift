import ASTGraph
import ArgumentParser
import EngineCommandLine
import Foundation

/// `ast2graph merge SHARD.jsonl… --out FILE`: JSON Lines shard outputs joined in path order.
struct AST2GraphMergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ast2graph merge",
        abstract: "Join the JSON Lines outputs of 'ast2graph --shard I/N' runs into the output of one run.",
        discussion: """
            Each shard's output holds its files in path order; the merge takes them all in that \
            order, so the result is byte for byte what one run over every file writes (with the \
            same options). A file in two outputs, an output out of order or cut short is refused \
            and nothing is written. The merge cannot tell that a shard is missing: give all N.
            Exit codes: 0 merged; 1 the outputs do not join, or the output cannot be written; 2 a bad flag.
            Example: ast2graph merge graph-1.jsonl graph-2.jsonl graph-3.jsonl --out graph.jsonl
            """)

    @Argument(help: ArgumentHelp("The shards' JSON Lines outputs.", valueName: "SHARD.jsonl"))
    var shards: [String] = []

    @Option(help: ArgumentHelp("The merged file (written as FILE.partial, renamed when complete).", valueName: "FILE"))
    var out: String

    func validate() throws {
        if shards.isEmpty {
            throw ValidationError(
                "give the shards' outputs, e.g. ast2graph merge graph-1.jsonl graph-2.jsonl --out graph.jsonl")
        }
        if shards.contains(out) { throw ValidationError("--out \(out) is also a shard to read; choose another file") }
    }

    func run() async throws {
        let summary: JSONLinesMerge.Summary
        do {
            summary = try JSONLinesMerge.merge(shards, into: out)
        } catch {
            throw CommandFailure.runFailed("\(error)")
        }
        StandardError.printLine(
            "ast2graph merge: \(summary.files) files from \(shards.count) shards, \(summary.bytes) bytes → \(out)")
    }
}
