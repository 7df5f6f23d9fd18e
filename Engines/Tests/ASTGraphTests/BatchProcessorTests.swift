import ASTGraph
import Foundation
import MemoryGovernor
import XCTest

#if canImport(FoundationXML)
import FoundationXML
#endif

final class BatchProcessorTests: XCTestCase {
    private func run(_ files: [String], workers: Int, batchSize: Int, sink: any GraphSink) async throws -> BatchResult {
        try await BatchProcessor(configuration: BatchConfiguration(workers: workers, batchSize: batchSize)).run(
            files: files, into: sink)
    }

    private func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    func testOutputIsByteIdenticalForAnyWorkersAndBatchSize() async throws {
        let root = try SampleSources.write(self)
        let files = try SourceInputs.discover([root])
        let out = try SampleSources.temporaryDirectory(self)
        var reference: [String: Data] = [:]
        for (workers, batchSize) in [(1, 1), (2, 1), (2, 3), (4, 2), (3, 100)] {
            let tag = "\(workers)-\(batchSize)"
            let result = try await run(
                files.reversed(), workers: workers, batchSize: batchSize,
                sink: JSONLinesExporter(path: "\(out)/\(tag).jsonl"))
            XCTAssertEqual(result.processedFiles, 4)
            _ = try await run(
                files, workers: workers, batchSize: batchSize, sink: GraphMLExporter(path: "\(out)/\(tag).graphml"))
            _ = try await run(
                files, workers: workers, batchSize: batchSize, sink: Neo4jCSVExporter(directory: "\(out)/\(tag).neo4j"))
            let outputs = [
                "jsonl": try bytes("\(out)/\(tag).jsonl"), "graphml": try bytes("\(out)/\(tag).graphml"),
                "nodes": try bytes("\(out)/\(tag).neo4j/nodes.csv"),
                "relationships": try bytes("\(out)/\(tag).neo4j/relationships.csv"),
            ]
            for (format, data) in outputs {
                XCTAssertGreaterThan(data.count, 1000, format)
                if let expected = reference[format] {
                    XCTAssertEqual(
                        data, expected, "\(format) differs with \(workers) workers and batches of \(batchSize)")
                } else {
                    reference[format] = data
                }
            }
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: out).filter {
            $0.hasSuffix(".partial") || $0.hasSuffix(".json")
        }
        XCTAssertEqual(leftovers, [])
    }

    func testJSONLinesHoldOneParsableObjectPerFileNodeAndEdge() async throws {
        let root = try SampleSources.write(self)
        let out = try SampleSources.temporaryDirectory(self) + "/graph.jsonl"
        let result = try await run(
            try SourceInputs.discover([root]), workers: 2, batchSize: 2, sink: JSONLinesExporter(path: out))
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        var types: [String: Int] = [:]
        for line in lines {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            types[object["type"] as? String ?? "?", default: 0] += 1
        }
        XCTAssertEqual(types, ["file": 4, "node": result.nodes, "edge": result.edges])
        XCTAssertTrue(
            lines.contains {
                $0.contains(#""text":"multi\n    line, \"with\" commas\n    ""#) || $0.contains(#"\"with\""#)
            })
    }

    func testGraphMLParsesBackWithTheSameNodesAndEdges() async throws {
        let root = try SampleSources.write(self)
        let out = try SampleSources.temporaryDirectory(self) + "/graph.graphml"
        let result = try await run(
            try SourceInputs.discover([root]), workers: 2, batchSize: 3, sink: GraphMLExporter(path: out))
        final class Counter: NSObject, XMLParserDelegate {
            var nodes = 0, edges = 0, texts = 0
            var ids = Set<String>()
            var danglingEdges = 0
            func parser(
                _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]
            ) {
                if name == "node" {
                    nodes += 1
                    ids.insert(attributes["id"] ?? "")
                }
                if name == "edge" {
                    edges += 1
                    if !ids.contains(attributes["source"] ?? "") || !ids.contains(attributes["target"] ?? "") {
                        danglingEdges += 1
                    }
                }
                if name == "data" && attributes["key"] == "text" { texts += 1 }
            }
        }
        let parser = try XCTUnwrap(XMLParser(contentsOf: URL(fileURLWithPath: out)))
        let counter = Counter()
        parser.delegate = counter
        XCTAssertTrue(parser.parse(), "GraphML is not well-formed XML: \(String(describing: parser.parserError))")
        XCTAssertEqual(counter.nodes, result.nodes)
        XCTAssertEqual(counter.ids.count, result.nodes)
        XCTAssertEqual(counter.edges, result.edges)
        XCTAssertEqual(counter.danglingEdges, 0)
        XCTAssertGreaterThan(counter.texts, 100)
    }

    func testNeo4jCSVHasImportHeadersAndOneRowPerNodeAndEdge() async throws {
        let root = try SampleSources.write(self)
        let out = try SampleSources.temporaryDirectory(self) + "/neo4j"
        let result = try await run(
            try SourceInputs.discover([root]), workers: 2, batchSize: 3, sink: Neo4jCSVExporter(directory: out))
        let nodes = try String(contentsOfFile: out + "/nodes.csv", encoding: .utf8)
        let relationships = try String(contentsOfFile: out + "/relationships.csv", encoding: .utf8)
        XCTAssertTrue(nodes.hasPrefix("id:ID,kind,file,name,text,"))
        XCTAssertTrue(nodes.split(separator: "\n").first!.hasSuffix(",:LABEL"))
        XCTAssertEqual(relationships.split(separator: "\n").first, ":START_ID,:END_ID,:TYPE")
        // Rows, counted outside quoted fields (token text of a multi-line string holds newlines).
        func rows(_ csv: String) -> Int {
            var quoted = false
            var count = 0
            for character in csv {
                if character == "\"" { quoted.toggle() } else if character == "\n" && !quoted { count += 1 }
            }
            return count - 1
        }
        XCTAssertEqual(rows(nodes), result.nodes)
        XCTAssertEqual(rows(relationships), result.edges)
        XCTAssertTrue(
            relationships.contains(",CHILD\n") && relationships.contains(",REFERENCES\n")
                && relationships.contains(",IMPORTS\n"))
    }

    func testBadFilesAreRecordedWithTheirReasonAndTheBatchGoesOn() async throws {
        let root = try SampleSources.write(self)
        let bad = try SampleSources.temporaryDirectory(self)
        try Data([0x6C, 0x65, 0x74, 0x20, 0xFF, 0xFE, 0x0A]).write(to: URL(fileURLWithPath: bad + "/latin1.swift"))
        try Data([0x7F, 0x45, 0x4C, 0x46, 0x00, 0x01]).write(to: URL(fileURLWithPath: bad + "/binary.swift"))
        try Data(repeating: UInt8(ascii: " "), count: 2048).write(to: URL(fileURLWithPath: bad + "/big.swift"))
        try Data(("let x = " + String(repeating: "(", count: 400) + String(repeating: ")", count: 400)).utf8).write(
            to: URL(fileURLWithPath: bad + "/deep.swift"))
        try FileManager.default.createSymbolicLink(
            atPath: bad + "/loop.swift", withDestinationPath: bad + "/loop.swift")
        let missing = bad + "/gone.swift"
        let files = try SourceInputs.discover([root, bad]) + [missing]
        let processor = BatchProcessor(
            configuration: BatchConfiguration(
                workers: 2, batchSize: 2, options: GraphBuildOptions(maximumFileBytes: 1024)))
        let result = try await processor.run(files: files, into: DiscardingSink())
        XCTAssertEqual(result.files, 10)
        XCTAssertEqual(result.processedFiles, 4)
        let reasons = Dictionary(
            uniqueKeysWithValues: result.failures.map { (URL(fileURLWithPath: $0.path).lastPathComponent, $0) })
        XCTAssertEqual(result.failures.map(\.path), result.failures.map(\.path).sorted())
        XCTAssertEqual(reasons["latin1.swift"]?.reason.description, "not UTF-8: invalid UTF-8 at byte offset 4")
        XCTAssertEqual(reasons["binary.swift"]?.reason, .notUTF8("binary file: NUL byte at offset 4"))
        XCTAssertEqual(reasons["big.swift"]?.reason, .overSizeLimit(bytes: 2048, limit: 1024))
        guard case .tooDeeplyNested = reasons["deep.swift"]?.reason else {
            return XCTFail("deep.swift: \(String(describing: reasons["deep.swift"]))")
        }
        XCTAssertEqual(reasons["loop.swift"]?.reason, .unreadable("Too many levels of symbolic links"))
        XCTAssertEqual(reasons["gone.swift"]?.reason, .unreadable("No such file or directory"))
        // Only failures that may pass are retried, twice.
        XCTAssertEqual(reasons["gone.swift"]?.attempts, 3)
        XCTAssertEqual(reasons["loop.swift"]?.attempts, 3)
        XCTAssertEqual(reasons["latin1.swift"]?.attempts, 1)
    }

    func testAFileThatAppearsBeforeTheLastRetryIsProcessed() async throws {
        let directory = try SampleSources.temporaryDirectory(self)
        let path = directory + "/late.swift"
        let stream = FileGraphStream(files: [path], configuration: BatchConfiguration(workers: 1, batchSize: 1))
        let writer = Task {
            try await Task.sleep(for: .milliseconds(5))
            try Data("let late = 1\n".utf8).write(to: URL(fileURLWithPath: path))
        }
        var outcomes: [FileOutcome] = []
        for try await outcome in stream { outcomes.append(outcome) }
        try await writer.value
        // The first attempt finds nothing; a retry (after 20 ms, then 40 ms) finds the file.
        guard case .graph(let graph) = outcomes.first else { return XCTFail("no graph: \(outcomes)") }
        XCTAssertEqual(graph.names, ["late"])
    }
}
