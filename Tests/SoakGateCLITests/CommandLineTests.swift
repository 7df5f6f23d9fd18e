import CommandTestSupport
import Foundation
import SoakGate
import XCTest

/// Bad input, isolation and exit codes of the command line.
final class CommandLineTests: XCTestCase {
    private func assertOneLineError(
        _ outcome: Command.Outcome, mentions text: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(outcome.status, 2, outcome.standardError, file: file, line: line)
        let lines = outcome.standardError.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "one line: \(outcome.standardError)", file: file, line: line)
        XCTAssertTrue(
            outcome.standardError.contains(text), "\(outcome.standardError) should mention \(text)", file: file,
            line: line)
    }

    func testUnknownWorkloadIsOneLineAndExitTwo() throws {
        let outcome = try Command.run(
            "soakgate", ["check", "--workload", "planted.leek", "--out", try Command.temporaryDirectory(self)])
        assertOneLineError(outcome, mentions: "'planted.leek'")
        XCTAssertTrue(outcome.standardError.contains("soakgate list"))
    }

    func testMalformedIterationsIsOneLineAndExitTwo() throws {
        for ladder in ["1,ten,100", "100,10", "5"] {
            let outcome = try Command.run(
                "soakgate", ["check", "--iterations", ladder, "--out", try Command.temporaryDirectory(self)])
            assertOneLineError(outcome, mentions: "1,10,100,1000")
        }
    }

    func testUnwritableOutIsOneLineAndExitTwo() throws {
        let directory = try Command.temporaryDirectory(self)
        _ = FileManager.default.createFile(atPath: directory + "/file", contents: Data("x".utf8))
        let outcome = try Command.run(
            "soakgate", ["check", "--workload", "planted.clean.one-off-init", "--out", directory + "/file/reports"])
        assertOneLineError(outcome, mentions: "--out '\(directory)/file/reports'")
    }

    func testUnknownOptionIsOneLineAndExitTwo() throws {
        let outcome = try Command.run("soakgate", ["check", "--iteratons", "1,10"])
        assertOneLineError(outcome, mentions: "--iteratons")
    }

    func testHelpExplainsExitCodes() throws {
        let outcome = try Command.run("soakgate", ["check", "--help"])
        XCTAssertEqual(outcome.status, 0)
        XCTAssertTrue(
            outcome.standardOutput.hasPrefix("OVERVIEW: Measures workloads"),
            "the check command's own help: \(outcome.standardOutput)")
        for text in ["Exit codes", "--iterations", "--gate", "--policy", "--no-sites"] {
            XCTAssertTrue(outcome.standardOutput.contains(text), text)
        }
        let root = try Command.run("soakgate", ["--help"])
        XCTAssertTrue(root.standardOutput.contains("gate"))
        XCTAssertFalse(root.standardOutput.contains("_measure"), "the measuring subcommand is hidden")
    }

    func testListMarksPlantedLeaksAsOnlyWhenNamed() throws {
        let outcome = try Command.run("soakgate", ["list"])
        XCTAssertEqual(outcome.status, 0)
        let leakLines = outcome.standardOutput.split(separator: "\n").filter { $0.hasPrefix("planted.leak.") }
        XCTAssertEqual(leakLines.count, 12)
        XCTAssertTrue(leakLines.allSatisfy { $0.hasSuffix("(only when named)") })
    }

    func testDefaultRunMeasuresOnlyWhatRunsByDefault() throws {
        let out = try Command.temporaryDirectory(self)
        let outcome = try Command.run("soakgate-fixtures", ["check", "--out", out])
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        let report = try LeakReport.read(
            from: Data(contentsOf: URL(fileURLWithPath: out + "/leak-report.json")), path: out)
        XCTAssertEqual(report.workloads.map(\.name), ["fixture.clean", "fixture.counting"])
        XCTAssertTrue(report.workloads.allSatisfy { $0.verdict == .pass })
    }

    func testCrashIsAVerdictAndDoesNotSpoilTheOthers() throws {
        let out = try Command.temporaryDirectory(self)
        let outcome = try Command.run(
            "soakgate-fixtures", ["check", "--workload", "fixture.crash", "fixture.clean", "--out", out])
        XCTAssertEqual(outcome.status, 3, outcome.standardError)
        let report = try LeakReport.read(
            from: Data(contentsOf: URL(fileURLWithPath: out + "/leak-report.json")), path: out)
        let crashed = try XCTUnwrap(report.workloads.first { $0.name == "fixture.crash" })
        XCTAssertEqual(crashed.verdict, .crashed)
        let failure = try XCTUnwrap(crashed.failure)
        XCTAssertNotNil(failure.signal, failure.reason)
        XCTAssertTrue(failure.reason.contains("killed by signal"), failure.reason)
        XCTAssertTrue(
            failure.outputTail.joined(separator: "\n").contains("traps on iteration 50"), "\(failure.outputTail)")
        XCTAssertEqual(report.workloads.first { $0.name == "fixture.clean" }?.verdict, .pass)
    }

    func testTimeoutIsAVerdict() throws {
        let out = try Command.temporaryDirectory(self)
        let outcome = try Command.run(
            "soakgate-fixtures", ["check", "--workload", "fixture.hang", "--timeout", "2", "--out", out])
        XCTAssertEqual(outcome.status, 3, outcome.standardError)
        let report = try LeakReport.read(
            from: Data(contentsOf: URL(fileURLWithPath: out + "/leak-report.json")), path: out)
        let failure = try XCTUnwrap(report.workloads.first?.failure)
        XCTAssertTrue(failure.timedOut)
        XCTAssertTrue(failure.reason.contains("timed out after 2 s"), failure.reason)
    }

    func testThrownErrorIsACrashedVerdict() throws {
        let out = try Command.temporaryDirectory(self)
        let outcome = try Command.run("soakgate-fixtures", ["check", "--workload", "fixture.throws", "--out", out])
        XCTAssertEqual(outcome.status, 3)
        let report = try LeakReport.read(
            from: Data(contentsOf: URL(fileURLWithPath: out + "/leak-report.json")), path: out)
        XCTAssertEqual(report.workloads.first?.failure?.reason, "the workload threw: fixture failure on purpose")
    }

    func testAnotherAllocatorIsAConfigurationErrorAndTheOldReportSurvives() throws {
        let debugMalloc = "/usr/lib/x86_64-linux-gnu/libc_malloc_debug.so.0"
        guard FileManager.default.fileExists(atPath: debugMalloc) else {
            throw XCTSkip("glibc's malloc debug library is not here")
        }
        let out = try Command.temporaryDirectory(self)
        let path = out + "/leak-report.json"
        try Data("previous report".utf8).write(to: URL(fileURLWithPath: path))
        let outcome = try Command.run(
            "soakgate-fixtures", ["check", "--workload", "fixture.clean", "--out", out],
            environment: ["LD_PRELOAD": debugMalloc])
        assertOneLineError(outcome, mentions: "is not this process's malloc")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "previous report")
    }

    func testMeasuringProcessRefusesTheThreadCache() throws {
        let out = try Command.temporaryDirectory(self)
        let plan = String(decoding: try JSONEncoder().encode(try MeasurementPlan()), as: UTF8.self)
        let outcome = try Command.run(
            "soakgate-fixtures",
            ["_measure", "--workload", "fixture.clean", "--plan", plan, "--result", out + "/result.json"],
            environment: ["MALLOC_CONF": "tcache:true"])
        XCTAssertEqual(outcome.status, 0)
        let result = try JSONDecoder().decode(
            ChildResult.self, from: Data(contentsOf: URL(fileURLWithPath: out + "/result.json")))
        guard case .configurationError(let message) = result else {
            return XCTFail("expected a refusal, got \(result)")
        }
        XCTAssertTrue(message.contains("thread cache is on"), message)
    }

    func testHostileWorkloadNameIsEscapedInEveryReport() throws {
        let out = try Command.temporaryDirectory(self)
        let outcome = try Command.run(
            "soakgate-fixtures", ["check", "--workload", "<script>alert(1)</script>", "--out", out])
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        let html = try String(contentsOfFile: out + "/leak-report.html", encoding: .utf8)
        XCTAssertFalse(html.contains("<script>"))
        XCTAssertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        XCTAssertFalse(html.contains("<b>bold</b>"))
        let junit = try String(contentsOfFile: out + "/leak-report.junit.xml", encoding: .utf8)
        XCTAssertTrue(junit.contains("name=\"&lt;script&gt;alert(1)&lt;/script&gt;\""))
        let markdown = try String(contentsOfFile: out + "/leak-report.md", encoding: .utf8)
        XCTAssertFalse(markdown.contains("<script>"))
    }
}
