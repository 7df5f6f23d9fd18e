import CommandTestSupport
import Foundation
import LibPQ
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

    /// Lean JSON Lines, binary, GraphML and Neo4j CSV shards merge into one run's bytes too.
    func testGraphMLAndNeo4jShardsMergeIntoTheBytesOfOneRun() throws {
        let out = try Command.temporaryDirectory(self)
        for (format, suffix, files) in [
            ("jsonl-lean", ".lean", [""]), ("binary", ".a2g", [""]),
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
        let jsonl = out + "/plain-2.jsonl"
        XCTAssertEqual(try Command.run("ast2graph", sources + ["--shard", "2/3", "--out", jsonl]).status, 0)
        for pair in [
            [out + "/jsonl-lean-1.lean", jsonl], [out + "/binary-1.a2g", jsonl], [jsonl, out + "/binary-1.a2g"],
        ] {
            let outcome = try Command.run("ast2graph", ["merge"] + pair + ["--out", out + "/mixed.out"])
            XCTAssertEqual(outcome.status, 1, outcome.standardError)
            XCTAssertTrue(
                outcome.standardError.contains("merge outputs of one format"), "\(pair): \(outcome.standardError)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/mixed.out"))
        }
        // A binary output cut inside a block.
        let binary = try Data(contentsOf: URL(fileURLWithPath: out + "/whole-binary.a2g"))
        try binary.prefix(binary.count - 12).write(to: URL(fileURLWithPath: out + "/cut.a2g"))
        let cut = try Command.run("ast2graph", ["merge", out + "/cut.a2g", "--out", out + "/cut-merged.a2g"])
        XCTAssertEqual(cut.status, 1, cut.standardError)
        XCTAssertTrue(cut.standardError.contains("cut short"), cut.standardError)
    }

    /// Shards load the PostgreSQL tables side by side: together they equal one run's tables,
    /// and a rerun of one shard replaces only its rows.
    func testPostgresShardsPublishIntoSharedTables() throws {
        let base = try TestDatabase.url()
        let schema = "ast_shards_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = try PostgresConnection(connectionString: base)
        try admin.execute("CREATE SCHEMA \(schema)")
        addTeardownBlock {
            _ = try? PostgresConnection(connectionString: base).execute("DROP SCHEMA \(schema) CASCADE")
        }
        let url = base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
        let whole = try Command.run("ast2graph", sources + ["--format", url, "--out", "whole"])
        XCTAssertEqual(whole.status, 0, whole.standardError)
        for index in 1...3 {
            let outcome = try Command.run(
                "ast2graph", sources + ["--format", url, "--shard", "\(index)/3", "--out", "sharded"])
            XCTAssertEqual(outcome.status, 0, outcome.standardError)
        }
        let connection = try PostgresConnection(connectionString: url)
        func count(_ sql: String, _ parameters: [String?] = []) throws -> Int {
            Int(try connection.execute(sql, parameters).value(row: 0, column: 0) ?? "") ?? -1
        }
        func assertEqualTables(_ message: String) throws {
            let files = "path, bytes, nodes, edges, syntax_errors"
            for (table, columns) in [("files", files), ("nodes", "*"), ("edges", "*")] {
                let rows = try count("SELECT count(*) FROM whole_\(table)")
                XCTAssertGreaterThan(rows, 0)
                XCTAssertEqual(try count("SELECT count(*) FROM sharded_\(table)"), rows, "\(message): \(table)")
                for (a, b) in [("whole", "sharded"), ("sharded", "whole")] {
                    XCTAssertEqual(
                        try count(
                            "SELECT count(*) FROM (SELECT \(columns) FROM \(a)_\(table) EXCEPT ALL SELECT \(columns) FROM \(b)_\(table)) d"
                        ), 0, "\(message): \(table) rows of \(a) not in \(b)")
                }
            }
        }
        try assertEqualTables("three shards")
        XCTAssertEqual(try count("SELECT count(DISTINCT shard) FROM sharded_files"), 3)
        // A rerun of shard 2 replaces its rows and leaves the others'.
        let rerun = try Command.run("ast2graph", sources + ["--format", url, "--shard", "2/3", "--out", "sharded"])
        XCTAssertEqual(rerun.status, 0, rerun.standardError)
        try assertEqualTables("shard 2 again")
        XCTAssertEqual(
            try count("SELECT count(*) FROM pg_tables WHERE schemaname = $1 AND tablename LIKE '%loading%'", [schema]),
            0,
            "no loading tables left")
        // Shards of another N, and a shard into an unsharded run's tables: one line, refused.
        for (arguments, text) in [
            (["--shard", "1/2", "--out", "sharded"], "not of 2 shards"),
            (["--shard", "1/3", "--out", "whole"], "was made by a run without --shard"),
        ] {
            let outcome = try Command.run("ast2graph", sources + ["--format", url] + arguments)
            XCTAssertNotEqual(outcome.status, 0, outcome.standardError)
            XCTAssertEqual(outcome.standardError.split(separator: "\n").count, 1, outcome.standardError)
            XCTAssertTrue(outcome.standardError.contains(text), "\(arguments): \(outcome.standardError)")
        }
        try assertEqualTables("after the refusals")
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
