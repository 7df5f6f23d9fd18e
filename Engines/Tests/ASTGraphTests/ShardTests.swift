import CommandTestSupport
import Foundation
import XCTest

/// `ast2graph --shard I/N` and `ast2graph merge`: shards of this repository's own sources
/// merge into the bytes of one run.
final class ShardTests: XCTestCase {
    /// Engines/Sources/ASTGraph and Engines/Sources/IssueStream, as a user would name them.
    private var sources: [String] {
        let engines = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        return ["ASTGraph", "IssueStream"].map { engines.appendingPathComponent($0).path }
    }

    func testThreeShardsMergeIntoTheBytesOfOneRun() throws {
        let out = try Command.temporaryDirectory(self)
        let whole = try Command.run("ast2graph", sources + ["--out", out + "/whole.jsonl", "--workers", "2"])
        XCTAssertEqual(whole.status, 0, whole.standardError)
        var shards: [String] = []
        var files = 0
        for index in 1...3 {
            let path = out + "/shard-\(index).jsonl"
            // Different --workers and --batch-size per shard: the shares do not depend on them.
            let outcome = try Command.run(
                "ast2graph",
                sources + [
                    "--shard", "\(index)/3", "--out", path, "--workers", "\(index)", "--batch-size", "\(index + 2)",
                ])
            XCTAssertEqual(outcome.status, 0, outcome.standardError)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let count = text.split(separator: "\n").filter { $0.hasPrefix(#"{"type":"file""#) }.count
            XCTAssertGreaterThan(count, 0, "shard \(index) has files")
            files += count
            shards.append(path)
        }
        let merged = try Command.run("ast2graph", ["merge"] + shards.reversed() + ["--out", out + "/merged.jsonl"])
        XCTAssertEqual(merged.status, 0, merged.standardError)
        XCTAssertTrue(merged.standardError.contains("\(files) files from 3 shards"), merged.standardError)
        let expected = try Data(contentsOf: URL(fileURLWithPath: out + "/whole.jsonl"))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out + "/merged.jsonl")), expected, "byte for byte")

        // A shard given twice, a file in two shards, a file that is not an output: refused, nothing written.
        for (arguments, text) in [
            (shards + [shards[0]], "is given twice"),
            (shards + [out + "/whole.jsonl"], "is in both"),
            ([shards[0], out + "/s.json"], "cannot be read"),
        ] {
            let outcome = try Command.run("ast2graph", ["merge"] + arguments + ["--out", out + "/bad.jsonl"])
            XCTAssertEqual(outcome.status, 1, outcome.standardError)
            XCTAssertEqual(outcome.standardError.split(separator: "\n").count, 1, outcome.standardError)
            XCTAssertTrue(outcome.standardError.contains(text), "\(arguments): \(outcome.standardError)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/bad.jsonl"))
            XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/bad.jsonl.partial"))
        }
        // Cut short, as an interrupted copy would be.
        let cut = out + "/cut.jsonl"
        try expected.prefix(expected.count - 10).write(to: URL(fileURLWithPath: cut))
        let outcome = try Command.run("ast2graph", ["merge", cut, "--out", out + "/bad.jsonl"])
        XCTAssertEqual(outcome.status, 1, outcome.standardError)
        XCTAssertTrue(outcome.standardError.contains("cut short"), outcome.standardError)
    }

    /// GraphML and Neo4j CSV shards merge into one run's bytes too.
    func testGraphMLAndNeo4jShardsMergeIntoTheBytesOfOneRun() throws {
        let out = try Command.temporaryDirectory(self)
        for (format, suffix, files) in [
            ("graphml", ".graphml", [""]), ("neo4j-csv", "", ["/nodes.csv", "/relationships.csv"]),
        ] {
            let whole = out + "/whole-\(format)\(suffix)"
            let run = try Command.run("ast2graph", sources + ["--format", format, "--out", whole])
            XCTAssertEqual(run.status, 0, run.standardError)
            var shards: [String] = []
            for index in 1...3 {
                let path = out + "/\(format)-\(index)\(suffix)"
                let outcome = try Command.run(
                    "ast2graph", sources + ["--format", format, "--shard", "\(index)/3", "--out", path])
                XCTAssertEqual(outcome.status, 0, outcome.standardError)
                shards.append(path)
            }
            let merged = out + "/merged-\(format)\(suffix)"
            let outcome = try Command.run("ast2graph", ["merge"] + shards.shuffled() + ["--out", merged])
            XCTAssertEqual(outcome.status, 0, outcome.standardError)
            for file in files {
                XCTAssertEqual(
                    try Data(contentsOf: URL(fileURLWithPath: merged + file)),
                    try Data(contentsOf: URL(fileURLWithPath: whole + file)), "\(format)\(file): byte for byte")
            }
        }
        // Outputs of two formats do not merge.
        let mixed = try Command.run(
            "ast2graph", ["merge", out + "/graphml-1.graphml", out + "/neo4j-csv-2", "--out", out + "/mixed"])
        XCTAssertEqual(mixed.status, 1, mixed.standardError)
        XCTAssertTrue(mixed.standardError.contains("merge outputs of one format"), mixed.standardError)
    }

    func testBadShardsAreOneLineAndExitTwo() throws {
        let out = try Command.temporaryDirectory(self)
        for (spec, text) in [("0/3", "I must be 1 to 3"), ("4/3", "I must be 1 to 3"), ("a/b", "expected I/N")] {
            let outcome = try Command.run("ast2graph", sources + ["--shard=" + spec, "--out", out + "/g.jsonl"])
            XCTAssertEqual(outcome.status, 2, outcome.standardError)
            XCTAssertEqual(outcome.standardError.split(separator: "\n").count, 1, outcome.standardError)
            XCTAssertTrue(outcome.standardError.contains("--shard"), outcome.standardError)
            XCTAssertTrue(outcome.standardError.contains(text), outcome.standardError)
        }
        // One file in two shards: one of them gets it, the other none (which is refused).
        let outcomes = try (1...2).map { index in
            try Command.run(
                "ast2graph",
                [sources[0] + "/GraphSink.swift", "--shard", "\(index)/2", "--out", out + "/one-\(index).jsonl"])
        }
        XCTAssertEqual(outcomes.map(\.status).sorted(), [0, 2], outcomes.map(\.standardError).joined())
        let empty = try XCTUnwrap(outcomes.first { $0.status == 2 })
        XCTAssertEqual(empty.standardError.split(separator: "\n").count, 1, empty.standardError)
        XCTAssertTrue(empty.standardError.contains("none of the 1 files falls to this shard"), empty.standardError)
        let merge = try Command.run("ast2graph", ["merge", "--out", out + "/m.jsonl"])
        XCTAssertEqual(merge.status, 2, merge.standardError)
        XCTAssertTrue(merge.standardError.contains("give the shards' outputs"), merge.standardError)
    }
}
