import MemoryGovernor
import Synchronization

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
    /// Series computed and written by this run.
    public var series: Int
    public var batches: Int
    /// Rows computed across the tables.
    public var rowsComputed: Int
    /// Rows the store inserted or changed (0 on a rerun over the same input).
    public var rowsChanged: Int
    /// Series skipped by `resume` because the store already held them completely.
    public var seriesAlreadyComplete = 0
}

/// Generates the feature tables of many series into a store: series computed in parallel
/// (a task group of `workers` tasks) in batches sized by the memory governor, each batch
/// written in one transaction while the next is computed, so at most two batches of output
/// are held however many series there are.
///
/// Under memory pressure (the governor's light mode) a batch is computed by one worker and the
/// next one is not started until this one is written, and the store keeps a small cache: the
/// places the run's memory goes. When the governor asks the run to stop, it stops after a
/// committed batch, never before this run kept one, so every rerun makes progress.
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

    public init(
        tables: [FeatureTable] = FeatureTable.allCases, workers: Int = 2, governor: MemoryGovernor? = nil,
        fixedBatch: Int = 16, coreHistOnly: Bool = false
    ) {
        self.tables = tables.sorted()
        self.workers = max(workers, 1)
        self.governor = governor
        self.fixedBatch = max(fixedBatch, 1)
        self.coreHistOnly = coreHistOnly
    }

    /// Runs every series into `store`; each batch commits whole or not at all, so after a
    /// failure a rerun completes the rest. With `resume`, series the store already holds
    /// completely (``completeSeries(of:in:)``) are skipped; without it every series is
    /// upserted again (which changes nothing that is already right).
    ///
    /// Throws ``LotoFeaturesError/interrupted(_:)`` when the governor asked the run to stop:
    /// every batch before it is committed, and the message says how many series are kept.
    public func run(
        _ series: [DrawSeries], into store: any FeatureStore, resume: Bool = false,
        progress: (GenerateProgress) -> Void = { _ in }
    ) async throws -> GenerateSummary {
        try store.prepare(tables)
        var summary = GenerateSummary(series: 0, batches: 0, rowsComputed: 0, rowsChanged: 0)
        var todo = series
        if resume {
            let complete = try completeSeries(of: series, in: store)
            todo.removeAll { complete.contains($0.key) }
            summary.seriesAlreadyComplete = series.count - todo.count
        }
        let skipped = summary.seriesAlreadyComplete
        // Registered before admission, so pressure already at throttle when the job is admitted
        // counts as its first rise there.
        let cacheRelease = CacheReleaseRequest()
        let registration = governor?.registerCache("loto-features store cache (\(store.target))") {
            cacheRelease.request()
        }
        defer { if let registration { governor?.unregisterCache(registration) } }
        let job = try governor?.admit(
            job: "loto-features",
            batch: AdaptiveBatchSize(initial: 8, floor: 1, ceiling: Self.batchCeiling, increase: 4))
        defer { job?.finish() }
        guard !todo.isEmpty else { return summary }

        /// The next batch's size and whether to go light, read once per batch; a cache drop the
        /// governor asked for is done here, on the task that owns the store.
        func plan() -> (size: Int, light: Bool) {
            guard let job else { return (fixedBatch, false) }
            let size = job.nextBatchSize()
            let light = job.lightMode
            if cacheRelease.take() { _ = store.releaseCache() }
            store.setLightMode(light)
            return (size, light)
        }
        var committed = 0
        func commit(_ batch: FeatureBatch, through end: Int) throws {
            job?.recordOwnBytes(batch.byteCount)
            summary.rowsChanged += try store.write(batch)
            summary.rowsComputed += batch.rowCount
            summary.batches += 1
            summary.series = end
            committed += 1
            cacheRelease.record(store.cacheBytes)
            progress(
                GenerateProgress(seriesDone: skipped + end, seriesTotal: series.count, rowsChanged: summary.rowsChanged)
            )
        }
        func stopIfAsked(after end: Int) throws {
            // A safe point: everything up to `end` is committed, and this run kept at least one batch.
            guard job?.shouldStop == true, committed > 0, end < todo.count else { return }
            let already = skipped > 0 ? ", \(skipped) complete before it" : ""
            throw LotoFeaturesError.interrupted(
                "stopped by the memory governor after \(committed) batch\(committed == 1 ? "" : "es"): \(skipped + end) of \(series.count) series kept in \(store.target) (\(end) written by this run\(already)); rerun with --resume to complete the rest"
            )
        }

        var (size, light) = plan()
        var start = 0
        var end = min(size, todo.count)
        var current = await compute(Array(todo[start..<end]), workers: light ? 1 : workers)
        while start < todo.count {
            var nextEnd = end
            var overlap = false
            if end < todo.count {
                (size, light) = plan()
                nextEnd = min(end + size, todo.count)
                // Light mode, or a stop on its way: nothing is computed while this batch is written.
                overlap = !light && job?.shouldStop != true
            }
            let following = Array(todo[end..<nextEnd])
            if overlap {
                async let next = compute(following, workers: workers)
                try commit(current, through: end)
                try stopIfAsked(after: end)
                current = await next
            } else {
                try commit(current, through: end)
                try stopIfAsked(after: end)
                current = FeatureBatch()
                current = await compute(following, workers: light ? 1 : workers)
            }
            start = end
            end = nextEnd
        }
        return summary
    }

    /// The keys of the series in `series` that `store` holds completely in every table of
    /// this generator (see ``StoredSeries/isComplete(for:in:)``): one query per table.
    public func completeSeries(of series: [DrawSeries], in store: any FeatureStore) throws -> Set<SeriesKey> {
        var complete = Set(series.map(\.key))
        for table in tables {
            let stored = try store.storedSeries(table)
            for one in series
            where complete.contains(one.key) && stored[one.key]?.isComplete(for: one, in: table) != true {
                complete.remove(one.key)
            }
        }
        return complete
    }

    /// The features of one batch, computed by up to `workers` concurrent tasks, in series order.
    public func compute(_ batch: [DrawSeries]) async -> FeatureBatch {
        await compute(batch, workers: workers)
    }

    /// The features of one batch computed by up to `workers` tasks (one in light mode). A
    /// cancelled computation (a run that stops while it is under way) starts no further series
    /// and returns an empty batch.
    func compute(_ batch: [DrawSeries], workers: Int) async -> FeatureBatch {
        guard !batch.isEmpty else { return FeatureBatch() }
        let tables = self.tables
        let coreOnly = coreHistOnly
        var results = [[FeatureTable: FeatureBlock]?](repeating: nil, count: batch.count)
        await withTaskGroup(of: (Int, [FeatureTable: FeatureBlock]).self) { group in
            var nextIndex = 0
            func addNext() {
                let index = nextIndex
                let series = batch[index]
                group.addTask { (index, Self.features(of: series, tables: tables, coreHistOnly: coreOnly)) }
                nextIndex += 1
            }
            while nextIndex < min(max(workers, 1), batch.count) { addNext() }
            while let (index, blocks) = await group.next() {
                results[index] = blocks
                if nextIndex < batch.count, !Task.isCancelled { addNext() }
            }
        }
        guard results.allSatisfy({ $0 != nil }) else { return FeatureBatch() }
        var out = FeatureBatch()
        for table in tables { out.blocks[table] = results.map { $0![table]! } }
        return out
    }

    /// Every requested table of one series.
    public static func features(of series: DrawSeries, tables: [FeatureTable], coreHistOnly: Bool = false)
        -> [FeatureTable: FeatureBlock]
    {
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

/// A cache drop the governor asked for, done by the run itself: the governor may call from any
/// thread, and a store's connection serves one task at a time, so the request is a flag the
/// run takes at its next step (right after the governor's check that set it, in the same loop).
final class CacheReleaseRequest: Sendable {
    private let state = Mutex<(requested: Bool, bytes: Int)>((false, 0))

    /// Sets the flag; returns the cache's size at the last batch (what the drop will free).
    func request() -> Int {
        state.withLock { state in
            state.requested = true
            return state.bytes
        }
    }

    /// Records the cache's size after a batch.
    func record(_ bytes: Int) { state.withLock { $0.bytes = bytes } }

    /// True once per request.
    func take() -> Bool {
        state.withLock { state in
            defer { state.requested = false }
            return state.requested
        }
    }
}
