import ASTGraph
import ArgumentParser
import EngineCommandLine
import Foundation
// Reached through MemoryGovernor's dependency on swift-log (Package.swift does not list it for
// this target).
import Logging
import MemoryGovernor
import SoakGateBasics

/// `ast2graph PATH… --out FILE`: Swift sources to a deterministic AST graph.
@main
struct AST2GraphCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ast2graph",
        abstract: "Parse Swift sources with swift-syntax into a deterministic AST graph.",
        discussion: """
            Directories are searched recursively for *.swift (hidden and symlinked directories \
            are skipped). The same inputs give byte-identical output for any --workers and \
            --batch-size. A file that cannot be turned into a graph (unreadable, not a regular \
            file, not UTF-8, over --max-file-bytes, nested deeper than the parser's limit) is \
            listed in the summary and the run goes on; if no file gives a graph, nothing is \
            written and an earlier output stays as it was. Output is written to OUT.partial and \
            renamed when complete; progress is saved in OUT.checkpoint.json after every batch, \
            so an interrupted run continues with --resume. PostgreSQL loads PREFIX_*_loading \
            tables, commits each batch with its checkpoint (table PREFIX_loading_checkpoint) \
            and replaces PREFIX_files, PREFIX_nodes and PREFIX_edges in one transaction at the \
            end; --resume continues an interrupted load.

            Memory: a governor watches the process against --memory-budget (default: the \
            cgroup limit or the machine's memory). As memory nears the budget it shrinks the \
            batches, parses a batch one file at a time (one graph in memory) and drops the \
            output buffers; at the budget it stops the run at the next batch boundary once a \
            batch of this run is kept, and prints the command that completes it (the same \
            command with --resume; each rerun at the same budget gets further).

            Exit codes: 0 done (failed files, if any, are listed); 1 the run gave no output (no \
            file gave a graph, a write or database error, interrupted, stopped by the memory \
            governor); 2 the run could not start (a bad flag or value, a missing or special \
            input, an output, summary or checkpoint that cannot be used, a database that cannot \
            be reached).

            Sharded: --shard I/N processes only the files whose path hashes to shard I (FNV-1a \
            of the path as given or found, modulo N): the same files on every machine, whatever \
            --workers. 'ast2graph merge SHARD… --out OUT' joins JSON Lines, GraphML or Neo4j CSV \
            shards into the bytes one run over all the files writes.

            Examples:
              ast2graph Sources --out graph.jsonl --summary summary.json
              ast2graph Sources --format binary --no-next-edges --out graph.a2g
              ast2graph Sources --shard 2/4 --out graph-2.jsonl
              ast2graph merge graph-1.jsonl graph-2.jsonl graph-3.jsonl graph-4.jsonl --out graph.jsonl
              ast2graph Sources --format neo4j-csv --out neo4j-import
              ast2graph Sources --format postgres://me@localhost/db --out ast
              ast2graph Sources --out graph.jsonl --memory-budget 512 --governor-report memory.json
            """,
        version: SoakGateVersion.current)

    @Argument(help: "Swift files or directories to read.")
    var paths: [String] = []

    @Option(
        help: ArgumentHelp(
            "The output: a file (jsonl, jsonl-lean, binary, graphml), a directory (neo4j-csv) or a table prefix (postgres: tables PREFIX_files, PREFIX_nodes, PREFIX_edges).",
            valueName: "FILE"))
    var out: String

    @Option(
        help: ArgumentHelp(
            "jsonl, jsonl-lean (the same information as arrays, about a tenth of the bytes), binary (columns a reader maps without parsing; read it with ci/ast2graph_read.py), graphml, neo4j-csv, or a postgres://user@host:port/db URL.",
            valueName: "FORMAT"))
    var format: OutputFormat = .jsonl

    @Option(
        help:
            "Files parsed at the same time (\(FlagRange.workers.lowerBound) to \(FlagRange.workers.upperBound); default 2).",
        transform: OptionValue.integer("--workers", in: FlagRange.workers))
    var workers: Int = 2

    @Option(
        help:
            "Files per batch (graphs held in memory at once; a checkpoint after each; \(FlagRange.batchSize.lowerBound) to \(FlagRange.batchSize.upperBound); default 32; the memory governor may lower it).",
        transform: OptionValue.integer("--batch-size", in: FlagRange.batchSize))
    var batchSize: Int = 32

    @Option(help: ArgumentHelp("Write totals, failed files and timings as JSON to this file.", valueName: "FILE.json"))
    var summary: String?

    @Flag(
        help:
            "Continue an interrupted or stopped run from its checkpoint (OUT.checkpoint.json; with postgres, table PREFIX_loading_checkpoint) instead of starting again."
    )
    var resume = false

    @Option(
        help: ArgumentHelp(
            "Process only shard I of N (1/4 … 4/4) of the files: those whose path hashes to I; 'ast2graph merge' joins the shards' outputs.",
            valueName: "I/N"),
        transform: OptionValue.parser(ShardSpec.init(parsing:)))
    var shard: ShardSpec?

    @Flag(help: "Leave token nodes (the leaves) out of the graph.")
    var skipTokens = false

    @Flag(help: "Keep token nodes but not their text.")
    var noTokenText = false

    @Flag(help: "Leave syntax collection nodes out; their elements hang on the collection's parent.")
    var collapseCollections = false

    @Flag(help: "Leave out 'next' edges (each node to its next sibling): they follow from the 'child' edges' order.")
    var noNextEdges = false

    @Option(
        help:
            "Files larger than this many bytes fail instead of being parsed (1 to \(FlagRange.maxFileBytes.upperBound)).",
        transform: OptionValue.integer("--max-file-bytes", in: FlagRange.maxFileBytes, unit: "bytes"))
    var maxFileBytes: Int = 16 << 20

    @Option(
        help: ArgumentHelp(
            "Memory budget in MiB, \(FlagRange.memoryBudgetMiB.lowerBound) to the machine's memory (default: the cgroup limit or the machine's memory). Near it batches shrink and go light; at it the run stops at a batch boundary, keeps what is done and says how to --resume. A budget below what the process uses at start is refused with the size to give.",
            valueName: "MiB"),
        transform: OptionValue.integer("--memory-budget", in: FlagRange.memoryBudgetMiB, unit: "MiB"))
    var memoryBudget: Int?

    @Option(
        help: ArgumentHelp(
            "Write the memory governor's JSON report (budget, start and peak usage, time per pressure level, batch sizes, light-mode reads, actions taken) to this file when the run ends, also when it fails or is stopped (default: none).",
            valueName: "FILE.json"))
    var governorReport: String?

    func validate() throws {
        if paths.isEmpty {
            throw ValidationError(
                "give at least one Swift file or directory, e.g. `ast2graph Sources --out graph.jsonl`")
        }
        if out.isEmpty { throw ValidationError("--out is empty; name the output file, directory or table prefix") }
        if summary?.isEmpty == true { throw ValidationError("--summary is empty; name a file or leave the flag out") }
        if governorReport?.isEmpty == true {
            throw ValidationError("--governor-report is empty; name a file or leave the flag out")
        }
        if case .postgres = format {
            if PostgresExporter.validPrefix(out) == false {
                throw ValidationError(
                    "with a postgres format, --out is a table prefix: lowercase letters, digits and _, starting with a letter (e.g. --out ast)"
                )
            }
        }
    }

    /// The entry point: every outcome is one line ast2graph prints itself, with any credential
    /// redacted; a ``CommandFailure`` carries its exit code, any other error is a failed run.
    static func main() async {
        // The memory governor's log lines (level changes, dropped caches, stop requests) would
        // break that, and are all in --governor-report's `actions`.
        LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() }
        // `ast2graph merge …`; a directory named merge is given as ./merge.
        if CommandLine.arguments.dropFirst().first == "merge" {
            let code = await EngineCommandLine.exitCode(
                AST2GraphMergeCommand.self, arguments: Array(CommandLine.arguments.dropFirst(2)))
            fflush(nil)
            Glibc.exit(code)
        }
        await EngineCommandLine.run(Self.self)
    }

    func run() async throws {
        let options = GraphBuildOptions(
            includeTokens: !skipTokens, includeTokenText: !noTokenText, collapseCollections: collapseCollections,
            includeNextEdges: !noNextEdges, maximumFileBytes: maxFileBytes)
        var files: [String]
        do {
            files = try SourceInputs.discover(paths)
        } catch {
            throw CommandFailure.usage(error.description)
        }
        if let shard {
            let all = files.count
            files = files.filter(shard.owns)
            guard !files.isEmpty else {
                throw CommandFailure.usage(
                    "--shard \(shard): none of the \(all) files falls to this shard; use fewer shards (each needs at least one file)"
                )
            }
        }
        let checkpointPath: String? = if case .postgres = format { nil } else { out + ".checkpoint.json" }
        try OutputPaths.check(
            out: format.partialFileCount == 1 ? out : nil, summary: summary, checkpoint: checkpointPath,
            governorReport: governorReport,
            inputs: files)
        let runKey = Checkpoint.runKey(files: files, settings: "\(format) \(options)")
        let fileCheckpoint = try resumeCheckpoint(at: checkpointPath, runKey: runKey, fileCount: files.count)
        let governor = try makeGovernor()
        // From here the run has a governor: its report is written however the run ends.
        let result: BatchResult
        do {
            result = try await runBudgeted(
                files: files, options: options, checkpointPath: checkpointPath, runKey: runKey,
                fileCheckpoint: fileCheckpoint,
                governor: governor)
        } catch {
            try? writeGovernorReport(governor)
            throw error
        }
        do {
            try writeGovernorReport(governor)
        } catch {
            throw CommandFailure.runFailed("the graphs were written to \(destination), but \(error)")
        }
        StandardError.printLine(
            "ast2graph: \(result.processedFiles) of \(result.files) files, \(result.nodes) nodes, \(result.edges) edges → \(destination) "
                + "(\(String(format: "%.2f", result.seconds)) s, peak \(result.peakMemoryBytes >> 20) MiB\(result.resumedFiles > 0 ? ", resumed after \(result.resumedFiles) files" : ""))"
        )
    }

    /// Opens the sink, runs the batches under `governor` and writes the summary.
    private func runBudgeted(
        files: [String], options: GraphBuildOptions, checkpointPath: String?, runKey: String,
        fileCheckpoint: Checkpoint?,
        governor: MemoryGovernor?
    ) async throws -> BatchResult {
        let sink: any GraphSink
        do {
            sink = try makeSink(resumeLengths: fileCheckpoint?.outputLengths)
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure.usage("\(error)")
        }
        let checkpoint = try fileCheckpoint ?? databaseCheckpoint(of: sink, runKey: runKey, fileCount: files.count)
        let processor = BatchProcessor(
            configuration: BatchConfiguration(workers: workers, batchSize: batchSize, options: options),
            governor: governor)
        // Only on a terminal: elsewhere standard error holds the run's outcome line alone.
        let bar = ProgressBar(unit: "files", plainLines: .none)
        var progress: (@Sendable (BatchProgress) -> Void)?
        if bar.isVisible {
            progress = { progress in
                // The file as the label (cut from the left, its name stays), the phase beside the peak.
                bar.update(
                    done: progress.doneFiles, total: progress.totalFiles, label: progress.currentFile,
                    detail: "\(progress.phase.rawValue), peak \(peakResidentBytes() >> 20) MiB")
            }
        }
        let result: BatchResult
        let work = Task { [sink, progress] in
            try await processor.run(
                files: files, into: sink, checkpointPath: checkpointPath, resumeFrom: checkpoint, runKey: runKey,
                progress: progress)
        }
        // Ctrl-C cancels the run at the next file; the checkpoint of the last whole batch stays.
        let interrupt = InterruptSignal { work.cancel() }
        do {
            result = try await work.value
        } catch is CancellationError {
            bar.finish()
            throw CommandFailure.runFailed(
                "interrupted; progress up to the last whole batch is kept in \(keptWhere); run the same command with --resume"
            )
        } catch BatchError.noFileGaveAGraph(let failedRun) {
            bar.finish()
            try writeSummary(failedRun)
            if failedRun.failures.count > 1 { printFailures(failedRun) }
            throw CommandFailure.runFailed(BatchError.noFileGaveAGraph(failedRun).description)
        } catch BatchError.stoppedByMemoryGovernor(let done) {
            bar.finish()
            throw CommandFailure.runFailed(stopLine(doneFiles: done, totalFiles: files.count, governor: governor))
        } catch let error as AdmissionError {
            bar.finish()
            throw CommandFailure.usage("--memory-budget: \(error)")
        } catch {
            bar.finish()
            throw CommandFailure.runFailed("\(error)")
        }
        withExtendedLifetime(interrupt) {}
        bar.finish()
        try writeSummary(result)
        printFailures(result)
        return result
    }

    /// Where a stopped or interrupted run's finished batches are, for its last line.
    private var keptWhere: String {
        switch format {
        case .postgres:
            "tables \(out)_*_loading with their checkpoint in \(out)_loading_checkpoint (tables \(out)_files, _nodes, _edges are unchanged)"
        case .neo4jCSV:
            "\(out)/nodes.csv.partial and \(out)/relationships.csv.partial with their checkpoint \(out).checkpoint.json"
        case .jsonl, .jsonlLean, .binary, .graphml: "\(out).partial with its checkpoint \(out).checkpoint.json"
        }
    }

    /// The one line of a run the governor stopped: what was kept and the command to type.
    private func stopLine(doneFiles: Int, totalFiles: Int, governor: MemoryGovernor?) -> String {
        var pressure = "memory reached the budget"
        if let governor {
            let report = governor.report()
            pressure = "memory reached \(report.peakBytes >> 20) MiB of the \(report.budgetBytes >> 20) MiB budget"
        }
        // A database URL shows `***` for its password: the user types it back in.
        let hidden = StandardError.argumentsHoldCredentials
        return
            "stopped by the memory governor (\(pressure)): the first \(doneFiles) of \(totalFiles) files are kept in \(keptWhere); "
            + "to complete the run, type: \(ShellCommand.line(resuming: CommandLine.arguments))"
            + (hidden ? " (with your database URL where *** hides its credentials)" : "")
    }

    /// Where the graphs went, for the last line: the output path, or the database with its
    /// credentials redacted.
    private var destination: String {
        if case .postgres(let url) = format { return "\(Redaction.url(url)) tables \(out)_*" }
        return out
    }

    /// The checkpoint to continue from with `--resume` (nil without it, or when there is none),
    /// checked against this run: same inputs and options, counts that fit.
    private func resumeCheckpoint(at checkpointPath: String?, runKey: String, fileCount: Int) throws -> Checkpoint? {
        guard resume, let checkpointPath, let partialFiles = format.partialFileCount else { return nil }
        let checkpoint: Checkpoint?
        do {
            checkpoint = try Checkpoint.load(from: checkpointPath)
        } catch {
            throw CommandFailure.usage(error.description)
        }
        guard let checkpoint else {
            StandardError.printLine("note: no checkpoint at \(checkpointPath); starting from the beginning")
            return nil
        }
        if checkpoint.runKey != runKey || checkpoint.version != 1 {
            throw CommandFailure.usage(
                "checkpoint \(checkpointPath) belongs to another run (other inputs or options); run without --resume to start again"
            )
        }
        do {
            try checkpoint.validate(fileCount: fileCount, outputCount: partialFiles, path: checkpointPath)
        } catch {
            throw CommandFailure.usage(error.description)
        }
        return checkpoint
    }

    /// The checkpoint a PostgreSQL sink found committed (with `--resume`), checked against
    /// this run like a checkpoint file; nil for other sinks or when there is none.
    private func databaseCheckpoint(of sink: any GraphSink, runKey: String, fileCount: Int) throws -> Checkpoint? {
        guard resume, let exporter = sink as? PostgresExporter else { return nil }
        guard let checkpoint = exporter.resumedCheckpoint else {
            StandardError.printLine(
                "note: no committed checkpoint in table \(exporter.checkpointTable); starting from the beginning")
            return nil
        }
        if checkpoint.runKey != runKey || checkpoint.version != 1 {
            throw CommandFailure.usage(
                "checkpoint in table \(exporter.checkpointTable) belongs to another run (other inputs or options); run without --resume to start again"
            )
        }
        do {
            try checkpoint.validate(fileCount: fileCount, outputCount: 0, path: "table " + exporter.checkpointTable)
        } catch {
            throw CommandFailure.usage(error.description)
        }
        return checkpoint
    }

    /// The governor for `--memory-budget`; without the flag, the cgroup's or machine's budget
    /// when it can be read, else none (the run goes unbudgeted, as before). A budget the user
    /// gave, or a report asked for, is never dropped silently.
    private func makeGovernor() throws -> MemoryGovernor? {
        guard let memoryBudget else {
            guard governorReport != nil else { return try? MemoryGovernor.forThisProcess() }
            do {
                return try MemoryGovernor.forThisProcess()
            } catch {
                throw CommandFailure.usage("--governor-report: no memory governor for this process: \(error)")
            }
        }
        do {
            // In range by FlagRange.memoryBudgetMiB, so the shift cannot overflow.
            return try MemoryGovernor.forThisProcess(budgetBytes: memoryBudget << 20)
        } catch {
            throw CommandFailure.usage("--memory-budget \(memoryBudget) MiB: \(error)")
        }
    }

    /// Writes `--governor-report` (when asked for) through the atomic writer.
    private func writeGovernorReport(_ governor: MemoryGovernor?) throws {
        guard let governorReport, let governor else { return }
        do {
            try governor.report().write(to: governorReport)
        } catch let error as FileError {
            throw CommandFailure.runFailed("cannot write governor report \(governorReport): \(error.reason)")
        } catch {
            throw CommandFailure.runFailed("cannot write governor report \(governorReport): \(error)")
        }
    }

    private func writeSummary(_ result: BatchResult) throws {
        guard let summary else { return }
        do {
            try AtomicFile.write(try result.summaryJSON(), to: summary)
        } catch let error as FileError {
            throw CommandFailure.runFailed("cannot write summary \(summary): \(error.reason)")
        } catch {
            throw CommandFailure.runFailed("cannot write summary \(summary): \(error)")
        }
    }

    private func printFailures(_ result: BatchResult) {
        for failure in result.failures.prefix(20) {
            StandardError.printLine("failed: \(failure.path): \(failure.reason)")
        }
        if result.failures.count > 20 {
            StandardError.printLine("… and \(result.failures.count - 20) more failed files (see --summary)")
        }
    }

    private func makeSink(resumeLengths: [Int]?) throws -> any GraphSink {
        switch format {
        case .jsonl: try JSONLinesExporter(path: out, resumeLengths: resumeLengths)
        case .jsonlLean: try JSONLinesExporter(path: out, layout: .lean, resumeLengths: resumeLengths)
        case .binary: try BinaryGraphExporter(path: out, resumeLengths: resumeLengths)
        case .graphml: try GraphMLExporter(path: out, resumeLengths: resumeLengths)
        case .neo4jCSV: try Neo4jCSVExporter(directory: out, resumeLengths: resumeLengths)
        case .postgres(let url):
            try PostgresExporter(
                connectionString: url, tablePrefix: out, resume: resume, shard: shard.map { ($0.index, $0.count) })
        }
    }
}
