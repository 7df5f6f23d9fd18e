import Foundation
import SoakGateBasics
import XCTest

@testable import SoakGate

final class ReportFileTests: XCTestCase {
    private func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("soakgate-test-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testAtomicWriteReplacesWholeAndLeavesNoTemporaryFile() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/leak-report.json"
        try AtomicFile.write(Data("old".utf8), to: path)
        try AtomicFile.write(Data("new contents".utf8), to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "new contents")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["leak-report.json"])
    }

    func testFailedWriteKeepsTheOldFile() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/leak-report.json"
        try AtomicFile.write(Data("old".utf8), to: path)
        do {
            // A run that fails before it commits: its writer is dropped.
            let writer = try AtomicFileWriter(path: path)
            try writer.write("new")
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "old")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["leak-report.json"])
    }

    func testADirectoryNamedAsAReportIsRefusedNotRemoved() throws {
        let directory = try temporaryDirectory()
        try FileManager.default.createDirectory(
            atPath: directory + "/leak-report.json/keep", withIntermediateDirectories: true)
        XCTAssertThrowsError(try AtomicFile.write(Data("x".utf8), to: directory + "/leak-report.json"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/leak-report.json/keep"))
    }

    func testUnwritableDirectoryIsNamed() throws {
        let directory = try temporaryDirectory()
        let file = directory + "/plain-file"
        try AtomicFile.write(Data("x".utf8), to: file)
        XCTAssertThrowsError(try OutputDirectory.ensureWritable(file + "/reports")) { error in
            XCTAssertTrue(String(describing: error).contains(file), "\(error)")
        }
        XCTAssertThrowsError(try OutputDirectory.ensureWritable(file)) { error in
            XCTAssertTrue(String(describing: error).contains("not a directory"), "\(error)")
        }
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), "x")
    }

    func testNewerSchemaAndGarbageAreRefused() {
        XCTAssertThrowsError(try LeakReport.read(from: Data(#"{"schemaVersion": 99}"#.utf8), path: "r.json")) { error in
            XCTAssertTrue(String(describing: error).contains("newer"), "\(error)")
        }
        XCTAssertThrowsError(try LeakReport.read(from: Data("not json".utf8), path: "r.json")) { error in
            XCTAssertTrue(String(describing: error).contains("r.json"), "\(error)")
        }
    }
}
