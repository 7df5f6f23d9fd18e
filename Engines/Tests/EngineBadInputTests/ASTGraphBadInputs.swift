import CommandTestSupport
import Foundation
import XCTest

/// `ast2graph` on bad input: numeric flags that do not fit, inputs that are missing, empty,
/// special files or garbage, outputs that are directories or inputs, symlinks planted where it
/// writes, damaged or foreign `--resume` checkpoints, memory budgets below what the process
/// uses, governor reports that cannot be written, and PostgreSQL URLs holding a planted
/// password. Each gives its exit code and one line naming the input; an earlier output is kept
/// byte for byte, and no password is ever printed.
final class ASTGraphBadInputTests: XCTestCase {
    private static let password = BadInput.password
    private static let source = "struct Point { var x = 1 }\n"

    /// `{dir}/a.swift`, a good source file.
    private static let goodInput: @Sendable (String) throws -> Void = { try Plant.file($0, "a.swift", source) }

    /// `ast2graph {dir}/a.swift --out {dir}/g.jsonl` and `extra`.
    private static func run(_ extra: [String]) -> [String] { ["{dir}/a.swift", "--out", "{dir}/g.jsonl"] + extra }

    /// A flag whose value must be refused (exit 2, one line naming the flag), over a good input.
    private static func flag(_ name: String, _ value: String, line: UInt = #line) -> BadInput {
        BadInput(
            "ast2graph", run(value.hasPrefix("-") ? ["\(name)=\(value)"] : [name, value]), names: name, line: line,
            setup: goodInput)
    }

    private static let flagCases: [BadInput] = [
        // --memory-budget values that overflowed `<< 20` were silently dropped.
        flag("--memory-budget", "99999999999999"),
        flag("--memory-budget", "9223372036854775807"),
        flag("--memory-budget", "99999999999999999999999"),
        flag("--memory-budget", "15"),
        flag("--memory-budget", "-1"),
        flag("--memory-budget", "nan"),
        flag("--memory-budget", "1.5e3"),
        flag("--workers", "0"),
        flag("--workers", "-1"),
        flag("--workers", "5000"),
        flag("--workers", "99999999999999999999"),
        flag("--workers", "1.5"),
        flag("--workers", "NaN"),
        flag("--batch-size", "0"),
        flag("--batch-size", "-32"),
        flag("--batch-size", "1e9"),
        flag("--batch-size", "inf"),
        flag("--batch-size", "9223372036854775808"),
        flag("--max-file-bytes", "0"),
        flag("--max-file-bytes", "-1"),
        flag("--max-file-bytes", "2147483648"),
        flag("--max-file-bytes", "99999999999999999999999"),
        flag("--max-file-bytes", "16MiB"),
        flag("--format", "xml"),
        BadInput("ast2graph", run(["--frobnicate"]), names: "--frobnicate", setup: goodInput),
        BadInput("ast2graph", ["{dir}/a.swift"], names: "--out", setup: goodInput),
        BadInput("ast2graph", ["--out", "{dir}/g.jsonl"], names: "give at least one Swift file"),
        BadInput("ast2graph", run(["--skip-tokens=yes"]), names: "--skip-tokens", setup: goodInput),
    ]

    private static let inputCases: [BadInput] = [
        BadInput(
            "ast2graph", ["{dir}/missing.swift", "--out", "{dir}/g.jsonl"], names: "{dir}/missing.swift: no such file"),
        BadInput("ast2graph", ["{dir}/in", "--out", "{dir}/g.jsonl"], names: "{dir}/in: no .swift files") {
            try Plant.directory($0, "in")
        },
        BadInput("ast2graph", ["{dir}/in", "--out", "{dir}/g.jsonl"], names: "{dir}/in: no .swift files") { dir in
            try Plant.file(dir, "in/README.md", "not swift")
            try Plant.file(dir, "in/.build/Hidden.swift", "let hidden = 1")
        },
        // A FIFO given by name: refused before it is opened (opening it would wait for a writer).
        BadInput(
            "ast2graph", ["{dir}/x.swift", "--out", "{dir}/g.jsonl"], names: "{dir}/x.swift: it is a FIFO", timeout: 20
        ) {
            try Plant.fifo($0, "x.swift")
        },
        BadInput(
            "ast2graph", ["{dir}/s.swift", "--out", "{dir}/g.jsonl"], names: "{dir}/s.swift: it is a socket",
            timeout: 20
        ) {
            try plantSocket($0 + "/s.swift")
        },
        BadInput("ast2graph", ["/dev/null", "--out", "{dir}/g.jsonl"], names: "/dev/null: it is a character device"),
        // A FIFO named x.swift found in a directory hung the run; now it is a failed file named
        // in the summary and the run goes on with the other files.
        BadInput(
            "ast2graph", ["{dir}/in", "--out", "{dir}/g.jsonl"], exit: 0,
            names: "failed: {dir}/in/x.swift: not a regular file: it is a FIFO",
            timeout: 30, mayCreateFiles: true, oneLine: false
        ) { dir in
            try Plant.file(dir, "in/a.swift", source)
            try Plant.fifo(dir, "in/x.swift")
        },
        // ... and when it is the only file, no file gave a graph: exit 1, nothing written.
        BadInput(
            "ast2graph", ["{dir}/in", "--out", "{dir}/g.jsonl"], exit: 1,
            names: "{dir}/in/x.swift: not a regular file: it is a FIFO", timeout: 30
        ) {
            try Plant.fifo($0, "in/x.swift")
        },
        BadInput(
            "ast2graph", ["{dir}/in", "--out", "{dir}/g.jsonl"], exit: 1,
            names: "{dir}/in/s.swift: not a regular file: it is a socket", timeout: 30
        ) {
            try plantSocket($0 + "/in/s.swift")
        },
        BadInput(
            "ast2graph", ["{dir}/bin.swift", "--out", "{dir}/g.jsonl"], exit: 1,
            names: "{dir}/bin.swift: not UTF-8: binary file: NUL byte"
        ) {
            try Data(
                [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00]
                    + (0..<4000).map { UInt8(truncatingIfNeeded: $0 &* 131) }
            )
            .write(to: URL(fileURLWithPath: $0 + "/bin.swift"))
        },
        BadInput(
            "ast2graph", ["{dir}/latin1.swift", "--out", "{dir}/g.jsonl"], exit: 1,
            names: "{dir}/latin1.swift: not UTF-8: invalid UTF-8 at byte offset 9"
        ) {
            try Data(Array("let s = \"".utf8) + [0xE9, 0x22, 0x0A]).write(
                to: URL(fileURLWithPath: $0 + "/latin1.swift"))
        },
        BadInput(
            "ast2graph", ["{dir}/deep.swift", "--out", "{dir}/g.jsonl"], exit: 1,
            names: "{dir}/deep.swift: too deeply nested"
        ) {
            try Plant.file(
                $0, "deep.swift",
                "let x = " + String(repeating: "[", count: 40) + String(repeating: "]", count: 40) + "\n")
        },
        BadInput(
            "ast2graph", ["{dir}/a.swift", "--out", "{dir}/g.jsonl", "--max-file-bytes", "4"], exit: 1,
            names: "{dir}/a.swift: over size limit", setup: goodInput),
        // The right result: an empty Swift file is a valid (one-node) graph.
        BadInput(
            "ast2graph", ["{dir}/empty.swift", "--out", "{dir}/g.jsonl"], exit: 0, names: "1 of 1 files",
            mayCreateFiles: true
        ) {
            try Plant.file($0, "empty.swift", "")
        },
        // Garbage that is valid UTF-8 parses (with syntax errors) into a graph: the right result.
        BadInput(
            "ast2graph", ["{dir}/junk.swift", "--out", "{dir}/g.jsonl"], exit: 0, names: "1 of 1 files",
            mayCreateFiles: true
        ) {
            try Plant.file($0, "junk.swift", "}}} func ( { let = = @@@ \u{FEFF} #if \"unterminated\n")
        },
    ]

    /// Every file fails: exit 1 and the earlier output (planted here) stays byte-identical;
    /// no partial file, checkpoint or directory is left.
    private static let allFailCases: [BadInput] = [
        BadInput("ast2graph", ["{dir}/bin.swift", "--out", "{dir}/g.jsonl"], exit: 1, names: "nothing was written") {
            dir in
            try Plant.file(dir, "g.jsonl", "{\"type\":\"file\",\"path\":\"earlier.swift\"}\n")
            try Data([0, 1, 2, 3]).write(to: URL(fileURLWithPath: dir + "/bin.swift"))
        },
        BadInput(
            "ast2graph",
            ["{dir}/in", "--out", "{dir}/g.graphml", "--format", "graphml", "--workers", "1", "--batch-size", "1"],
            exit: 1,
            names: "none of the 2 files gave a graph", oneLine: false
        ) { dir in
            try Plant.file(dir, "g.graphml", "<graphml>earlier</graphml>\n")
            try Plant.directory(dir, "in")
            try Data([0xFF, 0xFE]).write(to: URL(fileURLWithPath: dir + "/in/a.swift"))
            try Data([0x00]).write(to: URL(fileURLWithPath: dir + "/in/b.swift"))
        },
        BadInput(
            "ast2graph", ["{dir}/bin.swift", "--out", "{dir}/csv", "--format", "neo4j-csv"], exit: 1,
            names: "nothing was written"
        ) { dir in
            try Plant.file(dir, "csv/nodes.csv", "earlier nodes\n")
            try Plant.file(dir, "csv/relationships.csv", "earlier relationships\n")
            try Data([0, 1, 2, 3]).write(to: URL(fileURLWithPath: dir + "/bin.swift"))
        },
        // A new neo4j-csv directory made by a run that gives nothing is removed again.
        BadInput(
            "ast2graph", ["{dir}/bin.swift", "--out", "{dir}/csv", "--format", "neo4j-csv"], exit: 1,
            names: "nothing was written"
        ) { dir in
            try Data([0, 1, 2, 3]).write(to: URL(fileURLWithPath: dir + "/bin.swift"))
        },
    ]

    private static let outputCases: [BadInput] = [
        BadInput("ast2graph", ["{dir}/a.swift", "--out", "{dir}/out"], names: "{dir}/out: it is a directory") { dir in
            try goodInput(dir)
            try Plant.directory(dir, "out")
        },
        BadInput("ast2graph", run([]), names: "{dir}/g.jsonl.partial: it is a directory") { dir in
            try goodInput(dir)
            try Plant.directory(dir, "g.jsonl.partial")
        },
        BadInput("ast2graph", run(["--summary", "{dir}/s"]), names: "{dir}/s: it is a directory") { dir in
            try goodInput(dir)
            try Plant.directory(dir, "s")
        },
        BadInput("ast2graph", run([]), names: "{dir}/g.jsonl.checkpoint.json: it is a directory") { dir in
            try goodInput(dir)
            try Plant.directory(dir, "g.jsonl.checkpoint.json")
        },
        // The output must never replace the source it reads.
        BadInput(
            "ast2graph", ["{dir}/a.swift", "--out", "{dir}/a.swift"],
            names: "--out {dir}/a.swift is one of the input files", setup: goodInput),
        BadInput(
            "ast2graph", run(["--summary", "{dir}/a.swift"]),
            names: "--summary {dir}/a.swift is one of the input files", setup: goodInput),
        BadInput(
            "ast2graph", run(["--summary", "{dir}/g.jsonl"]),
            names: "--summary {dir}/g.jsonl is the same file as --out", setup: goodInput),
        BadInput(
            "ast2graph", ["{dir}/a.swift", "--out", "{dir}/file/g.jsonl"],
            names: "{dir}/file/g.jsonl.partial: Not a directory"
        ) { dir in
            try goodInput(dir)
            try Plant.file(dir, "file", "x")
        },
        BadInput(
            "ast2graph", ["{dir}/a.swift", "--out", "{dir}/file", "--format", "neo4j-csv"],
            names: "{dir}/file: it is not a directory"
        ) { dir in
            try goodInput(dir)
            try Plant.file(dir, "file", "x")
        },
        BadInput("ast2graph", ["{dir}/a.swift", "--out", ""], names: "--out is empty", setup: goodInput),
        // A symlink planted at the checkpoint's old fixed temporary name is never written
        // through: checkpoints go through the atomic writer's O_EXCL | O_NOFOLLOW temporary.
        BadInput("ast2graph", run([]), exit: 0, names: "1 of 1 files", mayCreateFiles: true) { dir in
            try goodInput(dir)
            try Plant.file(dir, "victim", "not to be written\n")
            try Plant.symlink(dir, "g.jsonl.checkpoint.json.tmp", to: dir + "/victim")
        },
    ]

    /// The run key `ast2graph` gives a default jsonl run over `files` (mirrors
    /// `Checkpoint.runKey`: FNV-1a over the sorted paths and the settings), so a checkpoint
    /// planted here passes the "same run" check and reaches the checks behind it.
    private static func runKey(_ files: [String]) -> String {
        let settings =
            "jsonl GraphBuildOptions(includeTokens: true, includeTokenText: true, collapseCollections: false, includeNextEdges: true, maximumFileBytes: 16777216)"
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in (files.joined(separator: "\n") + "\n--\n" + settings).utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return "\(files.count)-" + String(hash, radix: 16)
    }

    /// A good input and a checkpoint of its run with `fields` overriding the defaults.
    private static func checkpoint(_ fields: [String: String]) -> @Sendable (String) throws -> Void {
        { dir in
            try goodInput(dir)
            var all = [
                "version": "1", "runKey": "\"\(runKey([dir + "/a.swift"]))\"", "doneFiles": "0", "processedFiles": "0",
                "nodes": "0",
                "edges": "0", "failures": "[]", "seconds": "0", "outputLengths": "[0]",
            ]
            all.merge(fields) { _, new in new }
            let json =
                "{" + all.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}"
            try Plant.file(dir, "g.jsonl.checkpoint.json", json)
        }
    }

    private static let resumeCases: [BadInput] = [
        // A symlink planted at OUT.partial is never followed on resume.
        BadInput("ast2graph", run(["--resume"]), names: "{dir}/g.jsonl.partial: it is a symbolic link") { dir in
            try checkpoint(["outputLengths": "[5]"])(dir)
            try Plant.file(dir, "victim", "victim's bytes, to be kept\n")
            try Plant.symlink(dir, "g.jsonl.partial", to: dir + "/victim")
        },
        BadInput("ast2graph", run(["--resume"]), names: "{dir}/g.jsonl.partial: it is a FIFO", timeout: 20) { dir in
            try checkpoint([:])(dir)
            try Plant.fifo(dir, "g.jsonl.partial")
        },
        BadInput(
            "ast2graph", run(["--resume"]), names: "{dir}/g.jsonl.partial: there is no partial output to resume",
            setup: checkpoint([:])),
        BadInput("ast2graph", run(["--resume"]), names: "shorter than the checkpoint says (1000 bytes)") { dir in
            try checkpoint(["outputLengths": "[1000]"])(dir)
            try Plant.file(dir, "g.jsonl.partial", "{\"type\":\"file\"}\n")
        },
        BadInput(
            "ast2graph", run(["--resume"]),
            names: "checkpoint {dir}/g.jsonl.checkpoint.json: not a readable checkpoint (not valid JSON"
        ) { dir in
            try goodInput(dir)
            try Plant.file(dir, "g.jsonl.checkpoint.json", "\u{1}garbage{{{")
        },
        BadInput(
            "ast2graph", run(["--resume"]), names: "checkpoint {dir}/g.jsonl.checkpoint.json: not a readable checkpoint"
        ) { dir in
            try goodInput(dir)
            try Plant.file(dir, "g.jsonl.checkpoint.json", "{\"version\":1,\"runKey\":\"1-")
        },
        BadInput(
            "ast2graph", run(["--resume"]),
            names: "checkpoint {dir}/g.jsonl.checkpoint.json: not a readable checkpoint (no doneFiles)"
        ) { dir in
            try goodInput(dir)
            try Plant.file(dir, "g.jsonl.checkpoint.json", "{\"version\":1,\"runKey\":\"x\"}")
        },
        BadInput(
            "ast2graph", run(["--resume"]), names: "checkpoint {dir}/g.jsonl.checkpoint.json belongs to another run",
            setup: checkpoint(["runKey": "\"1-0\""])),
        BadInput(
            "ast2graph", run(["--resume"]), names: "checkpoint {dir}/g.jsonl.checkpoint.json belongs to another run",
            setup: checkpoint(["version": "2"])),
        BadInput(
            "ast2graph", run(["--resume"]), names: "doneFiles 99 is not between 0 and the 1 input files",
            setup: checkpoint(["doneFiles": "99"])),
        BadInput(
            "ast2graph", run(["--resume"]), names: "doneFiles -1 is not between", setup: checkpoint(["doneFiles": "-1"])
        ),
        BadInput(
            "ast2graph", run(["--resume"]), names: "do not add up",
            setup: checkpoint(["doneFiles": "1", "processedFiles": "0"])),
        BadInput(
            "ast2graph", run(["--resume"]), names: "nodes 9223372036854775807",
            setup: checkpoint(["nodes": "9223372036854775807"])),
        BadInput(
            "ast2graph", run(["--resume"]), names: "seconds '1e+300' is out of range",
            setup: checkpoint(["seconds": "1e300"])),
        BadInput(
            "ast2graph", run(["--resume"]), names: "not a readable checkpoint", setup: checkpoint(["nodes": "1e300"])),
        BadInput(
            "ast2graph", run(["--resume"]), names: "outputLengths [-5]", setup: checkpoint(["outputLengths": "[-5]"])),
        BadInput(
            "ast2graph", run(["--resume"]), names: "outputLengths [0, 0]", setup: checkpoint(["outputLengths": "[0,0]"])
        ),
        BadInput(
            "ast2graph", run(["--resume"]),
            names: "checkpoint {dir}/g.jsonl.checkpoint.json: not a readable checkpoint", timeout: 20
        ) { dir in
            try goodInput(dir)
            try Plant.fifo(dir, "g.jsonl.checkpoint.json")
        },
    ]

    /// PostgreSQL URLs holding the planted password: none may print it.
    private static let postgresCases: [BadInput] = [
        // libpq cannot parse these; its error used to echo the whole URL.
        BadInput(
            "ast2graph", ["{dir}/a.swift", "--format", "postgresql://u:\(password)@[::1/db", "--out", "ast"],
            names: "PostgreSQL", setup: goodInput),
        BadInput(
            "ast2graph", ["{dir}/a.swift", "--format", "postgresql://u:\(password)%zz@127.0.0.1:1/db", "--out", "ast"],
            names: "PostgreSQL", setup: goodInput),
        BadInput(
            "ast2graph",
            ["{dir}/a.swift", "--format", "postgresql://u:\(password)@127.0.0.1:1/db?sslmode=bogus", "--out", "ast"],
            names: "PostgreSQL", setup: goodInput),
        // A server that refuses.
        BadInput(
            "ast2graph", ["{dir}/a.swift", "--format", "postgresql://u:\(password)@127.0.0.1:1/db", "--out", "ast"],
            names: "127.0.0.1", timeout: 30, setup: goodInput),
        BadInput(
            "ast2graph", ["{dir}/a.swift", "--format=postgres://u:\(password)@127.0.0.1:1/db", "--out", "ast"],
            names: "127.0.0.1", timeout: 30, setup: goodInput),
        // Not a format at all: ArgumentParser's own message quotes the value; it is redacted.
        BadInput(
            "ast2graph", ["{dir}/a.swift", "--format", "postgresx://u:\(password)@127.0.0.1:1/db", "--out", "ast"],
            names: "--format", setup: goodInput),
        BadInput(
            "ast2graph", ["{dir}/a.swift", "--format", "host=127.0.0.1 port=1 password=\(password)", "--out", "ast"],
            names: "--format", setup: goodInput),
        BadInput(
            "ast2graph",
            ["{dir}/a.swift", "--format", "postgresql://u:\(password)@127.0.0.1:1/db", "--out", "Bad-Prefix"],
            names: "--out is a table prefix", setup: goodInput),
        // --resume is accepted with postgres (the checkpoint is in the database): the server
        // that refuses is the error.
        BadInput(
            "ast2graph",
            ["{dir}/a.swift", "--format", "postgresql://u:\(password)@127.0.0.1:1/db", "--out", "ast", "--resume"],
            names: "127.0.0.1", timeout: 30, setup: goodInput),
        BadInput(
            "ast2graph",
            [
                "{dir}/a.swift", "--format", "postgresql://u:\(password)@127.0.0.1:1/db", "--out", "ast", "--workers",
                "0",
            ], names: "--workers", setup: goodInput),
        // A URL given where a file path belongs: the error names the path, redacted.
        BadInput(
            "ast2graph", ["{dir}/a.swift", "--out", "{dir}/postgres://u:\(password)@127.0.0.1:1/db"],
            names: "cannot write", setup: goodInput),
    ]

    /// The memory flags: a budget the process is already over, and governor reports that
    /// cannot be written. Refused before any work: nothing is written, not even the report.
    private static let memoryCases: [BadInput] = [
        BadInput(
            "ast2graph", run(["--memory-budget", "16", "--governor-report", "{dir}/r.json"]),
            names: "--memory-budget 16 MiB: memory budget 16.0 MiB is below what this process already uses",
            setup: goodInput),
        BadInput(
            "ast2graph", run(["--memory-budget", "16777216"]), names: "--memory-budget 16777216 MiB: memory budget",
            setup: goodInput),
        BadInput(
            "ast2graph", run(["--governor-report", "{dir}/r"]), names: "--governor-report {dir}/r: it is a directory"
        ) { dir in
            try goodInput(dir)
            try Plant.directory(dir, "r")
        },
        BadInput(
            "ast2graph", run(["--governor-report", "{dir}/r.json"]),
            names: "--governor-report {dir}/r.json: it is a FIFO", timeout: 20
        ) { dir in
            try goodInput(dir)
            try Plant.fifo(dir, "r.json")
        },
        BadInput(
            "ast2graph", run(["--governor-report", "/dev/null"]), names: "--governor-report /dev/null: it is a device",
            setup: goodInput),
        BadInput(
            "ast2graph", run(["--governor-report", "{dir}/missing/r.json"]),
            names: "--governor-report {dir}/missing/r.json: its directory {dir}/missing does not exist",
            setup: goodInput),
        BadInput(
            "ast2graph", run(["--governor-report", "{dir}/file/r.json"]),
            names: "--governor-report {dir}/file/r.json: {dir}/file is not a directory"
        ) { dir in
            try goodInput(dir)
            try Plant.file(dir, "file", "x")
        },
        BadInput("ast2graph", run(["--governor-report", ""]), names: "--governor-report is empty", setup: goodInput),
        BadInput(
            "ast2graph", run(["--governor-report", "{dir}/a.swift"]),
            names: "--governor-report {dir}/a.swift is one of the input files", setup: goodInput),
        BadInput(
            "ast2graph", run(["--governor-report", "{dir}/g.jsonl"]),
            names: "--governor-report {dir}/g.jsonl is the same file as --out", setup: goodInput),
        BadInput(
            "ast2graph", run(["--summary", "{dir}/s.json", "--governor-report", "{dir}/s.json"]),
            names: "--governor-report {dir}/s.json is the same file as --summary", setup: goodInput),
        BadInput(
            "ast2graph", run(["--governor-report", "{dir}/g.jsonl.checkpoint.json"]),
            names: "is the run's checkpoint file", setup: goodInput),
    ]

    func testEveryBadInputGivesOneLineTheRightExitAndLeavesEarlierFilesAlone() throws {
        let cases =
            Self.flagCases + Self.inputCases + Self.allFailCases + Self.outputCases + Self.resumeCases
            + Self.postgresCases
            + Self.memoryCases
        XCTAssertGreaterThanOrEqual(cases.count, 35)
        try BadInput.runAll(cases, in: self)
    }
}

/// A Unix-domain socket bound at `path` (the file stays after the descriptor is closed).
private func plantSocket(_ path: String) throws {
    try FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown) }
    defer { close(descriptor) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
        throw CocoaError(.fileWriteInvalidFileName)
    }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        for (index, byte) in bytes.enumerated() { raw[index] = byte }
    }
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
    guard bound == 0 else { throw CocoaError(.fileWriteUnknown) }
}
