import ASTGraph
import Foundation
import LotoFeatures
import SoakGate

/// The engines at the scale their users run them, for `soakgate-engines bench`: the figures in
/// BENCHMARKS.md per file, per issue and per draw. They run only when named: at this scale an
/// iteration takes 50–230 ms, too long for the default leak check's thousands.
///
///   Engines/.build/release/soakgate-engines bench --workload 'ast2graph.corpus' 'issue-stream.triage-1000' 'loto.generate-sqlite'
///
/// What compares an engine with another tool (raw swift-syntax, polars, the Python reference
/// libraries) stays in the programs under Benchmarks/, which call into the engines.
enum EngineBenchWorkloads {
    /// `SOAKGATE_AST2GRAPH_CORPUS`, or else this checkout's `Engines/Sources`, found from this
    /// file's path at build time.
    static let corpusDirectory: String = {
        if let directory = ProcessInfo.processInfo.environment["SOAKGATE_AST2GRAPH_CORPUS"], !directory.isEmpty {
            return directory
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().path
    }()

    /// The corpus's Swift files, discovered once per process; empty if the directory is missing
    /// (then the workload's setUp says so).
    static let corpusFiles: [String] = (try? SourceInputs.discover([corpusDirectory])) ?? []

    static let loto = (game: "loto7", series: 4, draws: 2_000)
    static let issues = 1_000

    static let all: [WorkloadDefinition] = [
        WorkloadDefinition(
            "ast2graph.corpus",
            summary:
                "ast2graph: parse the \(corpusFiles.count) Swift files under \(corpusDirectory) (SOAKGATE_AST2GRAPH_CORPUS) into graphs with 2 workers",
            runsByDefault: false, unit: WorkloadUnit("files", perIteration: Double(max(corpusFiles.count, 1)))
        ) {
            ASTGraphCorpus()
        },
        WorkloadDefinition(
            "issue-stream.triage-1000",
            summary: "issue-stream: list 1,000 issues (10 pages of 100) from the local server and triage them",
            runsByDefault: false, unit: WorkloadUnit("issues", perIteration: Double(issues))
        ) {
            IssueStreamTriageAtScale()
        },
        WorkloadDefinition(
            "loto.generate-sqlite",
            summary:
                "loto-features: every pipeline over \(loto.series) \(loto.game) series × \(loto.draws) draws with 2 workers, all three tables, into a fresh (in-memory) SQLite database",
            runsByDefault: false, unit: WorkloadUnit("draws", perIteration: Double(loto.series * loto.draws))
        ) {
            LotoGenerateAtScale()
        },
    ]
}

/// ast2graph over a whole source tree, 2 workers, graphs discarded.
struct ASTGraphCorpus: Workload {
    var files: [String] = []

    mutating func setUp() async throws {
        files = EngineBenchWorkloads.corpusFiles
        guard !files.isEmpty else {
            throw ASTGraphBenchError(
                "ast2graph.corpus: no Swift files under \(EngineBenchWorkloads.corpusDirectory); set SOAKGATE_AST2GRAPH_CORPUS to a directory of Swift sources"
            )
        }
    }

    mutating func run() async throws {
        let processor = BatchProcessor(configuration: BatchConfiguration(workers: 2, batchSize: 64))
        let result = try await processor.run(files: files, into: DiscardingSink())
        precondition(result.processedFiles == files.count, "a file failed: \(result.failures.prefix(3))")
    }
}

struct ASTGraphBenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Triage of a 1,000-issue repository in pages of 100, as a user's run lists it.
struct IssueStreamTriageAtScale: Workload {
    var fixture = IssueStreamFixture()
    mutating func setUp() async throws { try await fixture.start(issues: EngineBenchWorkloads.issues) }
    mutating func run() async throws { try await fixture.triage(apply: false, perPage: 100) }
    mutating func tearDown() async throws { try await fixture.stop() }
}

/// `loto-features generate` end to end at a user's scale: every pipeline, both workers, one
/// batch into a fresh SQLite database in memory (the file store's code path without the disk).
struct LotoGenerateAtScale: Workload {
    var series: [DrawSeries] = []

    mutating func setUp() async throws {
        let scale = EngineBenchWorkloads.loto
        series = SampleDraws.series(game: LotoGame.named(scale.game)!, draws: scale.draws, seed: 17)
            .prefix(scale.series).map { $0 }
    }

    mutating func run() async throws {
        let store = try SQLiteFeatureStore(path: ":memory:")
        let summary = try await FeatureGenerator(workers: 2, fixedBatch: series.count).run(series, into: store)
        precondition(summary.rowsChanged > 0, "a fresh database takes every row")
    }
}
