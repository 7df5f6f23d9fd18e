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
/// `CancellationError`.
///
/// With a governor job, at each batch boundary the stream asks the job for the batch's size
/// (`nextBatchSize()`, never above the configured size) and whether to go light
/// (`lightMode`): a light batch is parsed one file at a time, each graph handed on before the
/// next file is read, so one graph is in memory instead of a batch of them; in a full batch,
/// memory is read after every file and the rest of the batch goes to one worker once it reaches
/// `throttle`. Light mode is asked again at each batch, so the stream returns to full batches
/// when pressure falls. `shouldStop` ends the iteration with
/// ``BatchError/stoppedByMemoryGovernor(doneFiles:)``, but only at a batch boundary after at
/// least one batch was handed on: a consumer that keeps each finished batch
/// (``BatchProcessor`` checkpoints it) makes progress on every run, however tight the budget.
public struct FileGraphStream: AsyncSequence, Sendable {
    public typealias Element = FileOutcome

    let files: [String]
    let configuration: BatchConfiguration
    let job: JobHandle?
    let governor: MemoryGovernor?
    let progress: (@Sendable (BatchProgress) -> Void)?

    /// A stream over `files` (taken in the given order: sort them first for determinism).
    /// `governor` (the one that admitted `job`) is read after every file of a batch, not only
    /// at its boundaries.
    public init(
        files: [String], configuration: BatchConfiguration, job: JobHandle? = nil, governor: MemoryGovernor? = nil,
        progress: (@Sendable (BatchProgress) -> Void)? = nil
    ) {
        self.files = files
        self.configuration = configuration
        self.job = job
        self.governor = governor
        self.progress = progress
    }

    public func makeAsyncIterator() -> Iterator { Iterator(stream: self) }

    /// Produces the outcomes batch by batch.
    public struct Iterator: AsyncIteratorProtocol {
        let stream: FileGraphStream
        /// The next file to parse.
        var position = 0
        /// The end of the current batch: in a light batch, files `position..<batchEnd` are
        /// still to be parsed, one per call.
        var batchEnd = 0
        /// The rest of the current (full) batch, last first, so handing one on frees it here.
        var pending: [FileOutcome] = []
        /// Batches whose every outcome was handed on.
        public private(set) var finishedBatches = 0
        /// Batches parsed one file at a time because the governor said to go light.
        public private(set) var lightBatches = 0

        /// Outcomes of the current batch not yet handed on: 0 at a batch boundary.
        public var pendingCount: Int { pending.count + (batchEnd - position) }

        public mutating func next() async throws -> FileOutcome? {
            if let outcome = pending.popLast() {
                if pending.isEmpty && position == batchEnd { finishedBatches += 1 }
                return outcome
            }
            if position < batchEnd { return try await nextOfLightBatch() }
            guard position < stream.files.count else { return nil }
            try Task.checkCancellation()
            var size = Swift.min(stream.configuration.batchSize, stream.files.count - position)
            var light = false
            if let job = stream.job {
                // nextBatchSize() reads usage first, so an emergency seen now stops here.
                size = Swift.max(1, Swift.min(size, job.nextBatchSize()))
                if job.shouldStop && finishedBatches > 0 {
                    throw BatchError.stoppedByMemoryGovernor(doneFiles: position)
                }
                light = job.lightMode
            }
            batchEnd = position + size
            if light {
                lightBatches += 1
                return try await nextOfLightBatch()
            }
            let batch = Array(stream.files[position..<batchEnd])
            let outcomes = await Self.process(batch, startingAt: position, stream: stream)
            try Task.checkCancellation()
            stream.job?.recordOwnBytes(outcomes.reduce(0) { $0 + Self.heldBytes($1) })
            position = batchEnd
            pending = outcomes.reversed()
            let outcome = pending.popLast()
            if pending.isEmpty { finishedBatches += 1 }
            return outcome
        }

        /// The next file of a light batch, parsed on its own.
        private mutating func nextOfLightBatch() async throws -> FileOutcome? {
            try Task.checkCancellation()
            let path = stream.files[position]
            let first = position
            let progress = stream.progress
            let total = stream.files.count
            let outcome = await Self.processFile(path, configuration: stream.configuration) { phase in
                progress?(
                    BatchProgress(
                        phase: phase, currentFile: path, doneFiles: first, totalFiles: total, failedFiles: 0, nodes: 0,
                        edges: 0))
            }
            try Task.checkCancellation()
            stream.job?.recordOwnBytes(Self.heldBytes(outcome))
            stream.governor?.check()
            position += 1
            if position == batchEnd { finishedBatches += 1 }
            return outcome
        }

        /// The bytes an outcome's graph holds, for the governor's accounting.
        private static func heldBytes(_ outcome: FileOutcome) -> Int {
            if case .graph(let graph) = outcome { return graph.approximateBytes }
            return 0
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
                        (
                            index,
                            await Self.processFile(path, configuration: configuration) { phase in
                                progress?(
                                    BatchProgress(
                                        phase: phase, currentFile: path, doneFiles: first + index, totalFiles: total,
                                        failedFiles: 0, nodes: 0, edges: 0))
                            }
                        )
                    }
                }
                var running = 0
                while started < Swift.min(configuration.workers, batch.count) {
                    start(started)
                    started += 1
                    running += 1
                }
                for await (index, outcome) in group {
                    results[index] = outcome
                    running -= 1
                    // Memory is read after every file, so the governor sees the batch's graphs
                    // pile up (its peak, its levels, its cache drops) rather than only the
                    // boundaries; at throttle and above the rest of the batch is parsed by one
                    // worker, one parse tree in memory instead of `workers` of them.
                    var workers = configuration.workers
                    if let governor = stream.governor, governor.check() >= .throttle { workers = 1 }
                    while started < batch.count && running < workers && !Task.isCancelled {
                        start(started)
                        started += 1
                        running += 1
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
    /// The governor reached its emergency level; the first `doneFiles` files (counted from
    /// the start of the run, a resumed run's earlier files included) were finished and kept.
    case stoppedByMemoryGovernor(doneFiles: Int)
    /// Every file failed: the output was discarded, any earlier one left as it was. The
    /// result lists the failures (for a summary).
    case noFileGaveAGraph(BatchResult)

    /// One line saying what happened and what to do.
    public var description: String {
        switch self {
        case .stoppedByMemoryGovernor(let done):
            "stopped by the memory governor (emergency level) after \(done) files; they are kept with their checkpoint, run again with --resume"
        case .noFileGaveAGraph(let result):
            if result.failures.count == 1, let only = result.failures.first {
                "no file gave a graph: \(only.path): \(only.reason); nothing was written"
            } else {
                "none of the \(result.files) files gave a graph (each failed, see above or --summary); nothing was written"
            }
        }
    }
}
