import CommandTestSupport
import Foundation
import SoakGate
import XCTest

/// A soak survives `kill -9`: what was read is on disk, `--resume` goes on from it, and the
/// report joins both processes into one timeline.
final class ResumedSoakTests: XCTestCase {
    func testSoakKilledWithSigkillResumesIntoOneReportWithNoSampleLost() throws {
        let out = try Command.temporaryDirectory(self) + "/soak"
        let first = try RunningCommand(
            "soakgate",
            [
                "soak", "--workload", "planted-soak.slow-leak", "--duration", "45s", "--interval", "1s",
                "--warmup", "10", "--out", out,
            ])
        let samplesPath = out + "/samples.jsonl"
        // Killed 30 s in, as the acceptance asks.
        XCTAssertTrue(first.waitUntil(seconds: 60) { Self.lines(samplesPath).count >= 30 }, first.standardErrorSoFar)
        first.signal(SIGKILL)
        _ = try first.wait()
        // The child notices its parent is gone at its next reading; wait for it, then keep what is on disk.
        Thread.sleep(forTimeInterval: 1.5)
        let beforeResume = Self.lines(samplesPath).filter { $0.hasSuffix("}") }
        XCTAssertGreaterThanOrEqual(beforeResume.count, 30)

        // A report from a killed soak is possible at any moment, and says it is incomplete.
        let interim = try Command.run("soakgate", ["report", out])
        XCTAssertNotEqual(interim.status, 2, interim.standardError)
        XCTAssertTrue(interim.standardOutput.contains("planted-soak.slow-leak"))
        let partial = try SoakReport.read(
            from: try Data(contentsOf: URL(fileURLWithPath: out + "/soak-report.json")), path: "report")
        XCTAssertTrue(partial.state.hasPrefix("incomplete"), partial.state)
        XCTAssertEqual(partial.workloads.first?.readings, beforeResume.count)

        let resumed = try Command.run("soakgate", ["soak", "--resume", out])
        XCTAssertEqual(
            resumed.status, 1, "the slow leak is still a leak: \(resumed.standardOutput)\n\(resumed.standardError)")

        let after = Self.lines(samplesPath)
        XCTAssertEqual(
            Array(after.prefix(beforeResume.count)), beforeResume,
            "every reading before the kill is still there, unchanged")
        let decoder = JSONDecoder()
        let samples = try after.map { try decoder.decode(SoakSample.self, from: Data($0.utf8)) }
        XCTAssertEqual(Set(samples.map(\.segment)), [0, 1])
        for (earlier, later) in zip(samples, samples.dropFirst()) {
            XCTAssertLessThanOrEqual(
                earlier.elapsedSeconds, later.elapsedSeconds, "soak time runs on across the resume")
            XCTAssertLessThanOrEqual(earlier.iterations, later.iterations, "iterations run on across the resume")
        }
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(samples.last).elapsedSeconds, 44)

        let report = try SoakReport.read(
            from: try Data(contentsOf: URL(fileURLWithPath: out + "/soak-report.json")), path: "report")
        let workload = try XCTUnwrap(report.workloads.first)
        XCTAssertEqual(workload.readings, samples.count)
        XCTAssertEqual(workload.segments.map(\.segment), [0, 1])
        XCTAssertEqual(workload.verdict, .leak, workload.evidence)
        XCTAssertEqual(report.state, "finished")
        XCTAssertTrue(report.events.contains { $0.kind == .resumed })
        // Joined, not restarted: retained bytes keep climbing through the resume.
        let joinedAt = try XCTUnwrap(
            workload.timeline.firstIndex { $0.elapsedSeconds >= workload.segments[1].fromSeconds })
        XCTAssertGreaterThan(workload.timeline[joinedAt].retainedBytes, workload.timeline[joinedAt / 2].retainedBytes)
    }

    func testSigtermEndsTheSoakCleanlyWithAReport() throws {
        let out = try Command.temporaryDirectory(self) + "/soak"
        let soak = try RunningCommand(
            "soakgate",
            [
                "soak", "--workload", "planted-soak.paced-clean", "--duration", "10m", "--interval", "500ms",
                "--warmup", "10", "--out", out,
            ])
        XCTAssertTrue(
            soak.waitUntil(seconds: 30) { Self.lines(out + "/samples.jsonl").count >= 10 }, soak.standardErrorSoFar)
        soak.signal(SIGTERM)
        let outcome = try soak.wait()
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        let report = try SoakReport.read(
            from: try Data(contentsOf: URL(fileURLWithPath: out + "/soak-report.json")), path: "report")
        XCTAssertEqual(report.state, "stopped: SIGTERM received")
        XCTAssertEqual(report.workloads.first?.verdict, .pass, report.workloads.first?.evidence ?? "no workload")
        let samples = Self.lines(out + "/samples.jsonl")
        XCTAssertTrue(
            samples.last?.contains("\"kind\":\"end\"") == true, "the process took its last reading before it stopped")
    }

    func testAnAlertWarnsCountsAndWithStopOnAlertEndsTheSoak() throws {
        let out = try Command.temporaryDirectory(self) + "/soak"
        let outcome = try Command.run(
            "soakgate",
            [
                "soak", "--workload", "planted-soak.slow-leak", "--duration", "5m", "--interval", "500ms", "--warmup",
                "10",
                "--alert-live-bytes", "16KiB", "--stop-on-alert", "--out", out,
            ])
        XCTAssertEqual(outcome.status, 1, outcome.standardError)
        XCTAssertTrue(
            outcome.standardError.contains("soakgate: warning: planted-soak.slow-leak holds"), outcome.standardError)
        let report = try SoakReport.read(
            from: try Data(contentsOf: URL(fileURLWithPath: out + "/soak-report.json")), path: "report")
        XCTAssertTrue(report.state.hasPrefix("stopped: stopped on alert: planted-soak.slow-leak holds"), report.state)
        XCTAssertEqual(report.events.filter { $0.kind == .alert }.count, 1)
        XCTAssertLessThan(report.workloads[0].durationSeconds, 60, "the soak ended at the alert, not after 5 minutes")
    }

    static func lines(_ path: String) -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }
}
