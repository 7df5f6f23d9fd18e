import Foundation
import XCTest

/// The `loto-features` executable, built beside the test bundle: exit codes and one-line errors.
final class LotoFeaturesCommandTests: XCTestCase {
    private struct Outcome {
        var status: Int32
        var standardError: String
    }

    private func run(_ arguments: [String]) throws -> Outcome {
        let bundle =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let executable = URL(fileURLWithPath: bundle).deletingLastPathComponent().appendingPathComponent(
            "loto-features")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw XCTSkip("'\(executable.path)' is not built; run 'swift build' before 'swift test'")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let errors = try temporaryDirectory(self).appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, standardError: try String(contentsOf: errors, encoding: .utf8))
    }

    func testSampleThenGenerateThenARerunThatChangesNothing() throws {
        let directory = try temporaryDirectory(self)
        let csv = directory.appendingPathComponent("draws.csv").path
        let store = directory.appendingPathComponent("f.sqlite").path
        XCTAssertEqual(try run(["sample", "--loto", "numbers4", "--draws", "120", "--out", csv]).status, 0)
        let first = try run(["generate", "--input", csv, "--store", "sqlite:\(store)", "--workers", "2"])
        XCTAssertEqual(first.status, 0, first.standardError)
        XCTAssertTrue(first.standardError.contains("4 series, 964 rows computed"), first.standardError)
        let again = try run(["generate", "--input", csv, "--store", "sqlite:\(store)"])
        XCTAssertTrue(again.standardError.contains("; 0 rows inserted or changed"), again.standardError)
    }

    func testBadCSVIsOneLineWithFileLineAndColumnAndNoStoreIsTouched() throws {
        let directory = try temporaryDirectory(self)
        let csv = directory.appendingPathComponent("bad.csv").path
        let store = directory.appendingPathComponent("f.sqlite").path
        try "loto,unique_id,ds,y\nloto6,N1,2020-01-02,3\nloto6,N1,2020-01-06,x\n".write(
            toFile: csv, atomically: true, encoding: .utf8)
        let outcome = try run(["generate", "--input", csv, "--store", "sqlite:\(store)"])
        XCTAssertEqual(outcome.status, 2)
        XCTAssertEqual(outcome.standardError, "loto-features: error: \(csv):3, column 'y': 'x' is not a number\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: store))
    }

    func testUnknownTablesSayWhatToTypeInstead() throws {
        let outcome = try run(["generate", "--input", "x.csv", "--tables", "hist,future"])
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(
            outcome.standardError.contains("unknown table 'future'; use a comma-separated subset of hist,futr,stat"),
            outcome.standardError)
    }

    func testTheDatabasePasswordNeverAppears() throws {
        let secret = "s3cr3t-\(UUID().uuidString)"
        let directory = try temporaryDirectory(self)
        let csv = directory.appendingPathComponent("draws.csv").path
        XCTAssertEqual(try run(["sample", "--loto", "loto7", "--draws", "10", "--out", csv]).status, 0)
        for arguments in [
            ["generate", "--input", csv, "--store", "postgresql://loto:\(secret)@127.0.0.1:1/loto?connect_timeout=2"],
            ["generate", "--input", "postgresql://loto:\(secret)@127.0.0.1:1/loto?connect_timeout=2"],
        ] {
            let outcome = try run(arguments)
            XCTAssertEqual(outcome.status, 1)
            XCTAssertTrue(outcome.standardError.contains("127.0.0.1:1/loto"), outcome.standardError)
            XCTAssertFalse(outcome.standardError.contains(secret), outcome.standardError)
        }
    }
}
