import ASTGraph
import Foundation
import SoakGate

/// A few Swift files written to a temporary directory in setUp and removed in tearDown, so the
/// ast2graph workloads need no network and no checkout.
struct ASTGraphSamples {
    let directory: String
    let files: [String]

    static let sources: [(String, String)] = [
        (
            "Point.swift",
            """
            import Foundation
            struct Point: Equatable {
                var x: Int
                var y: Int
                func moved(by dx: Int, _ dy: Int = 0) -> Point { Point(x: x + dx, y: y + dy) }
            }
            """
        ),
        (
            "Shapes/Circle.swift",
            """
            final class Circle {
                let centre: Point
                let radius: Double
                init(centre: Point, radius: Double) { self.centre = centre; self.radius = radius }
                var area: Double { Double.pi * radius * radius }
                func scaled(_ factor: Double) -> Circle { Circle(centre: centre, radius: radius * factor) }
            }
            """
        ),
        (
            "main.swift",
            """
            let shapes = (1...20).map { Circle(centre: Point(x: $0, y: -$0), radius: Double($0)) }
            let total = shapes.reduce(0) { $0 + $1.scaled(2).area }
            print("total area: \\(total)", shapes.count)
            """
        ),
    ]

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("soakgate-ast2graph-\(getpid())").path
        for (name, text) in Self.sources {
            let url = URL(fileURLWithPath: directory).appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        files = try SourceInputs.discover([directory])
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

/// Parse and build one batch of graphs; the graphs are dropped at the end of the iteration.
struct ASTGraphParseBatch: Workload {
    var samples: ASTGraphSamples?

    mutating func setUp() async throws { samples = try ASTGraphSamples() }
    mutating func tearDown() async throws { samples?.remove() }

    mutating func run() async throws {
        guard let samples else { return }
        let processor = BatchProcessor(configuration: BatchConfiguration(workers: 2, batchSize: samples.files.count))
        let result = try await processor.run(files: samples.files, into: DiscardingSink())
        precondition(result.processedFiles == samples.files.count, "a sample failed: \(result.failures)")
    }
}

/// Export one batch of graphs (built in setUp) as JSON Lines: partial file, rename. Without the
/// fsync a user's export makes, which at thousands of iterations would cost minutes and measure
/// the disk, not memory.
struct ASTGraphExportBatch: Workload {
    var samples: ASTGraphSamples?
    var graphs: [FileGraph] = []

    mutating func setUp() async throws {
        let samples = try ASTGraphSamples()
        self.samples = samples
        let builder = GraphBuilder()
        graphs = try samples.files.map { try builder.build(path: $0).get() }
    }

    mutating func tearDown() async throws { samples?.remove() }

    mutating func run() async throws {
        guard let samples else { return }
        let exporter = try JSONLinesExporter(path: samples.directory + "/graph.jsonl", syncOnCommit: false)
        for graph in graphs { try exporter.write(graph) }
        try exporter.finish()
    }
}

/// Consume the per-file graphs as an AsyncSequence, one batch of one file at a time.
struct ASTGraphStreamConsumer: Workload {
    var samples: ASTGraphSamples?

    mutating func setUp() async throws { samples = try ASTGraphSamples() }
    mutating func tearDown() async throws { samples?.remove() }

    mutating func run() async throws {
        guard let samples else { return }
        var nodes = 0
        let stream = FileGraphStream(files: samples.files, configuration: BatchConfiguration(workers: 2, batchSize: 1))
        for try await outcome in stream {
            if case .graph(let graph) = outcome { nodes += graph.nodeCount }
        }
        precondition(nodes > 0, "the stream gave no nodes")
    }
}

extension EngineWorkloads {
    /// ast2graph's operations as harness workloads.
    static let astGraph: [WorkloadDefinition] = [
        WorkloadDefinition(
            "ast2graph.parse-batch", summary: "ast2graph: parse 3 sample files into graphs with 2 workers",
            unit: WorkloadUnit("files", perIteration: 3)
        ) {
            ASTGraphParseBatch()
        },
        WorkloadDefinition(
            "ast2graph.export-batch",
            summary: "ast2graph: export 3 sample files' graphs as JSON Lines (partial file, rename)",
            unit: WorkloadUnit("files", perIteration: 3)
        ) {
            ASTGraphExportBatch()
        },
        WorkloadDefinition(
            "ast2graph.stream", summary: "ast2graph: consume 3 sample files' graphs as an AsyncSequence",
            unit: WorkloadUnit("files", perIteration: 3)
        ) {
            ASTGraphStreamConsumer()
        },
    ]
}
