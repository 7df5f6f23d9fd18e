import MemoryGovernor

/// One file's result, in input order.
public enum FileOutcome: Sendable {
    case graph(FileGraph)
    case failed(FileFailure)

    /// The file's path.
    public var path: String {
        switch self {
        case .graph(let graph): graph.path
        case .failed(let failure): failure.path
        }
    }
}

/// The graphs of a list of files as an `AsyncSequence`, one ``FileOutcome`` per file in input
/// order, whatever the number of workers.
///
/// Work is pulled, not pushed: a batch is parsed only when the consumer asks for the element
/// after the previous batch, so at most one batch of graphs waits in memory. Cancelling the
/// consuming task stops the work at the next file and ends the iteration with
/// `CancellationError`. With a governor job, each batch is sized by the job's
/// `nextBatchSize()` (never above the configured size), and `shouldStop` ends the iteration
/// with ``BatchError/stoppedByMemoryGovernor``.
public struct FileGraphStream: AsyncSequence, Sendable {
    public typealias Element = FileOutcome

    let files: [String]
    let configuration: BatchConfiguration
    let job: JobHandle?
    let progress: (@Sendable (BatchProgress) -> Void)?

    /// A stream over `files` (taken in the given order: sort them first for determinism).
    public init(
        files: [String], configuration: BatchConfiguration, job: JobHandle? = nil,
        progress: (@Sendable (BatchProgress) -> Void)? = nil
    ) {
        self.files = files
        self.configuration = configuration
        self.job = job
        self.progress = progress
    }

    public func makeAsyncIterator() -> Iterator { Iterator(stream: self) }

    /// Produces the outcomes batch by batch.
    public struct Iterator: AsyncIteratorProtocol {
        let stream: FileGraphStream
        var position = 0
        /// The rest of the current batch, last first, so handing one on frees it here.
        var pending: [FileOutcome] = []

        /// Outcomes of the current batch not yet handed on: 0 at a batch boundary.
        public var pendingCount: Int { pending.count }

        public mutating func next() async throws -> FileOutcome? {
            if let outcome = pending.popLast() { return outcome }
            guard position < stream.files.count else { return nil }
            try Task.checkCancellation()
            var size = Swift.min(stream.configuration.batchSize, stream.files.count - position)
            if let job = stream.job {
                // nextBatchSize() reads usage first, so an emergency seen now stops this batch.
                size = Swift.max(1, Swift.min(size, job.nextBatchSize()))
                if job.shouldStop { throw BatchError.stoppedByMemoryGovernor(doneFiles: position) }
            }
            let batch = Array(stream.files[position..<position + size])
            let outcomes = await Self.process(batch, startingAt: position, stream: stream)
            try Task.checkCancellation()
            if let job = stream.job {
                job.recordOwnBytes(outcomes.reduce(0) { total, outcome in
                    if case .graph(let graph) = outcome { return total + graph.approximateBytes }
                    return total
                })
            }
            position += size
            pending = outcomes.reversed()
            return pending.popLast()
        }

        /// Parses `batch` with up to `workers` files at a time; results in batch order.
        static func process(_ batch: [String], startingAt first: Int, stream: FileGraphStream) async -> [FileOutcome] {
            let configuration = stream.configuration
            let progress = stream.progress
            let total = stream.files.count
            return await withTaskGroup(of: (Int, FileOutcome).self) { group in
                var results = [FileOutcome?](repeating: nil, count: batch.count)
                var started = 0
                func start(_ index: Int) {
                    let path = batch[index]
                    group.addTask {
                        (index, await Self.processFile(path, configuration: configuration) { phase in
                            progress?(BatchProgress(
                                phase: phase, currentFile: path, doneFiles: first + index, totalFiles: total,
                                failedFiles: 0, nodes: 0, edges: 0))
                        })
                    }
                }
                while started < Swift.min(configuration.workers, batch.count) {
                    start(started)
                    started += 1
                }
                for await (index, outcome) in group {
                    results[index] = outcome
                    if started < batch.count && !Task.isCancelled {
                        start(started)
                        started += 1
                    }
                }
                return results.compactMap { $0 }
            }
        }

        /// One file, with retries for failures that may pass.
        static func processFile(
            _ path: String, configuration: BatchConfiguration, phase: (BatchProgress.Phase) -> Void
        ) async -> FileOutcome {
            let builder = GraphBuilder(options: configuration.options)
            var attempt = 1
            while true {
                phase(.parsing)
                switch builder.build(path: path, onBuilding: { phase(.building) }) {
                case .success(let graph):
                    return .graph(graph)
                case .failure(let reason):
                    if !reason.isRetryable || attempt > configuration.maximumRetries || Task.isCancelled {
                        return .failed(FileFailure(path: path, reason: reason, attempts: attempt))
                    }
                    // A short pause gives a transient condition (a file being replaced, a busy
                    // network file system) a chance to pass.
                    try? await Task.sleep(for: .milliseconds(20 * attempt))
                    attempt += 1
                }
            }
        }
    }
}

/// Why a batch run stopped before its last file, or gave no result.
public enum BatchError: Error, CustomStringConvertible, Equatable {
    /// The governor reached its emergency level; `doneFiles` were finished and checkpointed.
    case stoppedByMemoryGovernor(doneFiles: Int)
    /// Every file failed: the output was discarded, any earlier one left as it was. The
    /// result lists the failures (for a summary).
    case noFileGaveAGraph(BatchResult)

    /// One line saying what happened and what to do.
    public var description: String {
        switch self {
        case .stoppedByMemoryGovernor(let done):
            "stopped by the memory governor (emergency level) after \(done) files; finished work is in the checkpoint, run again with --resume"
        case .noFileGaveAGraph(let result):
            if result.failures.count == 1, let only = result.failures.first {
                "no file gave a graph: \(only.path): \(only.reason); nothing was written"
            } else {
                "none of the \(result.files) files gave a graph (each failed, see above or --summary); nothing was written"
            }
        }
    }
}
