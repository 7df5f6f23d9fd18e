import CommandTestSupport
import Foundation
import SoakGate
import XCTest

/// `--shard I/N` on check, bench and soak, and `soakgate merge`, through the real executable.
final class ShardCommandTests: XCTestCase {
    /// Six quick not-a-leak workloads (those that run by default; `planted.clean.*` would also
    /// name the slow-filling LRU caches): enough for four shards, two of them with two.
    private let selection = [
        "planted.clean.one-off-init", "planted.clean.bounded-cache", "planted.clean.thread-once",
        "planted.clean.lazy-singleton", "planted.clean.task-group", "planted.clean.concurrent-perform",
    ]

    private func assertOneLine(
        _ outcome: Command.Outcome, status: Int32 = 2, mentions text: String, file: StaticString = #filePath,
        line: UInt = #line
    ) {
        XCTAssertEqual(outcome.status, status, outcome.standardError, file: file, line: line)
        let lines = outcome.standardError.split(separator: "\n").filter { !$0.contains(" workloads: ") }
        XCTAssertEqual(lines.count, 1, "one line: \(outcome.standardError)", file: file, line: line)
        XCTAssertTrue(
            outcome.standardError.contains(text), "\(outcome.standardError) should mention \(text)", file: file,
            line: line)
    }

    func testBadShardIsOneLineAndExitTwo() throws {
        let out = try Command.temporaryDirectory(self)
        for (spec, text) in [
            ("0/3", "I must be 1 to 3"), ("4/3", "I must be 1 to 3"), ("a/b", "expected I/N"), ("1/0", "N must be"),
            ("1/3/4", "expected I/N"), ("-1/3", "expected I/N"), ("99999999999/3", "expected I/N"),
        ] {
            // `--shard=` keeps a value that starts with '-' a value.
            let outcome = try Command.run("soakgate", ["check", "--shard=" + spec, "--out", out])
            assertOneLine(outcome, mentions: text)
            XCTAssertTrue(outcome.standardError.contains("--shard"), outcome.standardError)
        }
        // More shards than workloads would leave one empty.
        let outcome = try Command.run(
            "soakgate", ["check", "--workload", "planted.clean.one-off-init", "--shard", "2/2", "--out", out])
        assertOneLine(outcome, mentions: "use at most 1 shards")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out), [], "nothing written")
        assertOneLine(
            try Command.run("soakgate", ["check", "--balance", out + "/none.json", "--out", out]),
            mentions: "--balance goes with --shard")
        assertOneLine(
            try Command.run(
                "soakgate", ["check", "--shard", "1/2", "--balance", out + "/none.json", "--out", out]),
            mentions: "'\(out)/none.json' does not exist")
    }

    /// Four shards merged give the report one unsharded run gives, apart from timings and the
    /// figures measured; a missing, doubled or foreign shard is refused by name.
    func testFourShardsMergeIntoTheUnshardedReport() throws {
        let root = try Command.temporaryDirectory(self)
        let common = ["check", "--workload"] + selection + ["--budget", "20", "--no-sites"]
        let whole = try Command.run("soakgate", common + ["--out", root + "/whole"])
        XCTAssertEqual(whole.status, 0, whole.standardError)
        var paths: [String] = []
        var owned: [String] = []
        for index in 1...4 {
            let out = root + "/shard-\(index)"
            let outcome = try Command.run("soakgate", common + ["--shard", "\(index)/4", "--out", out])
            XCTAssertEqual(outcome.status, 0, outcome.standardError)
            XCTAssertTrue(outcome.standardError.contains("soakgate: shard \(index)/4 (by name)"), outcome.standardError)
            let report = try read(out + "/leak-report.json")
            XCTAssertEqual(report.shard?.index, index)
            XCTAssertFalse(report.workloads.isEmpty, "no shard is empty")
            owned += report.workloads.map(\.name)
            paths.append(out + "/leak-report.json")
        }
        let expected = try read(root + "/whole/leak-report.json")
        XCTAssertEqual(owned.sorted(), expected.workloads.map(\.name).sorted(), "each workload in exactly one shard")

        let merged = try Command.run("soakgate", ["merge"] + paths.reversed() + ["--out", root + "/merged"])
        XCTAssertEqual(merged.status, 0, merged.standardError)
        let report = try read(root + "/merged/leak-report.json")
        XCTAssertEqual(report.workloads.map(\.name), expected.workloads.map(\.name), "selection order")
        XCTAssertEqual(report.workloads.map(\.verdict), expected.workloads.map(\.verdict))
        XCTAssertEqual(report.plan, expected.plan)
        XCTAssertEqual(report.tool, expected.tool)
        XCTAssertEqual(report.mallocConf, expected.mallocConf)
        XCTAssertNil(report.shard)
        XCTAssertEqual(report.shards?.map(\.index), [1, 2, 3, 4])
        XCTAssertEqual(report.exitCode, expected.exitCode)
        for name in ["leak-report.html", "leak-report.junit.xml", "leak-report.md"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/merged/" + name), name)
        }
        let gate = try Command.run("soakgate", ["gate", root + "/merged/leak-report.json"])
        XCTAssertEqual(gate.status, 0, gate.standardOutput + gate.standardError)

        // A missing shard, one given twice, an unsharded report, another plan.
        assertOneLine(
            try Command.run("soakgate", ["merge"] + paths.dropLast() + ["--out", root + "/m2"]),
            mentions: "shard 4/4 is missing")
        assertOneLine(
            try Command.run("soakgate", ["merge"] + paths + [paths[1], "--out", root + "/m3"]),
            mentions: "are both shard 2/4")
        assertOneLine(
            try Command.run(
                "soakgate", ["merge"] + paths.dropLast() + [root + "/whole/leak-report.json", "--out", root + "/m4"]),
            mentions: "ran without --shard")
        let other = try Command.run(
            "soakgate",
            ["check", "--workload"] + selection + [
                "--budget", "15", "--no-sites", "--shard", "4/4", "--out", root + "/o",
            ])
        XCTAssertEqual(other.status, 0, other.standardError)
        assertOneLine(
            try Command.run(
                "soakgate", ["merge"] + paths.dropLast() + [root + "/o/leak-report.json", "--out", root + "/m5"]),
            mentions: "plan.budgetSeconds is 20 in one and 15 in the other")
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/m5/leak-report.json"), "nothing written")
    }

    /// `--balance` deals by an earlier report's durations; two shards with different balance
    /// reports do not merge.
    func testBalanceFollowsAnEarlierReport() throws {
        let root = try Command.temporaryDirectory(self)
        var previous = try read(try fixtureReport(root))
        // Pretend one workload took as long as all the others together.
        previous.workloads[0].durationSeconds = 1000
        try previous.jsonData().write(to: URL(fileURLWithPath: root + "/previous.json"))
        let shard = try Command.run(
            "soakgate",
            ["check", "--workload"] + selection + [
                "--budget", "10", "--no-sites", "--shard", "1/2", "--balance", root + "/previous.json", "--out",
                root + "/b1",
            ])
        XCTAssertEqual(shard.status, 0, shard.standardError)
        let report = try read(root + "/b1/leak-report.json")
        XCTAssertEqual(report.shard?.workloads, [previous.workloads[0].name], "the long one alone")
        XCTAssertTrue(report.shard?.balancedBy.hasPrefix("durations ") == true)
        let byName = try Command.run(
            "soakgate",
            ["check", "--workload"] + selection + [
                "--budget", "10", "--no-sites", "--shard", "2/2", "--out", root + "/b2",
            ])
        XCTAssertEqual(byName.status, 0, byName.standardError)
        assertOneLine(
            try Command.run(
                "soakgate",
                ["merge", root + "/b1/leak-report.json", root + "/b2/leak-report.json", "--out", root + "/bm"]),
            mentions: "shard.balancedBy")
    }

    /// Soak shards merge into one soak report; --shard cannot change on --resume.
    func testSoakShardsMerge() throws {
        let root = try Command.temporaryDirectory(self)
        var paths: [String] = []
        for index in 1...2 {
            let out = root + "/soak-\(index)"
            let outcome = try Command.run(
                "soakgate",
                [
                    "soak", "--workload", "planted-soak.paced-clean", "planted.clean.one-off-init", "--duration", "3s",
                    "--interval", "200ms", "--warmup", "0", "--shard", "\(index)/2", "--out", out,
                ])
            XCTAssertNotEqual(outcome.status, 2, outcome.standardError)
            XCTAssertNotEqual(outcome.status, 3, outcome.standardError)
            paths.append(out + "/soak-report.json")
        }
        let resumed = try Command.run("soakgate", ["soak", "--resume", root + "/soak-1", "--shard", "1/2"])
        assertOneLine(resumed, mentions: "--shard cannot be changed on --resume")
        let merged = try Command.run("soakgate", ["merge"] + paths + ["--out", root + "/soak"])
        XCTAssertNotEqual(merged.status, 2, merged.standardError)
        let report = try SoakReport.read(
            from: Data(contentsOf: URL(fileURLWithPath: root + "/soak/soak-report.json")), path: "merged")
        XCTAssertEqual(report.workloads.map(\.name), ["planted-soak.paced-clean", "planted.clean.one-off-init"])
        XCTAssertEqual(report.manifest.workloads, ["planted-soak.paced-clean", "planted.clean.one-off-init"])
        XCTAssertNil(report.manifest.shard)
        XCTAssertEqual(report.shards?.map(\.index), [1, 2])
        assertOneLine(
            try Command.run(
                "soakgate", ["merge", paths[0], root + "/soak-1/soak.json", "--out", root + "/x"]),
            mentions: "is not a leak, bench or soak report")
    }

    private func fixtureReport(_ root: String) throws -> String {
        let outcome = try Command.run(
            "soakgate",
            ["check", "--workload"] + selection + ["--budget", "5", "--no-sites", "--out", root + "/fixture"])
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        return root + "/fixture/leak-report.json"
    }

    private func read(_ path: String) throws -> LeakReport {
        try LeakReport.read(from: Data(contentsOf: URL(fileURLWithPath: path)), path: path)
    }
}
