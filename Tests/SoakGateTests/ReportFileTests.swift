import Foundation
import XCTest
@testable import SoakGate

final class ReportFileTests: XCTestCase {
    private func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("soakgate-test-\(UUID().uuidString)").path
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
        // A directory where the temporary file should go makes the write fail midway.
        try FileManager.default.createDirectory(atPath: directory + "/.leak-report.json.tmp-\(getpid())", withIntermediateDirectories: false)
        XCTAssertThrowsError(try AtomicFile.write(Data("new".utf8), to: path))
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "old")
    }

    func testUnwritableDirectoryIsNamed() throws {
        let directory = try temporaryDirectory()
        let file = directory + "/plain-file"
        try AtomicFile.write(Data("x".utf8), to: file)
        XCTAssertThrowsError(try AtomicFile.ensureWritableDirectory(file + "/reports")) { error in
            XCTAssertTrue(String(describing: error).contains(file + "/reports"), "\(error)")
        }
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
