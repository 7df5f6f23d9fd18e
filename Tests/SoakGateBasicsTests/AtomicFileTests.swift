import Foundation
import SoakGateBasics
import XCTest

final class AtomicFileTests: XCTestCase {
    private func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("basics-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    private func names(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    func testWritesTheWholeFileAndLeavesNoTemporary() throws {
        let dir = try directory()
        try AtomicFile.write("first\n", to: dir + "/out.txt")
        try AtomicFile.write(Array("second\n".utf8), to: dir + "/out.txt")
        XCTAssertEqual(try String(contentsOfFile: dir + "/out.txt", encoding: .utf8), "second\n")
        XCTAssertEqual(try names(dir), ["out.txt"])
    }

    func testADirectoryIsRefusedAndKept() throws {
        let dir = try directory()
        try FileManager.default.createDirectory(atPath: dir + "/out", withIntermediateDirectories: false)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: dir + "/out/inside"))
        XCTAssertThrowsError(try AtomicFile.write("x", to: dir + "/out")) { error in
            XCTAssertTrue(String(describing: error).contains("is a directory"), "\(error)")
        }
        XCTAssertEqual(try names(dir + "/out"), ["inside"])
        XCTAssertEqual(try names(dir), ["out"])
    }

    func testAWriterDroppedBeforeCommitLeavesTheEarlierOutput() throws {
        let dir = try directory()
        try AtomicFile.write("good", to: dir + "/out")
        do {
            let writer = try AtomicFileWriter(path: dir + "/out")
            try writer.write("half of a failed run")
        }
        XCTAssertEqual(try String(contentsOfFile: dir + "/out", encoding: .utf8), "good")
        XCTAssertEqual(try names(dir), ["out"])
    }

    func testASymlinkAtTheTargetIsReplacedNotFollowed() throws {
        let dir = try directory()
        try Data("victim".utf8).write(to: URL(fileURLWithPath: dir + "/victim"))
        try FileManager.default.createSymbolicLink(atPath: dir + "/out", withDestinationPath: dir + "/victim")
        try AtomicFile.write("output", to: dir + "/out")
        XCTAssertEqual(try String(contentsOfFile: dir + "/victim", encoding: .utf8), "victim")
        XCTAssertEqual(try String(contentsOfFile: dir + "/out", encoding: .utf8), "output")
        var status = stat()
        XCTAssertEqual(lstat(dir + "/out", &status), 0)
        XCTAssertEqual(status.st_mode & S_IFMT, S_IFREG)
    }

    func testAMissingDirectoryIsOneLineNamingTheFile() throws {
        let dir = try directory()
        XCTAssertThrowsError(try AtomicFile.write("x", to: dir + "/no/such/out")) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains(dir + "/no/such/out"), text)
            XCTAssertFalse(text.contains("\n"), text)
        }
    }
}

final class RegularFileTests: XCTestCase {
    func testAFIFOIsRefusedWithoutBlocking() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fifo-\(UUID().uuidString).swift").path
        XCTAssertEqual(mkfifo(path, 0o644), 0)
        defer { unlink(path) }
        XCTAssertEqual(RegularFile.irregularKind(path), "a FIFO (named pipe)")
        XCTAssertThrowsError(try RegularFile.read(path)) { error in
            XCTAssertTrue(String(describing: error).contains("FIFO"), "\(error)")
        }
    }

    func testADirectoryIsRefused() {
        XCTAssertThrowsError(try RegularFile.read(FileManager.default.temporaryDirectory.path)) { error in
            XCTAssertTrue(String(describing: error).contains("a directory"), "\(error)")
        }
    }

    func testReadsARegularFileWhole() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("regular-\(UUID().uuidString)").path
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        XCTAssertEqual(try RegularFile.read(path), bytes)
        XCTAssertThrowsError(try RegularFile.read(path, limit: 10))
    }
}
