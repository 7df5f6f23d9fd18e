import MemoryGovernor

/// How far a run is, after each batch.
public struct GenerateProgress: Sendable, Equatable {
    public var seriesDone: Int
    public var seriesTotal: Int
    /// Rows inserted or changed so far.
    public var rowsChanged: Int

    public init(seriesDone: Int, seriesTotal: Int, rowsChanged: Int) {
        self.seriesDone = seriesDone
        self.seriesTotal = seriesTotal
        self.rowsChanged = rowsChanged
    }
}

/// What a run did.
public struct GenerateSummary: Sendable, Equatable {
    public var series: Int
    public var batches: Int
    /// Rows computed across the tables.
    public var rowsComputed: Int
    /// Rows the store inserted or changed (0 on a rerun over the same input).
    public var rowsChanged: Int
}

/// Generates the feature tables of many series into a store: series computed in parallel
/// (a task group of `workers` tasks) in batches sized by the memory governor, each batch
/// written in one transaction while the next is computed, so at most two batches of output
/// are held however many series there are.
public struct FeatureGenerator: Sendable {
    /// The tables to generate, in table order.
    public var tables: [FeatureTable]
    /// Concurrent series computations.
    public var workers: Int
    /// Sizes batches and may ask the run to stop; nil runs fixed batches of `fixedBatch`.
    public var governor: MemoryGovernor?
    /// Batch size without a governor.
    public var fixedBatch: Int
    /// The most series a governed batch holds: 32 series of 2,000 draws are about 40 MB of
    /// features_hist, and two batches are alive at once (one written, one computed).
    public static let batchCeiling = 32
    /// Only the 58 lag and rolling columns of features_hist (the benchmark's set); the others NULL.
    public var coreHistOnly: Bool

    public init(tables: [FeatureTable] = FeatureTable.allCases, workers: Int = 2, governor: MemoryGovernor? = nil, fixedBatch: Int = 16, coreHistOnly: Bool = false) {
        self.tables = tables.sorted()
        self.workers = max(workers, 1)
        self.governor = governor
        self.fixedBatch = max(fixedBatch, 1)
        self.coreHistOnly = coreHistOnly
    }

    /// Runs every series into `store`; each batch commits whole or not at all, so after a
    /// failure a rerun completes the rest.
    public func run(_ series: [DrawSeries], into store: any FeatureStore, progress: (GenerateProgress) -> Void = { _ in }) async throws -> GenerateSummary {
        try store.prepare(tables)
        let job = try governor?.admit(job: "loto-features", batch: AdaptiveBatchSize(initial: 8, floor: 1, ceiling: Self.batchCeiling, increase: 4))
        defer { job?.finish() }
        func nextSize() -> Int { job?.nextBatchSize() ?? fixedBatch }
        var summary = GenerateSummary(series: 0, batches: 0, rowsComputed: 0, rowsChanged: 0)
        var start = 0
        var end = min(nextSize(), series.count)
        var current = await compute(Array(series[start..<end]))
        while start < series.count {
            let nextStart = end
            let nextEnd = min(nextStart + nextSize(), series.count)
            let following = Array(series[nextStart..<nextEnd])
            // The next batch is computed while this one is written.
            async let next = compute(following)
            job?.recordOwnBytes(current.byteCount)
            summary.rowsChanged += try store.write(current)
            summary.rowsComputed += current.rowCount
            summary.batches += 1
            summary.series = end
            progress(GenerateProgress(seriesDone: end, seriesTotal: series.count, rowsChanged: summary.rowsChanged))
            if job?.shouldStop == true, end < series.count {
                throw LotoFeaturesError.interrupted("stopped by the memory governor after \(end) of \(series.count) series (all written); rerun to complete the rest")
            }
            current = await next
            start = nextStart
            end = nextEnd
        }
        return summary
    }

    /// The features of one batch, computed by up to `workers` concurrent tasks, in series order.
    public func compute(_ batch: [DrawSeries]) async -> FeatureBatch {
        guard !batch.isEmpty else { return FeatureBatch() }
        let tables = self.tables, coreOnly = coreHistOnly
        var results = [[FeatureTable: FeatureBlock]](repeating: [:], count: batch.count)
        await withTaskGroup(of: (Int, [FeatureTable: FeatureBlock]).self) { group in
            var nextIndex = 0
            func addNext() {
                let index = nextIndex
                let series = batch[index]
                group.addTask { (index, Self.features(of: series, tables: tables, coreHistOnly: coreOnly)) }
                nextIndex += 1
            }
            while nextIndex < min(workers, batch.count) { addNext() }
            while let (index, blocks) = await group.next() {
                results[index] = blocks
                if nextIndex < batch.count { addNext() }
            }
        }
        var out = FeatureBatch()
        for table in tables { out.blocks[table] = results.map { $0[table]! } }
        return out
    }

    /// Every requested table of one series.
    public static func features(of series: DrawSeries, tables: [FeatureTable], coreHistOnly: Bool = false) -> [FeatureTable: FeatureBlock] {
        var blocks: [FeatureTable: FeatureBlock] = [:]
        for table in tables {
            switch table {
            case .hist: blocks[table] = HistFeatures.compute(series, coreOnly: coreHistOnly)
            case .futr: blocks[table] = FutrFeatures.compute(series)
            case .stat: blocks[table] = StatFeatures.compute(series)
            }
        }
        return blocks
    }
}
