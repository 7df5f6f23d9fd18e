import Foundation
import XCTest

@testable import SoakGate

final class GateTests: XCTestCase {
    private func result(_ name: String, _ verdict: Verdict, _ growth: GrowthClass, rate: Double?) -> WorkloadResult {
        WorkloadResult(
            name: name, summary: "", verdict: verdict, growth: growth, bytesPerIteration: rate,
            bytesPerIterationLowerBound: nil, evidence: nil, ladder: [], samples: [], windows: [], fits: nil,
            theilSen: nil, seedRule: nil, sizeClasses: [], iterationsRun: 0, durationSeconds: 0, jemallocVersion: nil,
            failure: verdict == .crashed
                ? Failure(
                    reason: "killed by signal 11 (SIGSEGV)", exitStatus: nil, signal: 11, timedOut: false,
                    outputTail: [], seconds: 0) : nil)
    }

    private func report(_ workloads: [WorkloadResult]) throws -> LeakReport {
        LeakReport(
            tool: .init(name: "soakgate", version: "test"), startedAt: "2026-11-22T00:00:00Z",
            host: .init(operatingSystem: "Linux", processorCount: 2, physicalMemoryBytes: 1),
            mallocConf: "tcache:false",
            plan: try MeasurementPlan(), workloads: workloads)
    }

    private func policy(_ json: String) throws -> GatePolicy {
        try GatePolicy.read(from: Data(json.utf8), path: "policy.json")
    }

    func testWithoutAPolicyNothingMayLeak() throws {
        let decisions = Gate.evaluate(
            try report([result("a", .pass, .none, rate: 0), result("b", .leak, .linear, rate: 16)]),
            policy: GatePolicy())
        XCTAssertEqual(decisions.map(\.outcome), [.accepted, .rejected])
        XCTAssertEqual(Gate.exitCode(decisions), 1)
    }

    func testExpectedLeaksPassAndAMissingOneFails() throws {
        let policy = try policy(#"{"workloads": [{"match": "planted.leak.*", "expect": "leak"}]}"#)
        let decisions = Gate.evaluate(
            try report([
                result("planted.leak.c-heap", .leak, .linear, rate: 16),
                result("planted.leak.quadratic", .pass, .none, rate: 0),
            ]), policy: policy)
        XCTAssertEqual(decisions.map(\.outcome), [.expectedLeak, .rejected])
        XCTAssertEqual(decisions[1].reason, "the policy expects a leak and none was found")
    }

    func testToleranceAndGrowthClassesApplyPerWorkload() throws {
        let policy = try policy(
            #"{"workloads": [{"match": "parser.*", "toleratedBytesPerIteration": 4, "allowedGrowth": ["none", "linear"]}]}"#
        )
        let decisions = Gate.evaluate(
            try report([
                result("parser.small", .leak, .linear, rate: 3),
                result("parser.big", .leak, .linear, rate: 5),
                result("parser.curve", .leak, .superlinear, rate: 1),
                result("other", .leak, .linear, rate: 1),
            ]), policy: policy)
        XCTAssertEqual(decisions.map(\.outcome), [.accepted, .rejected, .rejected, .rejected])
    }

    func testSlopeThatRoseOverTheBaselineIsARegression() throws {
        let policy = try policy(
            #"{"toleratedBytesPerIteration": 8, "allowedGrowth": ["none", "linear"], "baseline": {"relativeTolerance": 0.1, "absoluteToleranceBytesPerIteration": 1}}"#
        )
        let baseline = try report([result("a", .leak, .linear, rate: 2), result("b", .leak, .linear, rate: 2)])
        let decisions = Gate.evaluate(
            try report([result("a", .leak, .linear, rate: 3.3), result("b", .leak, .linear, rate: 3.1)]),
            policy: policy, baseline: baseline)
        XCTAssertEqual(decisions.map(\.outcome), [.rejected, .accepted], "the limit is 2 × 1.1 + 1 = 3.2")
        XCTAssertTrue(decisions[0].reason.contains("slope rose"), decisions[0].reason)
    }

    func testCrashWinsTheExitCode() throws {
        let decisions = Gate.evaluate(
            try report([result("a", .leak, .linear, rate: 1), result("b", .crashed, .none, rate: nil)]),
            policy: GatePolicy())
        XCTAssertEqual(Gate.exitCode(decisions), 3)
    }

    func testBadPoliciesAreRefusedByName() {
        let cases: [(String, String)] = [
            (#"{"tolerance": 1}"#, "unknown key 'tolerance' in the top level"),
            (#"{"workloads": [{"match": "x", "tolerate": 1}]}"#, "unknown key 'tolerate' in workloads[0]"),
            (#"{"workloads": [{"expect": "leak"}]}"#, "workloads[0] has no \"match\" pattern"),
            (#"{"workloads": [{"match": "x", "expect": "maybe"}]}"#, "workloads[0].expect is 'maybe'"),
            (#"{"allowedGrowth": ["sideways"]}"#, "bad value at allowedGrowth"),
            (#"{"toleratedBytesPerIteration": -1}"#, "out of range"),
            (#"{"baseline": {"relative": 1}}"#, "unknown key 'relative' in baseline"),
            ("[1, 2]", "is not a JSON object"),
            ("{", "is not a JSON object"),
        ]
        for (json, expected) in cases {
            XCTAssertThrowsError(try policy(json), json) { error in
                XCTAssertTrue(String(describing: error).contains(expected), "\(json): \(error)")
                XCTAssertTrue(String(describing: error).hasPrefix("policy 'policy.json' "), "\(error)")
            }
        }
    }

    func testShippedPolicyReads() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("ci/soakgate-policy.json").path
        let policy = try GatePolicy.read(from: try InputFile.read(path, what: "policy"), path: path)
        XCTAssertEqual(policy.rule(for: "planted.leak.c-heap").expect, .leak)
        XCTAssertEqual(policy.rule(for: "planted.clean.task-group").expect, .pass)
    }
}
