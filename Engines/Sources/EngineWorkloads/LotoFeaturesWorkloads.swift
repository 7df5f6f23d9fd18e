import Foundation
import LotoFeatures
import MemoryGovernor
import SoakGate

/// One batch of loto-features end to end into SQLite: compute the three tables of two
/// miniloto series (in parallel; 95 draws, so every window fills), open a fresh database,
/// create the tables, write the batch in one transaction and close it. Everything an
/// iteration opens (connection, statements) must be gone when it returns. The database is in
/// memory (`:memory:`) so that thousands of iterations are not thousands of file syncs; the
/// code path is the file store's.
struct LotoBatchIntoSQLite: Workload {
    var series: [DrawSeries] = []

    mutating func setUp() async throws {
        series = SampleDraws.series(game: LotoGame.named("miniloto")!, draws: 95, seed: 5).prefix(2).map { $0 }
    }

    mutating func run() async throws {
        let store = try SQLiteFeatureStore(path: ":memory:")
        let summary = try await FeatureGenerator(workers: 2, fixedBatch: series.count).run(series, into: store)
        precondition(summary.rowsChanged == 2 * (95 + 95 + 1), "a fresh database takes every row")
    }
}

/// Every pipeline's computation alone (no store), over two series of 230 draws: long enough
/// for STL with loto7's weekly period of 52 and every rolling window.
struct LotoPipelines: Workload {
    var series: [DrawSeries] = []

    mutating func setUp() async throws {
        series = SampleDraws.series(game: LotoGame.named("loto7")!, draws: 230, seed: 9).prefix(2).map { $0 }
    }

    mutating func run() async throws {
        var total = 0.0
        for one in series {
            for pipeline in FeaturePipelines.all {
                let output = pipeline.compute(one, context: SeriesContext(game: LotoGame.named("loto7")))
                let values = output.stat + output.hist.joined() + output.futr.joined()
                total += values.reduce(0) { $0 + ($1.isFinite ? $1 : 0) }
            }
        }
        precondition(total.isFinite)
    }
}

/// One pipeline alone over a whole loto7 game (7 positions × 230 draws), no store: for P13 the
/// game's draws across positions are built in every iteration, as a run builds them.
struct LotoOnePipeline: Workload {
    let pipeline: any FeaturePipeline
    var series: [DrawSeries] = []

    init(_ id: PipelineID) { pipeline = FeaturePipelines.byID[id]! }

    mutating func setUp() async throws {
        series = SampleDraws.series(game: LotoGame.named("loto7")!, draws: 230, seed: 11)
    }

    mutating func run() async throws {
        let context = FeatureGenerator.contexts(series, draws: pipeline.id == .p13)["loto7"]!
        var total = 0.0
        for one in series {
            let output = pipeline.compute(one, context: context)
            let values = output.stat + output.hist.joined() + output.futr.joined()
            total += values.reduce(0) { $0 + ($1.isFinite ? $1 : 0) }
        }
        precondition(total.isFinite && total != 0, "\(pipeline.id) computed nothing")
    }
}

/// The PostgreSQL the database workloads measure against: a schema of their own in the
/// database of SOAKGATE_TEST_DATABASE_URL, dropped after.
enum WorkloadDatabase {
    /// Two miniloto series of 60 draws.
    static var series: [DrawSeries] {
        SampleDraws.series(game: LotoGame.named("miniloto")!, draws: 60, seed: 5).prefix(2).map { $0 }
    }

    /// A store whose tables live in `schema`, made afresh; `workload` names the workload in the
    /// error when there is no database.
    static func store(schema: String, for workload: String) throws -> PostgresFeatureStore {
        guard let base = ProcessInfo.processInfo.environment["SOAKGATE_TEST_DATABASE_URL"], !base.isEmpty else {
            throw LotoFeaturesError.usage(
                "\(workload) needs a database: run it through 'bash ci/with-postgres.sh Engines/.build/debug/soakgate-engines check --workload \(workload)'"
            )
        }
        try PostgresSchema.create(schema, at: base)
        return try PostgresFeatureStore(
            connectionString: base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)")
    }

    static func drop(schema: String) {
        if let base = ProcessInfo.processInfo.environment["SOAKGATE_TEST_DATABASE_URL"] {
            try? PostgresSchema.drop(schema, at: base)
        }
    }
}

/// Batches into PostgreSQL over one connection kept for the whole measurement, as
/// `loto-features generate` keeps one for a whole run: each iteration prepares the tables
/// (as every run does) and writes one batch (COPY into the session's staging tables, upsert,
/// commit). Needs SOAKGATE_TEST_DATABASE_URL; works in a schema of its own, dropped after.
///
/// A connection per iteration would measure connection set-up more than the store, and at
/// about 60 ms an iteration here (a new server process, catalog look-ups, temporary tables)
/// it could not finish the confirmation windows within the default timeout; connections
/// opened and closed are measured by LibPQTests instead.
struct LotoBatchesIntoPostgres: Workload {
    static let name = "loto.batch-postgres"
    static let schema = "soakgate_loto_workload"
    var store: PostgresFeatureStore?
    var series: [DrawSeries] = []

    mutating func setUp() async throws {
        store = try WorkloadDatabase.store(schema: Self.schema, for: Self.name)
        series = WorkloadDatabase.series
    }

    mutating func run() async throws {
        guard let store else { return }
        _ = try await FeatureGenerator(workers: 2, fixedBatch: series.count).run(series, into: store)
    }

    mutating func tearDown() async throws {
        store = nil
        WorkloadDatabase.drop(schema: Self.schema)
    }
}

/// One `generate --worker` over two series: the work table emptied, the series enqueued,
/// claimed one at a time under a lease, computed, and written and marked done in one
/// transaction each, over the one connection a worker keeps.
struct LotoWorkerIntoPostgres: Workload {
    static let name = "loto.worker-postgres"
    static let schema = "soakgate_loto_worker_workload"
    var store: PostgresFeatureStore?
    var series: [DrawSeries] = []

    mutating func setUp() async throws {
        store = try WorkloadDatabase.store(schema: Self.schema, for: Self.name)
        series = WorkloadDatabase.series
    }

    mutating func run() async throws {
        guard let store else { return }
        try PostgresWorkQueue(store: store, worker: "soakgate-workload").clear()
        let done = try await FeatureWorker(generator: FeatureGenerator(workers: 2), leaseSeconds: 60, claimSize: 1).run(
            series, into: store, worker: "soakgate-workload")
        precondition(done.seriesDone == series.count, "the worker computes every series of an emptied work table")
    }

    mutating func tearDown() async throws {
        store = nil
        WorkloadDatabase.drop(schema: Self.schema)
    }
}

/// A governed run and its `--resume`, as `generate` does them, under one governor for the whole
/// measurement (as a long-lived process would keep one): write two series into a fresh
/// in-memory database, then resume over three, which asks the store which series it holds whole
/// and writes only the third. Each run registers the store's cache with the governor and
/// unregisters it when it ends, so the governor must hold nothing more after a thousand runs.
struct LotoGovernedResumeIntoSQLite: Workload {
    var series: [DrawSeries] = []
    var governor: MemoryGovernor?

    mutating func setUp() async throws {
        series = SampleDraws.series(game: LotoGame.named("miniloto")!, draws: 95, seed: 7).prefix(3).map { $0 }
        governor = try MemoryGovernor.forThisProcess()
    }

    mutating func run() async throws {
        let store = try SQLiteFeatureStore(path: ":memory:")
        let generator = FeatureGenerator(workers: 2, governor: governor)
        _ = try await generator.run(Array(series.prefix(2)), into: store)
        let resumed = try await generator.run(series, into: store, resume: true)
        precondition(
            resumed.seriesAlreadyComplete == 2 && resumed.series == 1,
            "the resume skips the two series the store holds whole")
    }
}

/// loto-features' operations as harness workloads.
enum LotoFeaturesWorkloads {
    static var hasDatabase: Bool { !(ProcessInfo.processInfo.environment["SOAKGATE_TEST_DATABASE_URL"] ?? "").isEmpty }

    /// The PostgreSQL workload is registered only when a database is configured, so that
    /// `soakgate check --workload 'loto*'` without one measures what it can instead of failing.
    static let all: [WorkloadDefinition] =
        [
            WorkloadDefinition(
                "loto.batch-sqlite",
                summary:
                    "loto-features: one batch of 2 series × 95 draws, all three tables, into a fresh (in-memory) SQLite database",
                unit: WorkloadUnit("draws", perIteration: 190)
            ) {
                LotoBatchIntoSQLite()
            },
            WorkloadDefinition(
                "loto.pipelines",
                summary: "loto-features: every pipeline (P1 … P14) over 2 series × 230 draws, no store",
                unit: WorkloadUnit("draws", perIteration: 460)
            ) {
                LotoPipelines()
            },
        ]
        + [(PipelineID.p6, "tsfresh"), (.p8, "catch22"), (.p10, "matrix-profile"), (.p13, "lottery")].map { id, name in
            WorkloadDefinition(
                "loto.\(id.description.lowercased())-\(name)",
                summary:
                    "loto-features: \(id) (\(FeaturePipelines.byID[id]!.title)) alone over one loto7 game, 7 positions × 230 draws, no store",
                unit: WorkloadUnit("draws", perIteration: 7 * 230)
            ) {
                LotoOnePipeline(id)
            }
        }
        + [
            WorkloadDefinition(
                "loto.governed-resume-sqlite",
                summary:
                    "loto-features: a governed run of 2 series × 95 draws into a fresh in-memory SQLite database, then --resume over 3 (skips 2, writes 1)"
            ) {
                LotoGovernedResumeIntoSQLite()
            }
        ]
        + (hasDatabase
            ? [
                WorkloadDefinition(
                    LotoBatchesIntoPostgres.name,
                    summary:
                        "loto-features: prepare and one batch of 2 series × 60 draws per iteration (COPY, upsert, commit) over one PostgreSQL connection, as generate keeps one",
                    unit: WorkloadUnit("draws", perIteration: 120)
                ) {
                    LotoBatchesIntoPostgres()
                },
                WorkloadDefinition(
                    LotoWorkerIntoPostgres.name,
                    summary:
                        "loto-features: generate --worker over 2 series × 60 draws: work table emptied, each series claimed under a lease, computed, written and marked done in one transaction",
                    unit: WorkloadUnit("draws", perIteration: 120)
                ) {
                    LotoWorkerIntoPostgres()
                },
            ] : [])
}
