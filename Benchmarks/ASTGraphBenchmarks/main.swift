// ast2graph's figures: files, nodes, edges, wall time with 1 and 2 workers (median of 5),
// peak RSS, and a raw swift-syntax parse + walk of the same files as the ceiling.
//
//   swift build --package-path Benchmarks -c release --product ast2graph-benchmarks
//   Benchmarks/.build/release/ast2graph-benchmarks /tmp/swift-nio/Sources
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
let files = try SourceInputs.discover([root])
let sources = try files.map { try [UInt8](Data(contentsOf: URL(fileURLWithPath: $0))) }
print(
    "inputs: \(files.count) files, \(sources.reduce(0) { $0 + $1.count }) bytes under \(root); median of \(runs) runs")

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

let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ast2graph-bench-\(getpid())").path
try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: scratch) }

for (label, makeSink) in [
    ("graph only (no export)", { (_: String) throws -> any GraphSink in DiscardingSink() }),
    ("JSONL export", { (path: String) throws -> any GraphSink in try JSONLinesExporter(path: path) }),
] {
    for workers in [1, 2] {
        var times: [Double] = []
        var result: BatchResult?
        var outputBytes = 0
        for run in 0..<runs {
            let path = "\(scratch)/graph-\(workers)-\(run).jsonl"
            let processor = BatchProcessor(configuration: BatchConfiguration(workers: workers, batchSize: 32))
            times.append(
                try await seconds {
                    result = try await processor.run(files: files, into: try makeSink(path))
                })
            outputBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            try? FileManager.default.removeItem(atPath: path)
        }
        guard let result else { continue }
        print(
            String(
                format:
                    "ast2graph %@, %d worker(s): %d files (%d failed), %d nodes, %d edges, %.3f s (min %.3f, max %.3f), output %d bytes, peak RSS %@",
                label, workers, result.processedFiles, result.failures.count, result.nodes, result.edges, median(times),
                times.min()!, times.max()!, outputBytes, mib(peakResidentBytes())))
    }
}
