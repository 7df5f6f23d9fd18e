import CommandTestSupport
import Foundation
import SoakGate
import XCTest

/// `soakgate bench` and `check --bench` through the real executable, on the planted bench
/// workload and its planted regressions.
final class BenchCommandTests: XCTestCase {
    static let workload = "planted-bench.fixed-work"

    /// Exact counts: the planted workload mallocs twice per iteration, and once more with the
    /// planted allocation regression; the gate rejects the rise and names it.
    func testAllocationsAreCountedExactlyAndOneMoreIsRejected() throws {
        let base = try Command.temporaryDirectory(self)
        let regressed = try Command.temporaryDirectory(self)
        let first = try Command.run(
            "soakgate", ["bench", "--workload", Self.workload, "--bench-budget", "1s", "--out", base])
        XCTAssertEqual(first.status, 0, first.standardOutput + first.standardError)
        let report = try BenchReport.read(
            from: try Data(contentsOf: URL(fileURLWithPath: base + "/bench-report.json")), path: "bench-report.json")
        let figures = try XCTUnwrap(report.workloads.first?.figures)
        XCTAssertEqual(figures.allocationsPerIteration, 2, "\(figures.allocations)")
        XCTAssertGreaterThanOrEqual(figures.allocatedBytesPerIteration, 48 + 200)
        XCTAssertEqual(figures.unit?.name, "rounds")
        XCTAssertEqual(try XCTUnwrap(figures.perUnit?.allocations), 2.0 / 100_000, accuracy: 1e-15)
        XCTAssertTrue(figures.timing.threadCacheEnabled, "the timed run keeps the thread cache on")
        XCTAssertGreaterThan(figures.wall.median, 0)
        XCTAssertGreaterThan(figures.cpu.median, 0)
        XCTAssertGreaterThan(figures.timing.peakResidentBytes, 0)
        XCTAssertEqual(figures.timing.wallNanoseconds.count, figures.timing.cpuNanoseconds.count)
        for name in ["bench-report.html", "bench-report.junit.xml", "bench-report.md"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: base + "/" + name), name)
        }

        let second = try Command.run(
            "soakgate",
            [
                "bench", "--workload", Self.workload, "--bench-budget", "1s", "--out", regressed, "--gate",
                "--baseline",
                base + "/bench-report.json",
            ], environment: ["SOAKGATE_PLANTED_REGRESSION": "allocation"])
        XCTAssertEqual(second.status, 1, second.standardOutput + second.standardError)
        XCTAssertTrue(
            second.standardOutput.contains("allocations per iteration rose from 2 to 3 (tolerance 0)"),
            second.standardOutput)
        XCTAssertTrue(second.standardOutput.contains("gate: FAILED"), second.standardOutput)
        // The Markdown a pull request shows ends with the gate's decisions and their reasons.
        let markdown = try String(contentsOfFile: regressed + "/bench-report.md", encoding: .utf8)
        XCTAssertTrue(markdown.contains("#### Gate: ❌ failed"), markdown)
        XCTAssertTrue(markdown.contains("allocations per iteration rose from 2 to 3"), markdown)

        // The same code against itself, allocations only (time is not deterministic): no alarm.
        let policy = base + "/allocations-only.json"
        try Data(#"{"bench": {"metrics": ["allocations"]}}"#.utf8).write(to: URL(fileURLWithPath: policy))
        let same = try Command.run(
            "soakgate",
            ["gate", base + "/bench-report.json", "--policy", policy, "--baseline", base + "/bench-report.json"])
        XCTAssertEqual(same.status, 0, same.standardOutput)
        XCTAssertTrue(same.standardOutput.contains("allocations 2 → 2"), same.standardOutput)
    }

    /// Both halves in one report: the leak verdict, the bench figures, and a gate over both.
    func testCheckWithBenchPutsBothHalvesInOneReport() throws {
        let out = try Command.temporaryDirectory(self)
        let outcome = try Command.run(
            "soakgate",
            [
                "check", "--workload", Self.workload, "--bench", "--bench-budget", "1s", "--budget", "10s", "--out",
                out,
                "--gate", "--baseline", "\(out)/missing-baseline.json",
            ])
        // A missing baseline is bad input, found before anything is measured.
        XCTAssertEqual(outcome.status, 2, outcome.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/leak-report.json"))

        let checked = try Command.run(
            "soakgate",
            ["check", "--workload", Self.workload, "--bench", "--bench-budget", "1s", "--budget", "10s", "--out", out])
        XCTAssertEqual(checked.status, 0, checked.standardOutput + checked.standardError)
        let report = try LeakReport.read(
            from: try Data(contentsOf: URL(fileURLWithPath: out + "/leak-report.json")), path: "leak-report.json")
        XCTAssertEqual(report.bench?.budgetSeconds, 1)
        let workload = try XCTUnwrap(report.workloads.first)
        XCTAssertEqual(workload.verdict, .pass)
        XCTAssertEqual(workload.unit?.name, "rounds")
        XCTAssertEqual(workload.bench?.figures?.allocationsPerIteration, 2)
        let markdown = try String(contentsOfFile: out + "/leak-report.md", encoding: .utf8)
        XCTAssertTrue(markdown.contains("Benchmarks"), markdown)

        let gated = try Command.run(
            "soakgate",
            [
                "gate", out + "/leak-report.json", "--baseline", out + "/leak-report.json", "--policy",
                GateCommandTests.policy,
            ])
        XCTAssertEqual(gated.status, 0, gated.standardOutput)
        XCTAssertTrue(gated.standardOutput.contains("bench: within the policy"), gated.standardOutput)
    }

    func testBenchBadInputIsOneLineAndExitTwo() throws {
        let out = try Command.temporaryDirectory(self)
        let cases: [([String], String)] = [
            (["bench", "--workload", "no-such-*"], "no-such-*"),
            (["bench", "--bench-budget", "0s"], "--bench-budget"),
            (["bench", "--bench-budget", "forever"], "--bench-budget"),
            (["bench", "--baseline", out + "/b.json"], "--policy and --baseline go with --gate"),
            (["check", "--bench-budget", "5s"], "--bench-budget goes with --bench"),
        ]
        for (arguments, expected) in cases {
            let outcome = try Command.run("soakgate", arguments + ["--out", out])
            XCTAssertEqual(outcome.status, 2, arguments.joined(separator: " ") + "\n" + outcome.standardError)
            let lines = outcome.standardError.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, outcome.standardError)
            XCTAssertTrue(outcome.standardError.contains(expected), outcome.standardError)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out), [], "nothing written")
    }
}
