import Foundation
import MemoryGovernor

/// Runs a list of Swift files through the graph builder into a sink, batch by batch, with a
/// checkpoint after every batch.
///
/// Output is deterministic: files are sorted, each file's graph depends only on its bytes and
/// path, and graphs reach the sink in input order whatever the workers and batch size.
public struct BatchProcessor: Sendable {
    public var configuration: BatchConfiguration
    /// Sizes batches and may stop the run (emergency level); nil runs unbudgeted.
    public var governor: MemoryGovernor?

    /// A processor with `configuration`, budgeted by `governor` when given.
    public init(configuration: BatchConfiguration, governor: MemoryGovernor? = nil) {
        self.configuration = configuration
        self.governor = governor
    }

    /// The graphs of `files` (sorted here) as an async sequence, without a sink or checkpoint.
    /// The caller owns `job` (admit it from the governor, finish it after the loop).
    public func graphs(of files: [String], job: JobHandle? = nil, progress: (@Sendable (BatchProgress) -> Void)? = nil)
        -> FileGraphStream
    {
        FileGraphStream(
            files: files.sorted(), configuration: configuration, job: job, governor: job == nil ? nil : governor,
            progress: progress)
    }

    /// Processes `files` into `sink`.
    ///
    /// At every batch boundary the finished batch is kept: a ``CheckpointingSink`` commits it
    /// with its checkpoint; any other sink makes its output durable (``GraphSink/checkpoint()``)
    /// and the checkpoint is saved to `checkpointPath`. With a governor, the sink's
    /// ``GraphSink/droppableBuffers()`` are registered as caches, batches are sized and may go
    /// light (see ``FileGraphStream``), and an emergency ends the run with
    /// ``BatchError/stoppedByMemoryGovernor(doneFiles:)`` once at least one batch of this run
    /// was kept, counting the files of the whole run (a resumed run's earlier files included).
    ///
    /// Throws ``BatchError/noFileGaveAGraph(_:)`` (after ``GraphSink/discard()``, so an earlier
    /// output stays as it was) when there were files and none of them gave a graph, and
    /// ``CheckpointError`` for a `resumeFrom` whose position is past the files.
    ///
    /// - Parameters:
    ///   - checkpointPath: where progress is saved after each batch; removed when the run ends.
    ///   - resumeFrom: a checkpoint of the same run (same ``Checkpoint/runKey``) to continue.
    ///   - runKey: identifies inputs and settings, stored in the checkpoint.
    public func run(
        files unsorted: [String], into sink: any GraphSink, checkpointPath: String? = nil,
        resumeFrom: Checkpoint? = nil,
        runKey: String = "", progress: (@Sendable (BatchProgress) -> Void)? = nil
    ) async throws -> BatchResult {
        let files = unsorted.sorted()
        let clock = ContinuousClock()
        let started = clock.now
        var state =
            resumeFrom
            ?? Checkpoint(
                runKey: runKey, doneFiles: 0, processedFiles: 0, nodes: 0, edges: 0, failures: [], seconds: 0,
                outputLengths: [])
        guard (0...files.count).contains(state.doneFiles) else {
            throw CheckpointError(
                path: checkpointPath ?? "(given)",
                message: "it says \(state.doneFiles) files are done, of \(files.count)")
        }
        let resumed = state.doneFiles
        let earlierSeconds = state.seconds
        let job = try governor?.admit(
            job: "ast2graph",
            batch: AdaptiveBatchSize(initial: configuration.batchSize, floor: 1, ceiling: configuration.batchSize))
        defer { job?.finish() }
        let registrations =
            governor.map { governor in
                sink.droppableBuffers().map { buffer in governor.registerCache(buffer.name, drop: buffer.drop) }
            } ?? []
        defer { for registration in registrations { governor?.unregisterCache(registration) } }
        let offset = state.doneFiles
        let total = files.count
        var shifted: (@Sendable (BatchProgress) -> Void)?
        if let progress {
            shifted = { value in
                var value = value
                value.doneFiles += offset
                value.totalFiles = total
                progress(value)
            }
        }
        let stream = FileGraphStream(
            files: Array(files[offset...]), configuration: configuration, job: job, governor: governor,
            progress: shifted)
        var iterator = stream.makeAsyncIterator()
        while let outcome = try await nextOutcome(&iterator, doneBefore: offset) {
            switch outcome {
            case .graph(let graph):
                progress?(
                    BatchProgress(
                        phase: .exporting, currentFile: graph.path, doneFiles: state.doneFiles, totalFiles: files.count,
                        failedFiles: state.failures.count, nodes: state.nodes, edges: state.edges))
                try sink.write(graph)
                state.processedFiles += 1
                state.nodes += graph.nodeCount
                state.edges += graph.edgeCount
            case .failed(let failure):
                state.failures.append(failure)
            }
            state.doneFiles += 1
            if iterator.pendingCount == 0 {
                state.seconds = earlierSeconds + seconds(clock.now - started)
                if let keeper = sink as? any CheckpointingSink {
                    state.outputLengths = []
                    try keeper.commitBatch(state)
                } else if let checkpointPath {
                    state.outputLengths = try sink.checkpoint()
                    try state.save(to: checkpointPath)
                }
            }
        }
        let result = BatchResult(
            files: files.count, processedFiles: state.processedFiles, failures: state.failures, nodes: state.nodes,
            edges: state.edges, seconds: earlierSeconds + seconds(clock.now - started),
            peakMemoryBytes: peakResidentBytes(),
            resumedFiles: resumed)
        // A run in which no file gave a graph has no result worth keeping: an output with no
        // graph in it must not replace an earlier one. Nothing is left to resume either.
        if !files.isEmpty, state.processedFiles == 0 {
            sink.discard()
            if let checkpointPath { unlink(checkpointPath) }
            throw BatchError.noFileGaveAGraph(result)
        }
        try sink.finish()
        // unlink, not a recursive remove: whatever is at the path, a directory is never removed.
        if let checkpointPath { unlink(checkpointPath) }
        progress?(
            BatchProgress(
                phase: .finished, currentFile: "", doneFiles: files.count, totalFiles: files.count,
                failedFiles: result.failures.count, nodes: result.nodes, edges: result.edges))
        return result
    }

    /// The stream's next outcome; a governor's stop is counted from the start of the whole run.
    private func nextOutcome(_ iterator: inout FileGraphStream.Iterator, doneBefore: Int) async throws -> FileOutcome? {
        do {
            return try await iterator.next()
        } catch BatchError.stoppedByMemoryGovernor(let done) {
            throw BatchError.stoppedByMemoryGovernor(doneFiles: doneBefore + done)
        }
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// A sink that keeps nothing: for runs that want only the counts.
public struct DiscardingSink: GraphSink {
    public init() {}
    public func write(_ graph: FileGraph) throws {}
    public func checkpoint() throws -> [Int] { [] }
    public func finish() throws {}
}
