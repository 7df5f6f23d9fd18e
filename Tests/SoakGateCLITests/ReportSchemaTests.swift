import CommandTestSupport
import Foundation
import SoakGate
import XCTest

/// Real reports, from the real executables, validate against the committed JSON Schema
/// (checked by Python's jsonschema, a dev tool installed by ci/install-deps.sh).
final class ReportSchemaTests: XCTestCase {
    static let schemas = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("reports/schema")
    static let schema = schemas.appendingPathComponent("leak-report.schema.json").path
    static let soakSchema = schemas.appendingPathComponent("soak-report.schema.json").path
    static let benchSchema = schemas.appendingPathComponent("bench-report.schema.json").path

    /// Validates `report` against `schema`; the soak and bench schemas take shared shapes from the
    /// leak report's, which is registered by its `$id` so nothing is fetched.
    private func validate(_ report: String, schema: String = ReportSchemaTests.schema) throws -> Command.Outcome {
        let script = """
            import json, sys, jsonschema, referencing
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            shared = json.load(open(sys.argv[3]))
            registry = referencing.Registry().with_resource(shared["$id"], referencing.Resource.from_contents(shared))
            validator = jsonschema.Draft202012Validator(schema, registry=registry, format_checker=jsonschema.FormatChecker())
            validator.validate(json.load(open(sys.argv[2])))
            print("valid")
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, schema, report, Self.schema]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Command.Outcome(status: process.terminationStatus, standardOutput: output, standardError: "")
    }

    func testPlantedReportMatchesTheSchema() throws {
        let out = try Command.temporaryDirectory(self)
        // Leaks linear, superlinear and sublinear, and passes by each rule; the fixtures' report
        // below has the crashes and an inconclusive workload (slower than its budget).
        _ = try Command.run(
            "soakgate",
            [
                "check", "--workload", "planted.leak.c-heap", "planted.leak.quadratic", "planted.leak.sublinear",
                "planted.leak.observer-list", "planted.leak.parent-child-cycle",
                "planted.clean.*", "--budget", "20", "--jobs", "2", "--out", out,
            ])
        let outcome = try validate(out + "/leak-report.json")
        XCTAssertEqual(outcome.status, 0, outcome.standardOutput)
    }

    func testCrashReportMatchesTheSchema() throws {
        let out = try Command.temporaryDirectory(self)
        _ = try Command.run(
            "soakgate-fixtures",
            ["check", "--workload", "fixture.*", "--budget", "1", "--timeout", "3", "--jobs", "2", "--out", out])
        let outcome = try validate(out + "/leak-report.json")
        XCTAssertEqual(outcome.status, 0, outcome.standardOutput)
        let path = out + "/leak-report.json"
        let report = try LeakReport.read(from: Data(contentsOf: URL(fileURLWithPath: path)), path: path)
        let slow = try XCTUnwrap(report.workloads.first { $0.name == "fixture.slow-iteration" })
        XCTAssertEqual(slow.verdict, .inconclusive, slow.evidenceSummary ?? slow.failure?.reason ?? "")
        XCTAssertEqual(report.exitCode, 3, "a crash wins over an inconclusive workload")
    }

    func testSoakReportMatchesItsSchema() throws {
        let out = try Command.temporaryDirectory(self) + "/soak"
        let soak = try Command.run(
            "soakgate",
            [
                "soak", "--workload", "planted-soak.slow-leak", "planted-soak.paced-clean", "--duration", "4s",
                "--interval", "200ms",
                "--warmup", "0", "--out", out,
            ])
        XCTAssertNotEqual(soak.status, 2, soak.standardError)
        let outcome = try validate(out + "/soak-report.json", schema: Self.soakSchema)
        XCTAssertEqual(outcome.status, 0, outcome.standardOutput)
        let broken = out + "/broken.json"
        try Data(#"{"schemaVersion": 1, "kind": "soak", "workloads": [{"name": "x", "verdict": "leaky"}]}"#.utf8).write(
            to: URL(fileURLWithPath: broken))
        XCTAssertNotEqual(try validate(broken, schema: Self.soakSchema).status, 0)
    }

    /// A shard's report and the merged report keep to the leak schema; so do sharded soaks.
    func testShardAndMergedReportsMatchTheSchema() throws {
        let root = try Command.temporaryDirectory(self)
        var paths: [String] = []
        for index in 1...2 {
            let out = root + "/shard-\(index)"
            let check = try Command.run(
                "soakgate",
                [
                    "check", "--workload", "planted.clean.one-off-init", "planted.clean.thread-once", "--budget", "5",
                    "--shard", "\(index)/2", "--out", out,
                ])
            XCTAssertEqual(check.status, 0, check.standardError)
            paths.append(out + "/leak-report.json")
        }
        let shard = try validate(paths[0])
        XCTAssertEqual(shard.status, 0, shard.standardOutput)
        let merge = try Command.run("soakgate", ["merge"] + paths + ["--out", root + "/merged"])
        XCTAssertEqual(merge.status, 0, merge.standardError)
        let merged = try validate(root + "/merged/leak-report.json")
        XCTAssertEqual(merged.status, 0, merged.standardOutput)
    }

    func testBenchReportMatchesItsSchema() throws {
        let out = try Command.temporaryDirectory(self)
        let bench = try Command.run(
            "soakgate", ["bench", "--workload", "planted-bench.fixed-work", "--bench-budget", "1s", "--out", out])
        XCTAssertEqual(bench.status, 0, bench.standardOutput + bench.standardError)
        let path = out + "/bench-report.json"
        let outcome = try validate(path, schema: Self.benchSchema)
        XCTAssertEqual(outcome.status, 0, outcome.standardOutput)

        // The real report with one field broken, so the schema refuses it for that field alone
        // (rewritten unchanged, it still passes).
        let report = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        func rewritten(_ object: [String: Any]) throws -> String {
            let copy = out + "/rewritten.json"
            try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: copy))
            return copy
        }
        XCTAssertEqual(try validate(rewritten(report), schema: Self.benchSchema).status, 0)

        var leakKind = report
        leakKind["kind"] = "leak"
        XCTAssertNotEqual(try validate(rewritten(leakKind), schema: Self.benchSchema).status, 0, "kind \"leak\"")

        var workloads = try XCTUnwrap(report["workloads"] as? [[String: Any]])
        var figures = try XCTUnwrap(workloads.first?["figures"] as? [String: Any])
        var allocations = try XCTUnwrap(figures["allocations"] as? [String: Any])
        allocations["iterationsPerBlock"] = -1
        figures["allocations"] = allocations
        workloads[0]["figures"] = figures
        var negativeBlock = report
        negativeBlock["workloads"] = workloads
        XCTAssertNotEqual(
            try validate(rewritten(negativeBlock), schema: Self.benchSchema).status, 0, "a negative iterationsPerBlock")
    }

    func testCheckWithBenchMatchesTheSchema() throws {
        let out = try Command.temporaryDirectory(self)
        let check = try Command.run(
            "soakgate",
            [
                "check", "--workload", "planted-bench.fixed-work", "--bench", "--bench-budget", "1s", "--budget", "10s",
                "--out", out,
            ])
        XCTAssertEqual(check.status, 0, check.standardOutput + check.standardError)
        let path = out + "/leak-report.json"
        let outcome = try validate(path)
        XCTAssertEqual(outcome.status, 0, outcome.standardOutput)
        // Not valid by leaving the new fields out: the report has them.
        let report = try LeakReport.read(from: Data(contentsOf: URL(fileURLWithPath: path)), path: path)
        XCTAssertNotNil(report.bench)
        XCTAssertNotNil(report.workloads.first?.unit)
        XCTAssertNotNil(report.workloads.first?.bench?.figures)
    }

    func testSchemaRejectsAReportThatBreaksIt() throws {
        let out = try Command.temporaryDirectory(self)
        let broken = out + "/broken.json"
        try Data(#"{"schemaVersion": 1, "workloads": [{"name": "x", "verdict": "maybe"}]}"#.utf8).write(
            to: URL(fileURLWithPath: broken))
        XCTAssertNotEqual(try validate(broken).status, 0)
    }
}
