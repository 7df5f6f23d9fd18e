// ast2graph's figures: files, nodes, edges, wall time with 1 and 2 workers (median of RUNS),
// peak RSS, a raw swift-syntax parse (and parse + walk) of the same files as the ceiling, and
// every file format written with 2 workers, to memory (/dev/shm) and to OUTDIR on disk, so
// that parse, walk, graph building, encoding and writing can be told apart.
//
//   swift build --package-path Benchmarks -c release --product ast2graph-benchmarks
//   Benchmarks/.build/release/ast2graph-benchmarks /tmp/swift-nio/Sources 5 /work/tmp
//
// Each measurement runs in this process one after the other; peak RSS is the process's VmHWM
// after each step (it only grows, so each figure includes the steps before it: the raw ceiling
// runs first).
import ASTGraph
import Foundation
import SwiftParser
import SwiftSyntax

/// Counts every node of a tree, the cheapest full walk swift-syntax offers.
final class CountingVisitor: SyntaxAnyVisitor {
    var nodes = 0
    override func visitAny(_ node: Syntax) -> SyntaxVisitorContinueKind {
        nodes += 1
        return .visitChildren
    }
}

func seconds(_ body: () async throws -> Void) async rethrows -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    try await body()
    let elapsed = clock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
func mib(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }

let arguments = CommandLine.arguments.dropFirst()
guard let root = arguments.first else {
    print("usage: ast2graph-benchmarks DIRECTORY [RUNS]   (e.g. /tmp/swift-nio/Sources)")
    exit(2)
}
let runs = arguments.dropFirst().first.flatMap { Int($0) } ?? 5
/// Where the "disk" outputs go: a directory on a disk-backed file system (default: the current one).
let diskDirectory = arguments.dropFirst(2).first ?? FileManager.default.currentDirectoryPath
let files = try SourceInputs.discover([root])
let sources = try files.map { try [UInt8](Data(contentsOf: URL(fileURLWithPath: $0))) }
print(
    "inputs: \(files.count) files, \(sources.reduce(0) { $0 + $1.count }) bytes under \(root); median of \(runs) runs")

// The parse alone, one core, sources already in memory.
var parseTimes: [Double] = []
for _ in 0..<runs {
    parseTimes.append(
        await seconds {
            for source in sources {
                let tree = source.withUnsafeBufferPointer { Parser.parse(source: $0) }
                withExtendedLifetime(tree) {}
            }
        })
}
print(String(format: "raw parse only (1 core, in memory): %.3f s", median(parseTimes)))

// The ceiling: parse + walk, one core, sources already in memory.
var rawNodes = 0
var rawTimes: [Double] = []
for _ in 0..<runs {
    rawTimes.append(
        await seconds {
            rawNodes = 0
            for source in sources {
                let tree = source.withUnsafeBufferPointer { Parser.parse(source: $0) }
                let visitor = CountingVisitor(viewMode: .sourceAccurate)
                visitor.walk(tree)
                rawNodes += visitor.nodes
            }
        })
}
print(
    String(
        format: "raw parse+walk (1 core, in memory): %d nodes, %.3f s, peak RSS %@", rawNodes, median(rawTimes),
        mib(peakResidentBytes())))

let scratch = diskDirectory + "/ast2graph-bench-\(getpid())"
let memory = "/dev/shm/ast2graph-bench-\(getpid())"
for directory in [scratch, memory] {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
}
defer { for directory in [scratch, memory] { try? FileManager.default.removeItem(atPath: directory) } }

/// Runs `files` into the sink `makeSink` gives for each path, `runs` times, and prints a line.
func measure(
    _ label: String, workers: Int, options: GraphBuildOptions = GraphBuildOptions(), directory: String,
    makeSink: (String) throws -> any GraphSink
) async throws {
    var times: [Double] = []
    var result: BatchResult?
    var outputBytes = 0
    for run in 0..<runs {
        let path = "\(directory)/graph-\(workers)-\(run).out"
        let processor = BatchProcessor(
            configuration: BatchConfiguration(workers: workers, batchSize: 32, options: options))
        times.append(
            try await seconds {
                result = try await processor.run(files: files, into: try makeSink(path))
            })
        outputBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        try? FileManager.default.removeItem(atPath: path)
    }
    guard let result else { return }
    print(
        String(
            format:
                "%@, %d worker(s): %d files (%d failed), %d nodes, %d edges, %.3f s (min %.3f, max %.3f), output %d bytes, peak RSS %@",
            label, workers, result.processedFiles, result.failures.count, result.nodes, result.edges, median(times),
            times.min()!, times.max()!, outputBytes, mib(peakResidentBytes())))
}

for workers in [1, 2] {
    try await measure("graph only (no export)", workers: workers, directory: memory) { _ in DiscardingSink() }
}
let noNext = GraphBuildOptions(includeNextEdges: false)
for (place, directory) in [("memory", memory), ("disk", scratch)] {
    try await measure("JSONL to \(place)", workers: 2, directory: directory) { try JSONLinesExporter(path: $0) }
    try await measure("lean JSONL to \(place)", workers: 2, directory: directory) {
        try JSONLinesExporter(path: $0, layout: .lean)
    }
    try await measure("lean JSONL, no next edges, to \(place)", workers: 2, options: noNext, directory: directory) {
        try JSONLinesExporter(path: $0, layout: .lean)
    }
    try await measure("binary to \(place)", workers: 2, directory: directory) { try BinaryGraphExporter(path: $0) }
    try await measure("binary, no next edges, to \(place)", workers: 2, options: noNext, directory: directory) {
        try BinaryGraphExporter(path: $0)
    }
}
