/// How a ``BatchProcessor`` works through its files.
public struct BatchConfiguration: Sendable, Equatable {
    /// Files parsed at the same time (one task each).
    public var workers: Int
    /// Files taken per batch: a batch's graphs are held until they are handed on in input
    /// order, so this bounds the graphs in memory. A memory governor may lower it.
    public var batchSize: Int
    /// Extra attempts for a file that failed for a reason that may pass (an I/O error).
    public var maximumRetries: Int
    /// What each graph keeps.
    public var options: GraphBuildOptions

    /// Defaults: 2 workers, batches of 32 files, 2 retries.
    public init(
        workers: Int = 2, batchSize: Int = 32, maximumRetries: Int = 2, options: GraphBuildOptions = GraphBuildOptions()
    ) {
        precondition(workers >= 1 && batchSize >= 1 && maximumRetries >= 0, "workers and batch size must be at least 1")
        self.workers = workers
        self.batchSize = batchSize
        self.maximumRetries = maximumRetries
        self.options = options
    }
}

/// What a batch run is doing now, for a progress display.
public struct BatchProgress: Sendable, Equatable {
    /// The step a file is in.
    public enum Phase: String, Sendable {
        case parsing, building, exporting, finished
    }

    public var phase: Phase
    /// The file the phase is about (the last one started, with several workers).
    public var currentFile: String
    /// Files finished (processed or failed), of `totalFiles`.
    public var doneFiles: Int
    public var totalFiles: Int
    public var failedFiles: Int
    public var nodes: Int
    public var edges: Int
}
