import ASTGraph
import ArgumentParser
import Foundation
import MemoryGovernor

/// `ast2graph PATH… --out FILE`: Swift sources to a deterministic AST graph.
@main
struct AST2GraphCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ast2graph",
        abstract: "Parse Swift sources with swift-syntax into a deterministic AST graph.",
        discussion: """
            Directories are searched recursively for *.swift (hidden and symlinked directories \
            are skipped). The same inputs give byte-identical output for any --workers and \
            --batch-size. A file that cannot be turned into a graph (unreadable, not UTF-8, \
            over --max-file-bytes, nested deeper than the parser's limit) is listed in the \
            summary and the run goes on. Output is written to OUT.partial and renamed when \
            complete; progress is saved in OUT.checkpoint.json after every batch, so an \
            interrupted run continues with --resume.

            Examples:
              ast2graph Sources --out graph.jsonl --summary summary.json
              ast2graph Sources --format neo4j-csv --out neo4j-import
              ast2graph Sources --format postgres://me@localhost/db --out ast
            """)

    @Argument(help: "Swift files or directories to read.")
    var paths: [String] = []

    @Option(help: ArgumentHelp(
        "The output: a file (jsonl, graphml), a directory (neo4j-csv) or a table prefix (postgres: tables PREFIX_files, PREFIX_nodes, PREFIX_edges).",
        valueName: "FILE"))
    var out: String

    @Option(help: ArgumentHelp("jsonl, graphml, neo4j-csv, or a postgres://user@host:port/db URL.", valueName: "FORMAT"))
    var format: String = "jsonl"

    @Option(help: "Files parsed at the same time.")
    var workers: Int = 2

    @Option(help: "Files per batch (graphs held in memory at once; a checkpoint after each).")
    var batchSize: Int = 32

    @Option(help: ArgumentHelp("Write totals, failed files and timings as JSON to this file.", valueName: "FILE.json"))
    var summary: String?

    @Flag(help: "Continue an interrupted run from OUT.checkpoint.json instead of starting again.")
    var resume = false

    @Flag(help: "Leave token nodes (the leaves) out of the graph.")
    var skipTokens = false

    @Flag(help: "Keep token nodes but not their text.")
    var noTokenText = false

    @Flag(help: "Leave syntax collection nodes out; their elements hang on the collection's parent.")
    var collapseCollections = false

    @Option(help: "Files larger than this many bytes fail instead of being parsed.")
    var maxFileBytes: Int = 16 << 20

    @Option(help: ArgumentHelp("Memory budget in MiB for the governor (default: the cgroup limit or the machine's memory).", valueName: "MiB"))
    var memoryBudget: Int?

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one Swift file or directory, e.g. `ast2graph Sources --out graph.jsonl`") }
        guard let format = OutputFormat(argument: format) else {
            throw ValidationError("unknown --format '\(format)'; use jsonl, graphml, neo4j-csv or postgres://user@host/db")
        }
        if workers < 1 { throw ValidationError("--workers must be at least 1 (try --workers 2)") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1 (try --batch-size 32)") }
        if maxFileBytes < 1 { throw ValidationError("--max-file-bytes must be positive") }
        if let memoryBudget, memoryBudget < 16 { throw ValidationError("--memory-budget must be at least 16 (MiB)") }
        if case .postgres = format {
            if PostgresExporter.validPrefix(out) == false {
                throw ValidationError("with a postgres format, --out is a table prefix: lowercase letters, digits and _, starting with a letter (e.g. --out ast)")
            }
            if resume { throw ValidationError("--resume is not supported with postgres (the load is one transaction: an interrupted run leaves nothing to resume); run again without --resume") }
        }
    }

    func run() async throws {
        let format = OutputFormat(argument: format)!
        let options = GraphBuildOptions(
            includeTokens: !skipTokens, includeTokenText: !noTokenText, collapseCollections: collapseCollections,
            maximumFileBytes: maxFileBytes)
        let files: [String]
        do {
            files = try SourceInputs.discover(paths)
        } catch {
            fail(error.description)
        }
        let runKey = Checkpoint.runKey(files: files, settings: "\(format) \(options)")
        let checkpointPath: String? = if case .postgres = format { nil } else { out + ".checkpoint.json" }
        var checkpoint: Checkpoint?
        if resume, let checkpointPath {
            do {
                checkpoint = try Checkpoint.load(from: checkpointPath)
            } catch {
                fail("\(error)")
            }
            if let found = checkpoint, found.runKey != runKey || found.version != 1 {
                fail("\(checkpointPath) belongs to another run (other inputs or options); run without --resume to start again")
            }
            if checkpoint == nil { printError("note: no checkpoint at \(checkpointPath); starting from the beginning") }
        }
        let sink: any GraphSink
        do {
            sink = try makeSink(format, resumeLengths: checkpoint?.outputLengths)
        } catch {
            fail("\(error)")
        }
        let governor = try? MemoryGovernor.forThisProcess(budgetBytes: memoryBudget.map { $0 << 20 })
        let processor = BatchProcessor(
            configuration: BatchConfiguration(workers: workers, batchSize: batchSize, options: options), governor: governor)
        let bar = ProgressBar.ifTerminal()
        let result: BatchResult
        let work = Task { [sink] in
            try await processor.run(
                files: files, into: sink, checkpointPath: checkpointPath, resumeFrom: checkpoint, runKey: runKey,
                progress: progressHandler(bar))
        }
        // Ctrl-C cancels the run at the next file; the checkpoint of the last whole batch stays.
        let interrupt = InterruptSignal { work.cancel() }
        do {
            result = try await work.value
        } catch is CancellationError {
            bar?.clear()
            let resumable = checkpointPath.map { "progress up to the last whole batch is in \($0); run the same command with --resume" }
            fail("interrupted; \(resumable ?? "nothing was committed to PostgreSQL")")
        } catch {
            bar?.clear()
            fail("\(error)")
        }
        withExtendedLifetime(interrupt) {}
        bar?.clear()
        if let summary {
            do {
                try result.summaryJSON().write(to: URL(fileURLWithPath: summary), options: .atomic)
            } catch {
                fail("cannot write summary \(summary): \(error.localizedDescription)")
            }
        }
        for failure in result.failures.prefix(20) { printError("failed: \(failure.path): \(failure.reason)") }
        if result.failures.count > 20 { printError("… and \(result.failures.count - 20) more failed files (see --summary)") }
        printError(
            "ast2graph: \(result.processedFiles) of \(result.files) files, \(result.nodes) nodes, \(result.edges) edges → \(out) "
                + "(\(String(format: "%.2f", result.seconds)) s, peak \(result.peakMemoryBytes >> 20) MiB\(result.resumedFiles > 0 ? ", resumed after \(result.resumedFiles) files" : ""))")
    }

    private func progressHandler(_ bar: ProgressBar?) -> (@Sendable (BatchProgress) -> Void)? {
        guard let bar else { return nil }
        return { bar.update($0) }
    }

    private func makeSink(_ format: OutputFormat, resumeLengths: [Int]?) throws -> any GraphSink {
        switch format {
        case .jsonl: try JSONLinesExporter(path: out, resumeLengths: resumeLengths)
        case .graphml: try GraphMLExporter(path: out, resumeLengths: resumeLengths)
        case .neo4jCSV: try Neo4jCSVExporter(directory: out, resumeLengths: resumeLengths)
        case .postgres(let url): try PostgresExporter(connectionString: url, tablePrefix: out)
        }
    }
}

/// Prints one line to stderr.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Prints `ast2graph: error: LINE` and exits 1.
func fail(_ line: String) -> Never {
    printError("ast2graph: error: \(line)")
    exit(1)
}
