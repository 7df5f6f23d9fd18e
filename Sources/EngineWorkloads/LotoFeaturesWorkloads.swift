import Foundation
import LotoFeatures
import SoakGate

/// One batch of loto-features end to end into SQLite: compute the three tables of six loto6
/// series (in parallel), create a fresh store file, write the batch in one transaction, close
/// and delete it. Everything an iteration opens (connection, statements, file) must be gone
/// when it returns.
struct LotoBatchIntoSQLite: Workload {
    var directory: URL?
    var series: [DrawSeries] = []
    var iteration = 0

    mutating func setUp() async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("soakgate-loto-\(getpid())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        directory = url
        series = SampleDraws.series(game: LotoGame.named("loto6")!, draws: 150, seed: 5)
    }

    mutating func run() async throws {
        guard let directory else { return }
        iteration += 1
        let path = directory.appendingPathComponent("features-\(iteration % 2).sqlite").path
        do {
            let store = try SQLiteFeatureStore(path: path)
            _ = try await FeatureGenerator(workers: 2, fixedBatch: series.count).run(series, into: store)
        }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    mutating func tearDown() async throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }
}

/// The stat pipeline alone: global statistics, meta data and tsfeatures of seven series.
struct LotoStatPipeline: Workload {
    var series: [DrawSeries] = []

    mutating func setUp() async throws {
        series = SampleDraws.series(game: LotoGame.named("loto7")!, draws: 400, seed: 9)
    }

    mutating func run() async throws {
        var total = 0.0
        for one in series { total += StatFeatures.compute(one).values.reduce(0) { $0 + ($1.isFinite ? $1 : 0) } }
        precondition(total.isFinite)
    }
}

/// One batch into PostgreSQL: connect, COPY into the staging tables, upsert, commit,
/// disconnect. Needs SOAKGATE_TEST_DATABASE_URL; works in a schema of its own, dropped after.
struct LotoBatchIntoPostgres: Workload {
    static let schema = "soakgate_loto_workload"
    var url: String?
    var series: [DrawSeries] = []

    mutating func setUp() async throws {
        guard let base = ProcessInfo.processInfo.environment["SOAKGATE_TEST_DATABASE_URL"], !base.isEmpty else {
            throw LotoFeaturesError.usage("loto.batch-postgres needs a database: run it through 'bash ci/with-postgres.sh .build/debug/soakgate check --workload loto.batch-postgres'")
        }
        url = base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(Self.schema)"
        try PostgresSchema.create(Self.schema, at: base)
        series = SampleDraws.series(game: LotoGame.named("miniloto")!, draws: 150, seed: 5)
    }

    mutating func run() async throws {
        guard let url else { return }
        let store = try PostgresFeatureStore(connectionString: url)
        _ = try await FeatureGenerator(workers: 2, fixedBatch: series.count).run(series, into: store)
    }

    mutating func tearDown() async throws {
        if let base = ProcessInfo.processInfo.environment["SOAKGATE_TEST_DATABASE_URL"] { try? PostgresSchema.drop(Self.schema, at: base) }
    }
}

/// loto-features' operations as harness workloads.
enum LotoFeaturesWorkloads {
    static var hasDatabase: Bool { !(ProcessInfo.processInfo.environment["SOAKGATE_TEST_DATABASE_URL"] ?? "").isEmpty }

    static let all: [WorkloadDefinition] = [
        WorkloadDefinition("loto.batch-sqlite", summary: "loto-features: one batch of 6 series × 150 draws, all three tables, into a fresh SQLite file") {
            LotoBatchIntoSQLite()
        },
        WorkloadDefinition("loto.stat-pipeline", summary: "loto-features: features_stat (global stats, meta, tsfeatures) of 7 series × 400 draws") {
            LotoStatPipeline()
        },
        WorkloadDefinition(
            "loto.batch-postgres",
            summary: hasDatabase
                ? "loto-features: one batch of 5 series × 150 draws into PostgreSQL (COPY, upsert, commit)"
                : "loto-features into PostgreSQL — off by default: SOAKGATE_TEST_DATABASE_URL is not set (run under bash ci/with-postgres.sh)",
            runsByDefault: hasDatabase
        ) {
            LotoBatchIntoPostgres()
        },
    ]
}
