import MemoryGovernor
import Synchronization

/// How far a run is, after each batch.
public struct GenerateProgress: Sendable, Equatable {
    public var seriesDone: Int
    public var seriesTotal: Int
    /// Rows inserted or changed so far.
    public var rowsChanged: Int
    /// Seconds per pipeline so far, in pipeline order.
    public var pipelineSeconds: [PipelineTime]

    public struct PipelineTime: Sendable, Equatable {
        public var pipeline: String
        public var seconds: Double
    }

    public init(seriesDone: Int, seriesTotal: Int, rowsChanged: Int, pipelineSeconds: [(String, Double)] = []) {
        self.seriesDone = seriesDone
        self.seriesTotal = seriesTotal
        self.rowsChanged = rowsChanged
        self.pipelineSeconds = pipelineSeconds.map { PipelineTime(pipeline: $0.0, seconds: $0.1) }
    }
}

/// One pipeline's share of a run: the time its computations took (summed over series, so with
/// several workers it can exceed the run's wall time) and the rows it gave each table.
public struct PipelineSummary: Sendable, Equatable, Codable {
    public var pipeline: String
    public var title: String
    public var seconds: Double
    /// Rows per table name, e.g. `["features_hist": 2000]`.
    public var rows: [String: Int]
    public var columns: Int
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
    /// Per pipeline, in pipeline order.
    public var pipelines: [PipelineSummary] = []
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
    /// The tables to generate, in table order: those of `tables` that a chosen pipeline writes to.
    public let tables: [FeatureTable]
    /// The pipelines to run, in pipeline order: those asked for that write to one of `tables`.
    public let pipelines: [PipelineID]
    /// The columns written per table.
    public let layouts: [TableLayout]
    private let chosen: [any FeaturePipeline]
    /// Concurrent series computations.
    public var workers: Int
    /// Sizes batches and may ask the run to stop; nil runs fixed batches of `fixedBatch`.
    public var governor: MemoryGovernor?
    /// Batch size without a governor.
    public var fixedBatch: Int
    /// The most series a governed batch holds: 32 series of 2,000 draws are about 40 MB of
    /// features_hist, and two batches are alive at once (one written, one computed).
    public static let batchCeiling = 32
    /// Where each layout column comes from: per table, per numeric column, the index of the
    /// pipeline in `pipelines` and of the value in its output; then the same for text columns.
    private let sources: [FeatureTable: (numbers: [(Int, Int)], texts: [(Int, Int)])]

    /// Runs `pipelines` (default all) into those of `tables` they write to. `coreHistOnly`
    /// writes only the 58 lag and rolling columns of features_hist (the benchmark's set, P1 and
    /// P3 into the schema's columns).
    public init(
        tables: [FeatureTable] = FeatureTable.allCases, pipelines: [PipelineID] = PipelineID.allCases,
        workers: Int = 2, governor: MemoryGovernor? = nil, fixedBatch: Int = 16, coreHistOnly: Bool = false
    ) {
        let requested = FeaturePipelines.select(coreHistOnly ? [.p1, .p3] : pipelines)
        let wanted = coreHistOnly ? [.hist] : tables
        let tables = wanted.sorted().filter { table in requested.contains { !$0.columns(in: table).isEmpty } }
        self.tables = tables
        // Only the pipelines with a column in these tables run: `--tables futr` computes P12 alone.
        let chosen = requested.filter { pipeline in tables.contains { !pipeline.columns(in: $0).isEmpty } }
        self.pipelines = chosen.map(\.id)
        self.chosen = chosen
        var layouts = tables.map { TableLayout(table: $0, pipelines: chosen) }
        if coreHistOnly {
            layouts = [TableLayout(table: .hist, pipelines: chosen, schemaOnly: true)]
        }
        self.layouts = layouts
        var sources: [FeatureTable: (numbers: [(Int, Int)], texts: [(Int, Int)])] = [:]
        for layout in layouts {
            func source(_ column: FeatureColumn, texts: Bool) -> (Int, Int) {
                let pipe = chosen.firstIndex { $0.id == column.pipeline }!
                let own = chosen[pipe].columns(in: layout.table).filter { $0.type.isText == texts }
                return (pipe, own.firstIndex { $0.name == column.name }!)
            }
            sources[layout.table] = (
                layout.numericColumns.map { source($0, texts: false) },
                layout.textColumns.map { source($0, texts: true) }
            )
        }
        self.sources = sources
        self.workers = max(workers, 1)
        self.governor = governor
        self.fixedBatch = max(fixedBatch, 1)
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
        try Self.checkKeys(series)
        let contexts = Self.contexts(series, draws: pipelines.contains(.p13))
        try store.prepare(layouts)
        var summary = GenerateSummary(series: 0, batches: 0, rowsComputed: 0, rowsChanged: 0)
        summary.pipelines = chosen.map { pipeline in
            PipelineSummary(
                pipeline: pipeline.id.description, title: pipeline.title, seconds: 0, rows: [:],
                columns: layouts.reduce(0) { $0 + $1.columns.filter { $0.pipeline == pipeline.id }.count })
        }
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
        guard !todo.isEmpty else {
            try store.finish()
            return summary
        }

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
            for (index, seconds) in batch.pipelineSeconds.enumerated() { summary.pipelines[index].seconds += seconds }
            for layout in layouts {
                let rows = batch.blocks[layout.table]?.reduce(0) { $0 + $1.rowCount } ?? 0
                for index in summary.pipelines.indices
                where layout.columns.contains(where: { $0.pipeline.description == summary.pipelines[index].pipeline }) {
                    summary.pipelines[index].rows[layout.table.name, default: 0] += rows
                }
            }
            summary.batches += 1
            summary.series = end
            committed += 1
            cacheRelease.record(store.cacheBytes)
            progress(
                GenerateProgress(
                    seriesDone: skipped + end, seriesTotal: series.count, rowsChanged: summary.rowsChanged,
                    pipelineSeconds: summary.pipelines.map { ($0.pipeline, $0.seconds) }))
        }
        func stopIfAsked(after end: Int) throws {
            // A safe point: everything up to `end` is committed, and this run kept at least one batch.
            guard job?.shouldStop == true, committed > 0, end < todo.count else { return }
            // The indexes of what is kept; under memory pressure a failure here is left to the next run.
            try? store.finish()
            let already = skipped > 0 ? ", \(skipped) complete before it" : ""
            throw LotoFeaturesError.interrupted(
                "stopped by the memory governor after \(committed) batch\(committed == 1 ? "" : "es"): \(skipped + end) of \(series.count) series kept in \(store.target) (\(end) written by this run\(already)); rerun with --resume to complete the rest"
            )
        }

        var (size, light) = plan()
        var start = 0
        var end = min(size, todo.count)
        var current = await compute(Array(todo[start..<end]), workers: light ? 1 : workers, contexts: contexts)
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
                async let next = compute(following, workers: workers, contexts: contexts)
                try commit(current, through: end)
                try stopIfAsked(after: end)
                current = await next
            } else {
                try commit(current, through: end)
                try stopIfAsked(after: end)
                current = FeatureBatch()
                current = await compute(following, workers: light ? 1 : workers, contexts: contexts)
            }
            start = end
            end = nextEnd
        }
        try store.finish()
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
        await compute(batch, workers: workers, contexts: Self.contexts(batch, draws: pipelines.contains(.p13)))
    }

    /// The features of `batch` with the games' contexts taken from `all` (every series of the
    /// run), as a whole run computes them: P13 reads every position of a game.
    public func compute(_ batch: [DrawSeries], within all: [DrawSeries]) async -> FeatureBatch {
        let games = Set(batch.map(\.loto))
        let context = Self.contexts(all.filter { games.contains($0.loto) }, draws: pipelines.contains(.p13))
        return await compute(batch, workers: workers, contexts: context)
    }

    /// The features of one batch computed by up to `workers` tasks (one in light mode). A
    /// cancelled computation (a run that stops while it is under way) starts no further series
    /// and returns an empty batch.
    func compute(_ batch: [DrawSeries], workers: Int, contexts: [String: SeriesContext]) async -> FeatureBatch {
        guard !batch.isEmpty else { return FeatureBatch() }
        var results = [SeriesFeatures?](repeating: nil, count: batch.count)
        await withTaskGroup(of: (Int, SeriesFeatures).self) { group in
            var nextIndex = 0
            func addNext() {
                let index = nextIndex
                let series = batch[index]
                let context = contexts[series.loto] ?? SeriesContext()
                group.addTask { (index, self.features(of: series, context: context)) }
                nextIndex += 1
            }
            while nextIndex < min(max(workers, 1), batch.count) { addNext() }
            while let (index, features) = await group.next() {
                results[index] = features
                if nextIndex < batch.count, !Task.isCancelled { addNext() }
            }
        }
        guard results.allSatisfy({ $0 != nil }) else { return FeatureBatch() }
        var out = FeatureBatch()
        out.pipelineSeconds = [Double](repeating: 0, count: pipelines.count)
        for result in results {
            for (index, seconds) in result!.seconds.enumerated() { out.pipelineSeconds[index] += seconds }
        }
        for table in tables { out.blocks[table] = results.map { $0!.blocks[table]! } }
        return out
    }

    /// One series' blocks and each pipeline's time on it.
    struct SeriesFeatures: Sendable {
        var blocks: [FeatureTable: FeatureBlock]
        var seconds: [Double]
    }

    /// Every chosen pipeline over one series, assembled into the layouts' blocks.
    func features(of series: DrawSeries, context: SeriesContext) -> SeriesFeatures {
        let clock = ContinuousClock()
        var outputs: [PipelineOutput] = []
        var seconds: [Double] = []
        for pipeline in chosen {
            let start = clock.now
            outputs.append(pipeline.compute(series, context: context))
            let elapsed = clock.now - start
            seconds.append(
                Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
        var blocks: [FeatureTable: FeatureBlock] = [:]
        for layout in layouts {
            let table = layout.table
            let (numbers, texts) = sources[table]!
            let width = numbers.count
            if table == .stat {
                blocks[table] = FeatureBlock(
                    key: series.key, days: [], columnCount: width,
                    values: numbers.map { outputs[$0.0].stat[$0.1] }, texts: texts.map { outputs[$0.0].statTexts[$0.1] }
                )
                continue
            }
            let n = series.count
            var values = [Double](repeating: .nan, count: n * width)
            values.withUnsafeMutableBufferPointer { values in
                for (column, (pipe, index)) in numbers.enumerated() {
                    let source = table == .hist ? outputs[pipe].hist[index] : outputs[pipe].futr[index]
                    for row in 0..<n { values[row * width + column] = source[row] }
                }
            }
            blocks[table] = FeatureBlock(key: series.key, days: series.days, columnCount: width, values: values)
        }
        return SeriesFeatures(blocks: blocks, seconds: seconds)
    }

    /// Every requested table of one series, all pipelines.
    public static func features(of series: DrawSeries, tables: [FeatureTable] = FeatureTable.allCases)
        -> [FeatureTable: FeatureBlock]
    {
        FeatureGenerator(tables: tables).features(of: series)
    }

    /// This generator's blocks of one series (its pipelines, its layouts), the game known from
    /// this series alone.
    public func features(of series: DrawSeries) -> [FeatureTable: FeatureBlock] {
        features(of: series, context: Self.contexts([series], draws: pipelines.contains(.p13))[series.loto]!).blocks
    }

    /// The context of each game in `series`: the game by name and its distinct draw days, and
    /// with `draws` (when P13 runs) every position's draws.
    public static func contexts(_ series: [DrawSeries], draws: Bool = false) -> [String: SeriesContext] {
        var games: [String: [DrawSeries]] = [:]
        for one in series { games[one.loto, default: []].append(one) }
        return games.reduce(into: [:]) { result, entry in
            let game = LotoGame.named(entry.key)
            var days = Set<Int>()
            for one in entry.value { days.formUnion(one.days.lazy.map(\.daysSinceEpoch)) }
            result[entry.key] = SeriesContext(
                game: game, gameDrawCount: days.count,
                draws: draws ? GameDraws(game: game, series: entry.value) : nil)
        }
    }

    /// Refuses keys longer than the tables' `loto` (50) and `unique_id` (10) columns hold, before
    /// anything is written.
    public static func checkKeys(_ series: [DrawSeries]) throws {
        for one in series {
            for (name, value, limit) in [
                ("loto", one.loto, FeatureSchema.lotoLength), ("unique_id", one.uniqueId, FeatureSchema.uniqueIdLength),
            ] where value.count > limit {
                throw LotoFeaturesError.usage(
                    "series \(one.key): \(name) '\(value.prefix(60))' is \(value.count) characters; the tables hold at most \(limit) (nothing written)"
                )
            }
        }
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
