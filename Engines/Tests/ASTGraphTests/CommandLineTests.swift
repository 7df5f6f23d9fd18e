import CommandTestSupport
import Foundation
import XCTest

/// The `ast2graph` executable, run as a user would: each bad input gives one clear line and a
/// non-zero exit, or a failed-file entry in the summary while the run goes on.
final class CommandLineTests: XCTestCase {
    private struct Outcome {
        var status: Int32
        var standardError: String
    }

    private func ast2graph(_ arguments: [String]) throws -> Outcome {
        let bundle =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let executable = URL(fileURLWithPath: bundle).deletingLastPathComponent().appendingPathComponent("ast2graph")
            .path
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw XCTSkip("'\(executable)' is not built; run 'swift build' before 'swift test'")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let errors = try SampleSources.temporaryDirectory(self) + "/stderr"
        _ = FileManager.default.createFile(atPath: errors, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, standardError: try String(contentsOfFile: errors, encoding: .utf8))
    }

    private func summary(_ path: String) throws -> [String: Any] {
        try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    func testARunWritesTheGraphAndASummaryWithTheListedFields() throws {
        let root = try SampleSources.write(self)
        let out = try SampleSources.temporaryDirectory(self)
        let outcome = try ast2graph([
            root, "--out", out + "/g.jsonl", "--summary", out + "/s.json", "--workers", "2", "--batch-size", "3",
        ])
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        let fields = try summary(out + "/s.json")
        for key in ["files", "processedFiles", "failedFiles", "nodes", "edges", "seconds", "peakMemoryBytes"] {
            XCTAssertNotNil(fields[key], "summary has no \(key)")
        }
        XCTAssertEqual(fields["files"] as? Int, 4)
        XCTAssertEqual(fields["processedFiles"] as? Int, 4)
        XCTAssertGreaterThan(fields["peakMemoryBytes"] as? Int ?? 0, 1 << 20)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out).sorted(), ["g.jsonl", "s.json"])
    }

    func testANonexistentPathIsOneLineAndExitTwo() throws {
        let out = try SampleSources.temporaryDirectory(self)
        let outcome = try ast2graph(["/no/such/dir", "--out", out + "/g.jsonl"])
        XCTAssertEqual(outcome.status, 2)
        XCTAssertEqual(
            outcome.standardError,
            "ast2graph: error: /no/such/dir: no such file or directory; give an existing .swift file or a directory that holds some\n"
        )
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out), [])
    }

    func testADirectoryWithoutSwiftFilesIsOneLineAndExitTwo() throws {
        let empty = try SampleSources.temporaryDirectory(self)
        try Data("not swift".utf8).write(to: URL(fileURLWithPath: empty + "/README.md"))
        try FileManager.default.createDirectory(atPath: empty + "/.build", withIntermediateDirectories: true)
        try Data("let hidden = 1".utf8).write(to: URL(fileURLWithPath: empty + "/.build/Hidden.swift"))
        let outcome = try ast2graph([empty, "--out", empty + "/g.jsonl"])
        XCTAssertEqual(outcome.status, 2)
        XCTAssertTrue(
            outcome.standardError.hasPrefix("ast2graph: error: \(empty): no .swift files found"), outcome.standardError)
        XCTAssertEqual(outcome.standardError.split(separator: "\n").count, 1)
    }

    func testAnUnwritableOutputIsOneLineAndLeavesNothing() throws {
        let root = try SampleSources.write(self)
        let blocker = try SampleSources.temporaryDirectory(self) + "/file"
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        // A path under a regular file cannot be created, even by root.
        let outcome = try ast2graph([root, "--out", blocker + "/g.jsonl"])
        XCTAssertEqual(outcome.status, 2)
        XCTAssertEqual(
            outcome.standardError, "ast2graph: error: cannot write \(blocker)/g.jsonl.partial: Not a directory\n")
    }

    func testBadFilesAreListedInTheSummaryAndTheRunGoesOn() throws {
        let root = try SampleSources.write(self)
        let bad = root + "/Bad"
        try FileManager.default.createDirectory(atPath: bad, withIntermediateDirectories: true)
        try Data([0x63, 0x61, 0x66, 0xE9, 0x0A]).write(to: URL(fileURLWithPath: bad + "/latin1.swift"))
        try Data([0x00, 0x01, 0x02, 0xFF]).write(to: URL(fileURLWithPath: bad + "/binary.swift"))
        try Data(("let x = " + String(repeating: "(", count: 1000) + String(repeating: ")", count: 1000) + "\n").utf8)
            .write(to: URL(fileURLWithPath: bad + "/deep.swift"))
        // A 50 MB generated file: over the default 16 MiB limit, refused before it is read.
        let huge = bad + "/huge.swift"
        _ = FileManager.default.createFile(atPath: huge, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: huge))
        let chunk = Data(String(repeating: "let value = 1 + 2 * 3\n", count: 47_500).utf8)
        for _ in 0..<50 { handle.write(chunk) }
        try handle.close()
        // A symlink loop: a link to itself named *.swift, and a directory link back to the root.
        try FileManager.default.createSymbolicLink(atPath: bad + "/loop.swift", withDestinationPath: "loop.swift")
        try FileManager.default.createSymbolicLink(atPath: bad + "/cycle", withDestinationPath: root)
        let out = try SampleSources.temporaryDirectory(self)
        let outcome = try ast2graph([
            root, "--out", out + "/g.graphml", "--format", "graphml", "--summary", out + "/s.json",
        ])
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        let fields = try summary(out + "/s.json")
        XCTAssertEqual(fields["files"] as? Int, 9)
        XCTAssertEqual(fields["processedFiles"] as? Int, 4)
        let failed = try XCTUnwrap(fields["failedFiles"] as? [[String: Any]])
        let reasons = failed.map {
            "\(URL(fileURLWithPath: $0["path"] as! String).lastPathComponent): \($0["reason"] as! String)"
        }
        XCTAssertEqual(reasons.count, 5)
        XCTAssertEqual(reasons[0], "binary.swift: not UTF-8: binary file: NUL byte at offset 0")
        XCTAssertTrue(reasons[1].hasPrefix("deep.swift: too deeply nested"), reasons[1])
        XCTAssertEqual(
            reasons[2],
            "huge.swift: over size limit: 52250000 bytes, the limit is 16777216 bytes (raise --max-file-bytes)")
        XCTAssertEqual(reasons[3], "latin1.swift: not UTF-8: invalid UTF-8 at byte offset 3")
        XCTAssertEqual(reasons[4], "loop.swift: unreadable: Too many levels of symbolic links")
        XCTAssertTrue(outcome.standardError.contains("failed: \(bad)/huge.swift: over size limit"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/g.graphml"))
    }

    func testBadArgumentsSayWhatToTypeInstead() throws {
        let root = try SampleSources.write(self)
        let format = try ast2graph([root, "--out", "x", "--format", "xml"])
        XCTAssertEqual(format.status, 2)
        XCTAssertTrue(
            format.standardError.contains(
                "The value 'xml' is invalid for '--format <FORMAT>'. Please provide one of the following: 'jsonl', 'jsonl-lean', 'binary', 'graphml', 'neo4j-csv', 'postgres://USER@HOST/DB'"
            ),
            format.standardError)
        let workers = try ast2graph([root, "--out", "x", "--workers", "0"])
        XCTAssertEqual(workers.status, 2)
        XCTAssertTrue(
            workers.standardError.contains("--workers '0' is out of range: expected a whole number from 1 to 1024"),
            workers.standardError)
        XCTAssertEqual(workers.standardError.split(separator: "\n").count, 1)
        let prefix = try ast2graph([root, "--out", "Robert'); DROP", "--format", "postgres://u:secret@127.0.0.1:1/db"])
        XCTAssertTrue(prefix.standardError.contains("--out is a table prefix"), prefix.standardError)
        XCTAssertFalse(prefix.standardError.contains("secret"))
    }

    func testThePostgresFormatLoadsTheTablesAndNeverPrintsThePassword() throws {
        let url = try TestDatabase.url()
        let root = try SampleSources.write(self)
        let out = try SampleSources.temporaryDirectory(self)
        let outcome = try ast2graph([root, "--format", url, "--out", "cli_ast", "--summary", out + "/s.json"])
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        XCTAssertTrue(outcome.standardError.contains("4 of 4 files"), outcome.standardError)
        XCTAssertEqual(try summary(out + "/s.json")["processedFiles"] as? Int, 4)
        // A server that refuses: one line naming host and port, without the password.
        let refused = try ast2graph([root, "--format", "postgres://someone:hunter2@127.0.0.1:1/db", "--out", "cli_ast"])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(
            refused.standardError.hasPrefix("ast2graph: error: PostgreSQL at 127.0.0.1:1/db: "), refused.standardError)
        XCTAssertFalse(refused.standardError.contains("hunter2"))
        XCTAssertEqual(refused.standardError.split(separator: "\n").count, 1)
    }

    func testCtrlCKeepsTheCheckpointAndResumeFinishesWithTheSameBytes() throws {
        let root = try SampleSources.write(
            self,
            extra: (0..<300).map { ("Many/F\($0).swift", "struct S\($0) { var v = [\($0), 2, 3].map { $0 * 2 } }\n") })
        let out = try SampleSources.temporaryDirectory(self)
        let bundle =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: bundle).deletingLastPathComponent().appendingPathComponent(
            "ast2graph")
        process.arguments = [root, "--out", out + "/g.jsonl", "--workers", "1", "--batch-size", "4"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Interrupt once the first batch is checkpointed, well before the 304 files are done.
        while !FileManager.default.fileExists(atPath: out + "/g.jsonl.checkpoint.json") && process.isRunning {
            usleep(2000)
        }
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 1)
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: out + "/g.jsonl"), "an interrupted run left an output file")
        let resumed = try ast2graph([
            root, "--out", out + "/g.jsonl", "--workers", "2", "--batch-size", "4", "--resume", "--summary",
            out + "/s.json",
        ])
        XCTAssertEqual(resumed.status, 0, resumed.standardError)
        XCTAssertGreaterThan(try summary(out + "/s.json")["resumedFiles"] as? Int ?? 0, 0)
        let whole = try ast2graph([root, "--out", out + "/whole.jsonl"])
        XCTAssertEqual(whole.status, 0)
        XCTAssertEqual(
            try Data(contentsOf: URL(fileURLWithPath: out + "/g.jsonl")),
            try Data(contentsOf: URL(fileURLWithPath: out + "/whole.jsonl")))
    }

    func testResumeRefusesACheckpointOfAnotherRun() throws {
        let root = try SampleSources.write(self)
        let out = try SampleSources.temporaryDirectory(self) + "/g.jsonl"
        try Data(
            #"{"version":1,"runKey":"1-0","doneFiles":1,"processedFiles":1,"nodes":1,"edges":0,"failures":[],"seconds":0,"outputLengths":[0]}"#
                .utf8
        )
        .write(to: URL(fileURLWithPath: out + ".checkpoint.json"))
        let outcome = try ast2graph([root, "--out", out, "--resume"])
        XCTAssertEqual(outcome.status, 2)
        XCTAssertEqual(
            outcome.standardError,
            "ast2graph: error: checkpoint \(out).checkpoint.json belongs to another run (other inputs or options); run without --resume to start again\n"
        )
    }

    func testASymlinkPlantedAtThePartialFileIsRemovedNeverWrittenThrough() throws {
        let root = try SampleSources.write(self)
        let out = try SampleSources.temporaryDirectory(self)
        let victim = out + "/victim"
        try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: victim))
        try FileManager.default.createSymbolicLink(atPath: out + "/g.jsonl.partial", withDestinationPath: victim)
        let outcome = try ast2graph([root, "--out", out + "/g.jsonl"])
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "keep me\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out).sorted(), ["g.jsonl", "victim"])
        var status = stat()
        XCTAssertEqual(lstat(out + "/g.jsonl", &status), 0)
        XCTAssertEqual(status.st_mode & S_IFMT, S_IFREG, "the output is a file of its own, not the planted link")
    }

    func testARunWhereEveryFileFailsExitsOneAndKeepsTheEarlierOutput() throws {
        let inputs = try SampleSources.temporaryDirectory(self)
        try Data([0x00, 0x01]).write(to: URL(fileURLWithPath: inputs + "/a.swift"))
        try Data([0xFF]).write(to: URL(fileURLWithPath: inputs + "/b.swift"))
        let out = try SampleSources.temporaryDirectory(self)
        let earlier = Data("{\"type\":\"file\"}\n".utf8)
        try earlier.write(to: URL(fileURLWithPath: out + "/g.jsonl"))
        let outcome = try ast2graph([
            inputs, "--out", out + "/g.jsonl", "--summary", out + "/s.json", "--batch-size", "1",
        ])
        XCTAssertEqual(outcome.status, 1, outcome.standardError)
        XCTAssertTrue(
            outcome.standardError.hasSuffix(
                "ast2graph: error: none of the 2 files gave a graph (each failed, see above or --summary); nothing was written\n"
            ), outcome.standardError)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out + "/g.jsonl")), earlier)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: out).sorted(), ["g.jsonl", "s.json"],
            "no partial file or checkpoint is left")
        XCTAssertEqual((try summary(out + "/s.json")["failedFiles"] as? [Any])?.count, 2)
    }

    func testAFIFOFoundInADirectoryIsAFailedFileAndTheRunGoesOn() throws {
        let root = try SampleSources.write(self)
        XCTAssertEqual(mkfifo(root + "/pipe.swift", 0o644), 0)
        let out = try SampleSources.temporaryDirectory(self)
        let outcome = try ast2graph([root, "--out", out + "/g.jsonl", "--summary", out + "/s.json"])
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        XCTAssertTrue(
            outcome.standardError.contains("failed: \(root)/pipe.swift: not a regular file: it is a FIFO (named pipe)"),
            outcome.standardError)
        XCTAssertEqual(try summary(out + "/s.json")["processedFiles"] as? Int, 4)
    }
}
