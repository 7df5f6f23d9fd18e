import ASTGraph
import Foundation
import MemoryGovernor
import Synchronization
import XCTest

/// Interrupted runs: a checkpoint after every batch, resume without redoing finished files,
/// cancellation, and the memory governor's emergency stop.
final class ResumeAndCancellationTests: XCTestCase {
    private struct Interrupted: Error {}

    /// Passes graphs on until `limit` files were written, then writes one more and throws, as
    /// a crash in the middle of a batch would leave it.
    private final class InterruptingSink: GraphSink {
        let inner: any GraphSink
        var left: Int
        init(_ inner: any GraphSink, after limit: Int) {
            self.inner = inner
            left = limit
        }
        func write(_ graph: FileGraph) throws {
            try inner.write(graph)
            if left == 0 {
                _ = try inner.checkpoint() // the extra file's bytes reach the disk
                throw Interrupted()
            }
            left -= 1
        }
        func checkpoint() throws -> [Int] { try inner.checkpoint() }
        func finish() throws { try inner.finish() }
    }

    private func manyFiles() throws -> [String] {
        let root = try SampleSources.write(
            self, extra: (0..<9).map { ("Copies/File\($0).swift", "struct Copy\($0) { let value = \($0) }\n") })
        return try SourceInputs.discover([root])
    }

    func testAnInterruptedRunResumesToTheSameBytesWithoutRedoingFinishedFiles() async throws {
        let files = try manyFiles()
        let out = try SampleSources.temporaryDirectory(self)
        let processor = BatchProcessor(configuration: BatchConfiguration(workers: 2, batchSize: 3))
        _ = try await processor.run(files: files, into: JSONLinesExporter(path: out + "/whole.jsonl"))
        _ = try await processor.run(files: files, into: Neo4jCSVExporter(directory: out + "/whole-neo4j"))

        for (name, make) in [
            (
                "g.jsonl",
                { (lengths: [Int]?) throws -> any GraphSink in
                    try JSONLinesExporter(path: out + "/g.jsonl", resumeLengths: lengths)
                }
            ),
            (
                "neo4j",
                { (lengths: [Int]?) throws -> any GraphSink in
                    try Neo4jCSVExporter(directory: out + "/neo4j", resumeLengths: lengths)
                }
            ),
        ] {
            let checkpointPath = out + "/\(name).checkpoint.json"
            do {
                _ = try await processor.run(
                    files: files, into: InterruptingSink(try make(nil), after: 7), checkpointPath: checkpointPath,
                    runKey: "k")
                XCTFail("the run was not interrupted")
            } catch is Interrupted {}
            let checkpoint = try XCTUnwrap(try Checkpoint.load(from: checkpointPath))
            XCTAssertEqual(checkpoint.doneFiles, 6, "the checkpoint is at the last whole batch")
            XCTAssertEqual(checkpoint.runKey, "k")
            let result = try await processor.run(
                files: files, into: try make(checkpoint.outputLengths), checkpointPath: checkpointPath,
                resumeFrom: checkpoint, runKey: "k")
            XCTAssertEqual(result.resumedFiles, 6)
            XCTAssertEqual(result.files, files.count)
            XCTAssertEqual(result.processedFiles, files.count)
            XCTAssertFalse(FileManager.default.fileExists(atPath: checkpointPath))
        }
        func data(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: out + "/" + path)) }
        XCTAssertEqual(try data("g.jsonl"), try data("whole.jsonl"))
        XCTAssertEqual(try data("neo4j/nodes.csv"), try data("whole-neo4j/nodes.csv"))
        XCTAssertEqual(try data("neo4j/relationships.csv"), try data("whole-neo4j/relationships.csv"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/g.jsonl.partial"))
    }

    func testTheStreamYieldsOneOutcomePerFileInInputOrder() async throws {
        let files = try manyFiles()
        var paths: [String] = []
        for try await outcome in BatchProcessor(configuration: BatchConfiguration(workers: 3, batchSize: 4)).graphs(
            of: files.reversed())
        {
            paths.append(outcome.path)
        }
        XCTAssertEqual(paths, files)
    }

    func testCancellingTheConsumerStopsTheStream() async throws {
        let files = try manyFiles()
        let seen = Mutex(0)
        let consumer = Task {
            for try await _ in FileGraphStream(
                files: files, configuration: BatchConfiguration(workers: 1, batchSize: 1))
            {
                seen.withLock { $0 += 1 }
                try await Task.sleep(for: .seconds(60))
            }
        }
        while seen.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(5)) }
        consumer.cancel()
        do {
            try await consumer.value
            XCTFail("the stream ran to its end after cancellation")
        } catch is CancellationError {}
        XCTAssertEqual(seen.withLock { $0 }, 1)
    }

    /// Usage the test sets by hand.
    private final class DialledUsage: UsageSource {
        let bytes = Mutex(0)
        func currentUsage() -> MemoryUsage {
            let value = bytes.withLock { $0 }
            return MemoryUsage(liveBytes: value, residentBytes: value)
        }
    }

    func testTheGovernorsEmergencyStopsTheRunAtABatchBoundaryWithACheckpoint() async throws {
        let files = try manyFiles()
        let usage = DialledUsage()
        let governor = MemoryGovernor(
            budget: MemoryBudget(bytes: 1000, source: .configured), thresholds: try PressureThresholds(), usage: usage)
        let out = try SampleSources.temporaryDirectory(self) + "/g.jsonl"
        final class RaisingSink: GraphSink {
            let usage: DialledUsage
            var written = 0
            init(_ usage: DialledUsage) { self.usage = usage }
            func write(_ graph: FileGraph) throws {
                written += 1
                if written == 2 { usage.bytes.withLock { $0 = 2000 } }
            }
            func checkpoint() throws -> [Int] { [] }
            func finish() throws {}
        }
        let processor = BatchProcessor(configuration: BatchConfiguration(workers: 2, batchSize: 2), governor: governor)
        do {
            _ = try await processor.run(
                files: files, into: RaisingSink(usage), checkpointPath: out + ".checkpoint.json")
            XCTFail("the run did not stop")
        } catch let error as BatchError {
            XCTAssertEqual(error, .stoppedByMemoryGovernor(doneFiles: 2))
        }
        XCTAssertEqual(try Checkpoint.load(from: out + ".checkpoint.json")?.doneFiles, 2)
        XCTAssertTrue(governor.report().actions.contains { $0.contains("ast2graph") })
    }

    func testARunInWhichEveryFileFailsThrowsAndLeavesTheEarlierOutputAndNoPartialFile() async throws {
        let out = try SampleSources.temporaryDirectory(self)
        try Data([0x00]).write(to: URL(fileURLWithPath: out + "/bad.swift"))
        let earlier = Data("earlier\n".utf8)
        try earlier.write(to: URL(fileURLWithPath: out + "/g.jsonl"))
        do {
            _ = try await BatchProcessor(configuration: BatchConfiguration()).run(
                files: [out + "/bad.swift"], into: JSONLinesExporter(path: out + "/g.jsonl"),
                checkpointPath: out + "/g.jsonl.checkpoint.json")
            XCTFail("a run with no graph succeeded")
        } catch BatchError.noFileGaveAGraph(let result) {
            XCTAssertEqual(result.failures.map(\.path), [out + "/bad.swift"])
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out + "/g.jsonl")), earlier)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out).sorted(), ["bad.swift", "g.jsonl"])
    }

    func testACheckpointWhoseCountsDoNotFitTheRunIsRefused() throws {
        let good = Checkpoint(
            runKey: "k", doneFiles: 2, processedFiles: 1, nodes: 10, edges: 9,
            failures: [
                FileFailure(path: "x.swift", reason: .notUTF8("NUL"), attempts: 1)
            ], seconds: 1.5, outputLengths: [100])
        XCTAssertNoThrow(try good.validate(fileCount: 3, outputCount: 1, path: "c.json"))
        var bad = good
        bad.doneFiles = 4
        XCTAssertThrowsError(try bad.validate(fileCount: 3, outputCount: 1, path: "c.json"))
        bad = good
        bad.seconds = .nan
        XCTAssertThrowsError(try bad.validate(fileCount: 3, outputCount: 1, path: "c.json"))
        bad = good
        bad.edges = .max
        XCTAssertThrowsError(try bad.validate(fileCount: 3, outputCount: 1, path: "c.json"))
        XCTAssertThrowsError(try good.validate(fileCount: 3, outputCount: 2, path: "c.json"))
    }

    func testACheckpointIsSavedWithoutFollowingALinkAtItsPath() throws {
        let out = try SampleSources.temporaryDirectory(self)
        let victim = out + "/victim"
        try Data("keep\n".utf8).write(to: URL(fileURLWithPath: victim))
        try FileManager.default.createSymbolicLink(atPath: out + "/c.json", withDestinationPath: victim)
        let checkpoint = Checkpoint(
            runKey: "k", doneFiles: 0, processedFiles: 0, nodes: 0, edges: 0, failures: [], seconds: 0,
            outputLengths: [0])
        try checkpoint.save(to: out + "/c.json")
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "keep\n")
        XCTAssertEqual(try Checkpoint.load(from: out + "/c.json"), checkpoint)
    }
}
