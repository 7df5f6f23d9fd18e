import ASTGraph
import Foundation
import XCTest

final class SourceInputsTests: XCTestCase {
    func testDirectoriesGiveSortedSwiftFilesWithoutHiddenOrSymlinkedDirectories() throws {
        let root = try SampleSources.write(
            self, extra: [(".git/Hidden.swift", "let a = 1"), ("notes.txt", "x"), ("Z.swift", "let z = 1")])
        try FileManager.default.createSymbolicLink(atPath: root + "/Back", withDestinationPath: root)
        let files = try SourceInputs.discover([root + "/main.swift", root])
        XCTAssertEqual(files, files.sorted())
        XCTAssertEqual(
            files.map { String($0.dropFirst(root.count + 1)) },
            [
                "Broken.swift", "Geometry/Point.swift", "Geometry/Shapes/Circle.swift", "Z.swift", "main.swift",
            ])
    }

    func testANamedFileIsTakenWhateverItsExtension() throws {
        let root = try SampleSources.write(self, extra: [("script.txt", "print(1)")])
        XCTAssertEqual(try SourceInputs.discover([root + "/script.txt"]), [root + "/script.txt"])
    }

    func testMissingPathsAndEmptyDirectoriesAreInputErrors() throws {
        let empty = try SampleSources.temporaryDirectory(self)
        XCTAssertThrowsError(try SourceInputs.discover([empty])) { error in
            XCTAssertEqual(error as? InputError, .noSwiftFiles(empty))
        }
        XCTAssertThrowsError(try SourceInputs.discover([empty + "/missing"])) { error in
            XCTAssertEqual(error as? InputError, .doesNotExist(empty + "/missing"))
        }
    }

    func testASpecialFileNamedOnTheCommandLineIsAnInputErrorAndOneInADirectoryIsListed() throws {
        let root = try SampleSources.temporaryDirectory(self)
        XCTAssertEqual(mkfifo(root + "/pipe.swift", 0o644), 0)
        XCTAssertThrowsError(try SourceInputs.discover([root + "/pipe.swift"])) { error in
            XCTAssertEqual(error as? InputError, .notARegularFile(root + "/pipe.swift", "a FIFO (named pipe)"))
        }
        XCTAssertThrowsError(try SourceInputs.discover(["/dev/null"])) { error in
            XCTAssertEqual(error as? InputError, .notARegularFile("/dev/null", "a character device"))
        }
        // Found by the walk, it is listed so that it fails as a file the summary names.
        XCTAssertEqual(try SourceInputs.discover([root]), [root + "/pipe.swift"])
        let outcome = GraphBuilder().build(path: root + "/pipe.swift")
        guard case .failure(let reason) = outcome else { return XCTFail("a FIFO gave a graph") }
        XCTAssertEqual(reason, .notARegularFile("a FIFO (named pipe)"))
        XCTAssertFalse(reason.isRetryable)
    }
}
