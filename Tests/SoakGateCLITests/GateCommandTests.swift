import CommandTestSupport
import Foundation
import SoakGate
import XCTest

/// The merge gate through the real executable, on a real report of the planted cases.
final class GateCommandTests: XCTestCase {
    static let policy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("ci/soakgate-policy.json").path

    func testShippedPolicyPassesThePlantedCasesAndNoPolicyFailsThem() throws {
        let out = try Command.temporaryDirectory(self)
        let checked = try Command.run(
            "soakgate",
            [
                "check", "--workload", "planted.leak.c-heap", "planted.leak.retain-cycle", "planted.clean.one-off-init",
                "planted.clean.lru-1k-every-8", "--jobs", "2", "--gate", "--policy", Self.policy, "--out", out,
            ])
        XCTAssertEqual(checked.status, 0, checked.standardOutput + checked.standardError)
        XCTAssertTrue(checked.standardOutput.contains("gate: passed"))
        let report = out + "/leak-report.json"
        let withPolicy = try Command.run("soakgate", ["gate", report, "--policy", Self.policy])
        XCTAssertEqual(withPolicy.status, 0, withPolicy.standardOutput)
        let without = try Command.run("soakgate", ["gate", report])
        XCTAssertEqual(without.status, 1, without.standardOutput)
        XCTAssertTrue(without.standardOutput.contains("gate: FAILED"))
        let asBaseline = try Command.run("soakgate", ["gate", report, "--policy", Self.policy, "--baseline", report])
        XCTAssertEqual(asBaseline.status, 0, "a report is no regression of itself\n\(asBaseline.standardOutput)")
    }

    func testBadInputIsOneLineAndExitTwoAndChangesNothing() throws {
        let directory = try Command.temporaryDirectory(self)
        let truncated = directory + "/truncated.json"
        let newer = directory + "/newer.json"
        let policy = directory + "/policy.json"
        try Data(#"{"schemaVersion": 1, "workloads": ["#.utf8).write(to: URL(fileURLWithPath: truncated))
        try Data(#"{"schemaVersion": 3, "workloads": []}"#.utf8).write(to: URL(fileURLWithPath: newer))
        try Data(#"{"workloads": [{"match": "x", "tolerate": 1}]}"#.utf8).write(to: URL(fileURLWithPath: policy))
        let cases: [([String], String)] = [
            (["gate", directory + "/missing.json"], "does not exist"),
            (["gate", truncated], "is not valid JSON"),
            (["gate", newer], "schemaVersion 3, newer than"),
            (["gate", newer, "--policy", policy], "schemaVersion 3"),
            (["gate", Self.policy, "--policy", Self.policy], "not a SoakGate leak report"),
            (
                [
                    "check", "--workload", "planted.clean.one-off-init", "--gate", "--policy", policy, "--out",
                    directory,
                ], "unknown key 'tolerate' in workloads[0]"
            ),
            (["check", "--policy", Self.policy, "--out", directory], "go with --gate"),
        ]
        for (arguments, expected) in cases {
            let outcome = try Command.run("soakgate", arguments)
            XCTAssertEqual(outcome.status, 2, "\(arguments): \(outcome.standardError)")
            XCTAssertEqual(outcome.standardError.split(separator: "\n").count, 1, outcome.standardError)
            XCTAssertTrue(outcome.standardError.contains(expected), "\(arguments): \(outcome.standardError)")
        }
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: directory + "/leak-report.json"),
            "a bad policy stops check before it measures")
    }
}
