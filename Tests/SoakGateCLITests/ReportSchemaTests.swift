import CommandTestSupport
import Foundation
import XCTest

/// Real reports, from the real executables, validate against the committed JSON Schema
/// (checked by Python's jsonschema, a dev tool installed by ci/install-deps.sh).
final class ReportSchemaTests: XCTestCase {
    static let schema = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("reports/schema/leak-report.schema.json").path

    private func validate(_ report: String) throws -> Command.Outcome {
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            jsonschema.validate(json.load(open(sys.argv[2])), schema, format_checker=jsonschema.FormatChecker())
            print("valid")
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, Self.schema, report]
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
        _ = try Command.run("soakgate", ["check", "--workload", "planted.*", "governor.*", "--jobs", "2", "--out", out])
        let outcome = try validate(out + "/leak-report.json")
        XCTAssertEqual(outcome.status, 0, outcome.standardOutput)
    }

    func testCrashReportMatchesTheSchema() throws {
        let out = try Command.temporaryDirectory(self)
        _ = try Command.run("soakgate-fixtures", ["check", "--workload", "fixture.*", "--timeout", "3", "--jobs", "2", "--out", out])
        let outcome = try validate(out + "/leak-report.json")
        XCTAssertEqual(outcome.status, 0, outcome.standardOutput)
    }

    func testSchemaRejectsAReportThatBreaksIt() throws {
        let out = try Command.temporaryDirectory(self)
        let broken = out + "/broken.json"
        try Data(#"{"schemaVersion": 1, "workloads": [{"name": "x", "verdict": "maybe"}]}"#.utf8).write(to: URL(fileURLWithPath: broken))
        XCTAssertNotEqual(try validate(broken).status, 0)
    }
}
