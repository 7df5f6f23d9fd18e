import CommandTestSupport
import Foundation
import SoakGate
import XCTest

/// `soakgate soak` refuses bad input with one line and exit 2, before anything on disk changes.
final class SoakCommandLineTests: XCTestCase {
    func testBadSoakInputIsOneLineExitTwoAndChangesNothing() throws {
        let root = try Command.temporaryDirectory(self)
        let notASoak = root + "/not-a-soak"
        try FileManager.default.createDirectory(atPath: notASoak, withIntermediateDirectories: true)
        try "hello\n".write(toFile: notASoak + "/notes.txt", atomically: true, encoding: .utf8)
        let leak = "planted-soak.slow-leak"
        let cases: [([String], String)] = [
            (
                ["soak", "--workload", leak, "--duration", "two hours", "--out", root + "/a"],
                "The value 'two hours' is invalid for '--duration"
            ),
            (["soak", "--workload", leak, "--duration", "10x", "--out", root + "/a"], "unknown unit 'x'"),
            (["soak", "--workload", leak, "--interval", "0s", "--out", root + "/a"], "more than zero"),
            (
                ["soak", "--workload", leak, "--settle", "1m", "--checkpoint-every", "30s", "--out", root + "/a"],
                "--settle must be shorter"
            ),
            (
                ["soak", "--workload", leak, "--alert-live-bytes", "12XB", "--out", root + "/a"],
                "'12XB' is invalid for '--alert-live-bytes"
            ),
            (
                ["soak", "--workload", leak, "--out", root + "/a", "--listen", "127.0.0.1:99999"],
                "with a port from 0 to 65535"
            ),
            (
                ["soak", "--workload", leak, "--duration", "1m", "--interval", "2m", "--out", root + "/a"],
                "longer than --duration"
            ),
            (["soak", "--workload", leak, "--duration", "1m", "--out", notASoak], "is not empty"),
            (["soak", "--workload", leak, "--out", root + "/a", "--listen", "0.0.0.0:9464"], "not a loopback address"),
            (["soak", "--resume", notASoak], "is not a soak directory"),
            (["soak", "--resume", root + "/missing"], "does not exist"),
            (["soak", "--resume", notASoak, "--duration", "1h"], "cannot be changed on --resume"),
            (["report", notASoak], "is not a soak directory"),
        ]
        for (arguments, expected) in cases {
            let outcome = try Command.run("soakgate", arguments)
            XCTAssertEqual(outcome.status, 2, "\(arguments): \(outcome.standardError)")
            let lines = outcome.standardError.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "\(arguments): \(outcome.standardError)")
            XCTAssertTrue(outcome.standardError.contains(expected), "\(arguments): \(outcome.standardError)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/a"), "a refused soak creates nothing")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: notASoak), ["notes.txt"])
    }

    func testResumeRefusesEveryFlagThatWouldChangeTheSoaksSettings() throws {
        let out = try Command.temporaryDirectory(self) + "/soak"
        let first = try Command.run(
            "soakgate",
            [
                "soak", "--workload", "planted-soak.paced-clean", "--duration", "2s", "--interval", "1s", "--settle",
                "0",
                "--checkpoint-every", "1s", "--warmup", "0", "--step-threshold", "1.5KiB", "--out", out,
            ])
        XCTAssertNotEqual(first.status, 2, first.standardError)
        let manifest =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/soak.json")))
            as? [String: Any]
        XCTAssertEqual(manifest?["settleSeconds"] as? Double, 0, "--settle 0 leaves the pause out")
        XCTAssertEqual(manifest?["stepThresholdBytes"] as? Int, 1536)
        let before = try String(contentsOfFile: out + "/samples.jsonl", encoding: .utf8)
        let settings: [[String]] = [
            ["--out", out], ["--duration", "1h"], ["--interval", "5s"], ["--checkpoint-every", "1m"],
            ["--settle", "0"],
            ["--warmup", "5"], ["--tolerate-bytes-per-hour", "1MiB"], ["--alert-bytes-per-hour", "1MiB"],
            ["--alert-live-bytes", "1GiB"], ["--alert-window", "5m"], ["--stop-on-alert"],
            ["--step-threshold", "2MiB"],
        ]
        for flag in settings {
            let outcome = try Command.run("soakgate", ["soak", "--resume", out] + flag)
            XCTAssertEqual(outcome.status, 2, "\(flag): \(outcome.standardError)")
            XCTAssertTrue(
                outcome.standardError.contains("\(flag[0]) cannot be changed on --resume"), outcome.standardError)
            XCTAssertEqual(outcome.standardError.split(separator: "\n").count, 1, outcome.standardError)
        }
        XCTAssertEqual(try String(contentsOfFile: out + "/samples.jsonl", encoding: .utf8), before)
    }

    func testResumingWithAnotherWorkloadSetIsRefusedAndChangesNothing() throws {
        let out = try Command.temporaryDirectory(self) + "/soak"
        let first = try Command.run(
            "soakgate",
            [
                "soak", "--workload", "planted-soak.paced-clean", "--duration", "2s", "--interval", "1s", "--warmup",
                "0", "--out", out,
            ])
        XCTAssertNotEqual(first.status, 2, first.standardError)
        let before = try String(contentsOfFile: out + "/samples.jsonl", encoding: .utf8)
        let outcome = try Command.run("soakgate", ["soak", "--resume", out, "--workload", "planted-soak.slow-leak"])
        XCTAssertEqual(outcome.status, 2)
        XCTAssertTrue(outcome.standardError.contains("belongs to planted-soak.paced-clean"), outcome.standardError)
        XCTAssertEqual(try String(contentsOfFile: out + "/samples.jsonl", encoding: .utf8), before)
        let again = try Command.run(
            "soakgate",
            ["soak", "--workload", "planted-soak.paced-clean", "--duration", "2s", "--interval", "1s", "--out", out])
        XCTAssertEqual(again.status, 2)
        XCTAssertTrue(again.standardError.contains("already holds a soak"), again.standardError)
    }

    func testAWorkloadThatCrashesMidSoakFailsItWithTheReason() throws {
        let out = try Command.temporaryDirectory(self) + "/soak"
        let outcome = try Command.run(
            "soakgate-fixtures",
            [
                "soak", "--workload", "fixture.crash", "fixture.clean", "--duration", "3s", "--interval", "500ms",
                "--warmup", "0", "--out", out,
            ])
        XCTAssertEqual(outcome.status, 3, outcome.standardOutput + outcome.standardError)
        let report = try SoakReport.read(
            from: try Data(contentsOf: URL(fileURLWithPath: out + "/soak-report.json")), path: "report")
        let crashed = try XCTUnwrap(report.workloads.first { $0.name == "fixture.crash" })
        XCTAssertEqual(crashed.verdict, .crashed)
        XCTAssertTrue(crashed.evidence.contains("fixture.crash traps on iteration 50"), crashed.evidence)
        XCTAssertEqual(
            report.workloads.first { $0.name == "fixture.clean" }?.verdict, .pass, "the other workload went on")
    }
}
