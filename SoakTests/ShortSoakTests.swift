import CommandTestSupport
import Foundation
import SoakGate
import XCTest

/// Short soaks of the real `soakgate soak`: each workload in its own process, readings on disk,
/// the live page served. Their length comes from `SOAKGATE_SOAK_SECONDS` (default 120; the step
/// workload takes its 4 MiB 20 s in, so less than 35 leaves the step unseen). The nightly job
/// runs the 24-hour version with `ci/nightly-soak.sh`.
final class ShortSoakTests: XCTestCase {
    static var soakSeconds: Int {
        Int(ProcessInfo.processInfo.environment["SOAKGATE_SOAK_SECONDS"] ?? "") ?? 120
    }

    func testShortSoakFlagsTheSlowLeakPassesCleanWorkAndFindsTheStep() throws {
        let out = try Command.temporaryDirectory(self) + "/soak"
        let seconds = Self.soakSeconds
        var arguments = [
            "soak", "--workload", "planted-soak.slow-leak", "planted-soak.paced-clean", "planted-soak.step",
            "--duration", "\(seconds)s", "--interval", "1s", "--warmup", "10", "--out", out,
        ]
        #if LivePage
        arguments += ["--listen", "127.0.0.1:0"]
        #endif
        let soak = try RunningCommand("soakgate", arguments)
        #if LivePage
        // While it runs: the live page, its data and /metrics answer.
        var port: Int?
        XCTAssertTrue(
            soak.waitUntil(seconds: 30) {
                port = Self.livePort(in: soak.standardErrorSoFar)
                return port != nil
            }, "the soak never printed its live address: \(soak.standardErrorSoFar)")
        let base = "http://127.0.0.1:\(try XCTUnwrap(port))"
        XCTAssertTrue(
            soak.waitUntil(seconds: 20) {
                (try? Self.get(base + "/metrics"))?.contains(
                    "soakgate_soak_samples_total{workload=\"planted-soak.slow-leak\"}") == true
            }, "no readings reached /metrics")
        let metrics = try Self.get(base + "/metrics")
        XCTAssertTrue(metrics.contains("soakgate_soak_live_bytes{workload=\"planted-soak.paced-clean\"}"), metrics)
        XCTAssertTrue(try Self.get(base + "/").contains("SoakGate live soak"))
        let timeline =
            try JSONSerialization.jsonObject(with: Data(try Self.get(base + "/timeline.json").utf8)) as? [String: Any]
        XCTAssertEqual((timeline?["workloads"] as? [Any])?.count, 3)
        #endif

        let outcome = try soak.wait()
        XCTAssertEqual(outcome.status, 1, "a leak was soaked: \(outcome.standardOutput)\n\(outcome.standardError)")
        let report = try SoakReport.read(
            from: try Data(contentsOf: URL(fileURLWithPath: out + "/soak-report.json")), path: "soak-report.json")
        XCTAssertEqual(report.state, "finished")
        let leak = try XCTUnwrap(report.workloads.first { $0.name == "planted-soak.slow-leak" })
        XCTAssertEqual(leak.verdict, .leak, leak.evidence)
        // 48 B per ~10 ms iteration is about 16 MiB/h; the bound must sit well above zero.
        XCTAssertGreaterThan(try XCTUnwrap(leak.bytesPerHourLowerBound), 4 * 1_048_576, leak.evidence)
        XCTAssertGreaterThan(leak.readings, seconds / 2)
        let clean = try XCTUnwrap(report.workloads.first { $0.name == "planted-soak.paced-clean" })
        XCTAssertEqual(clean.verdict, .pass, clean.evidence)
        XCTAssertTrue(clean.steps.isEmpty, "\(clean.steps)")
        let stepped = try XCTUnwrap(report.workloads.first { $0.name == "planted-soak.step" })
        if seconds >= 35 {
            let step = try XCTUnwrap(stepped.steps.first, stepped.evidence)
            XCTAssertEqual(Double(step.bytes), 4 * 1_048_576, accuracy: 256 * 1024)
            XCTAssertTrue(
                (10...40).contains(step.toSeconds), "the step came 20 s into the process, not at \(step.toSeconds) s")
        }
        XCTAssertFalse(leak.checkpoints.isEmpty, "checkpoints were taken")
        let html = try String(contentsOfFile: out + "/soak-report.html", encoding: .utf8)
        XCTAssertTrue(html.contains("<svg") && html.contains("planted-soak.slow-leak"))
    }

    static func livePort(in text: String) -> Int? {
        guard let range = text.range(of: "live page http://127.0.0.1:") else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }

    static func get(_ url: String) throws -> String {
        // curl is in every CI image; a test-side HTTP client is not what is under test.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-sf", "--max-time", "5", url]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw URLError(.badServerResponse) }
        return String(decoding: data, as: UTF8.self)
    }
}
