import ASTGraph
import Foundation
import XCTest

/// The binary and lean JSON Lines outputs hold everything the default JSON Lines does: the
/// Python reader (`ci/ast2graph_read.py`) turns each back into the default layout, and that
/// must equal ast2graph's own JSON Lines byte for byte.
final class CompactFormatTests: XCTestCase {
    /// Files whose text tests the escapes and positions: control characters, quotes,
    /// backslashes and multi-byte characters in strings, comments and names.
    private static let tricky: [(String, String)] = [
        (
            "Tricky/Text.swift",
            "let café = \"naïve \\\"quoted\\\" \\\\ tab\\t\" // 日本語 comment\nlet bell = \"a\u{01}b\u{1F}c\"\r\nstruct Ω { var π = 3 }\n"
        ),
        ("Tricky/Empty.swift", ""),
    ]

    private static let reader = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../ci/ast2graph_read.py").standardizedFileURL.path

    private func run(_ files: [String], options: GraphBuildOptions, sink: any GraphSink) async throws {
        _ = try await BatchProcessor(configuration: BatchConfiguration(workers: 2, batchSize: 3, options: options))
            .run(files: files, into: sink)
    }

    /// Runs the Python reader on `input`, writing the default JSON Lines layout to `output`.
    private func readBack(_ input: String, to output: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.reader, input, "--to-jsonl", output]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "ast2graph_read.py \(input): \(message)")
    }

    private func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    func testBinaryAndLeanReadBackToTheDefaultJSONLinesForEveryOptionSet() async throws {
        let root = try SampleSources.write(self, extra: Self.tricky)
        let files = try SourceInputs.discover([root])
        let out = try SampleSources.temporaryDirectory(self)
        let optionSets: [(String, GraphBuildOptions)] = [
            ("default", GraphBuildOptions()),
            ("no-next", GraphBuildOptions(includeNextEdges: false)),
            ("no-text", GraphBuildOptions(includeTokenText: false)),
            ("skip-tokens-collapse", GraphBuildOptions(includeTokens: false, collapseCollections: true)),
        ]
        for (tag, options) in optionSets {
            try await run(files, options: options, sink: JSONLinesExporter(path: "\(out)/\(tag).jsonl"))
            try await run(files, options: options, sink: JSONLinesExporter(path: "\(out)/\(tag).lean", layout: .lean))
            try await run(files, options: options, sink: BinaryGraphExporter(path: "\(out)/\(tag).a2g"))
            let expected = try bytes("\(out)/\(tag).jsonl")
            XCTAssertGreaterThan(expected.count, 1000, tag)
            for compact in ["lean", "a2g"] {
                try readBack("\(out)/\(tag).\(compact)", to: "\(out)/\(tag).\(compact).jsonl")
                XCTAssertEqual(
                    try bytes("\(out)/\(tag).\(compact).jsonl"), expected,
                    "\(tag): \(compact) does not read back to the default JSON Lines")
                XCTAssertLessThan(try bytes("\(out)/\(tag).\(compact)").count, expected.count / 2, "\(tag).\(compact)")
            }
        }
        let next = try String(contentsOfFile: "\(out)/no-next.jsonl", encoding: .utf8)
        XCTAssertFalse(next.contains(#""kind":"next""#), "--no-next-edges left next edges")
        XCTAssertTrue(try String(contentsOfFile: "\(out)/default.jsonl", encoding: .utf8).contains(#""kind":"next""#))
    }

    func testBinaryIsByteIdenticalForAnyWorkersAndBatchSizeAndItsColumnsAreAligned() async throws {
        let root = try SampleSources.write(self, extra: Self.tricky)
        let files = try SourceInputs.discover([root])
        let out = try SampleSources.temporaryDirectory(self)
        var reference: [String: Data] = [:]
        for (workers, batchSize) in [(1, 1), (2, 3), (4, 2)] {
            let tag = "\(workers)-\(batchSize)"
            let configuration = BatchConfiguration(workers: workers, batchSize: batchSize)
            _ = try await BatchProcessor(configuration: configuration).run(
                files: files.reversed(), into: BinaryGraphExporter(path: "\(out)/\(tag).a2g"))
            _ = try await BatchProcessor(configuration: configuration).run(
                files: files, into: JSONLinesExporter(path: "\(out)/\(tag).lean", layout: .lean))
            for format in ["a2g", "lean"] {
                let data = try bytes("\(out)/\(tag).\(format)")
                if let expected = reference[format] {
                    XCTAssertEqual(
                        data, expected, "\(format) differs with \(workers) workers and batches of \(batchSize)")
                } else {
                    reference[format] = data
                }
            }
        }
        // Every block starts at a multiple of 8 and says its own length; the blocks end at the end.
        let data = try XCTUnwrap(reference["a2g"])
        XCTAssertEqual(Array(data.prefix(8)), Array("A2GRAPH\0".utf8))
        var offset = 16
        var blocks = 0
        while offset < data.count {
            XCTAssertEqual(offset % 8, 0)
            let length = data[offset..<offset + 8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            XCTAssertGreaterThanOrEqual(length, 48)
            offset += length
            blocks += 1
        }
        XCTAssertEqual(offset, data.count)
        XCTAssertEqual(blocks, files.count)
    }
}
