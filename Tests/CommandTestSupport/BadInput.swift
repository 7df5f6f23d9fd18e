import Foundation
import XCTest

/// One bad input to one executable and what must follow: the exit code, one line on standard
/// error naming the input, no crash signal, no planted secret anywhere it printed or wrote, and
/// every file that existed before still byte-identical.
///
/// `{dir}` in arguments, environment values and `names` is the case's own temporary directory,
/// made afresh for each case and filled by `setup`.
public struct BadInput: Sendable {
    /// A token and a password planted in inputs; neither may appear in any output.
    public static let token = "ghp_PLANTEDtoken0123456789abcdefABCDEF"
    public static let password = "pw-PLANTED-s3cret"

    public var product: String
    public var arguments: [String]
    public var environment: [String: String] = [:]
    /// Makes the files the case needs in its directory (given as the argument).
    public var setup: @Sendable (String) throws -> Void = { _ in }
    /// The exit status expected.
    public var exit: Int32 = 2
    /// Text the one stderr line must contain (the flag, file or URL at fault).
    public var names: String
    /// Killed after this many seconds: a hang fails the case.
    public var timeout: Double = 60
    /// Whether the run may create new files in its directory (a run that fails may not).
    public var mayCreateFiles = false
    /// Whether standard error must be exactly one line (false for a run that succeeds with
    /// progress output; `names` must still appear in it).
    public var oneLine = true
    /// Where the case is declared, for failures.
    public var file: StaticString = #filePath
    public var line: UInt = #line

    public init(
        _ product: String, _ arguments: [String], environment: [String: String] = [:], exit: Int32 = 2, names: String,
        timeout: Double = 60, mayCreateFiles: Bool = false, oneLine: Bool = true, file: StaticString = #filePath,
        line: UInt = #line,
        setup: @escaping @Sendable (String) throws -> Void = { _ in }
    ) {
        self.product = product
        self.arguments = arguments
        self.environment = environment
        self.exit = exit
        self.names = names
        self.timeout = timeout
        self.mayCreateFiles = mayCreateFiles
        self.oneLine = oneLine
        self.file = file
        self.line = line
        self.setup = setup
    }

    /// Runs every case in `cases` and records a failure for each broken promise.
    public static func runAll(_ cases: [BadInput], in test: XCTestCase) throws {
        for badInput in cases { try badInput.run(in: test) }
        print("\(test.name): \(cases.count) bad inputs run")
    }

    public func run(in test: XCTestCase) throws {
        let directory = try Command.temporaryDirectory(test)
        try setup(directory)
        let before = try FileSnapshot(directory)
        let expand = { (text: String) in text.replacingOccurrences(of: "{dir}", with: directory) }
        let arguments = self.arguments.map(expand)
        let label = "\(product) \(arguments.joined(separator: " "))".replacingOccurrences(of: directory, with: "{dir}")
        let running = try RunningCommand(product, arguments, environment: environment.mapValues(expand))
        let finished = running.waitUntil(seconds: timeout) { !running.process.isRunning }
        if !finished {
            running.signal(SIGKILL)
            XCTFail("\(label): still running after \(timeout) s (a hang)", file: file, line: line)
        }
        let outcome = try running.wait()
        if running.process.terminationReason == .uncaughtSignal, finished {
            XCTFail("\(label): killed by signal \(outcome.status)", file: file, line: line)
            return
        }
        guard finished else { return }
        XCTAssertEqual(
            outcome.status, exit, "\(label): exit status; stderr: \(outcome.standardError)", file: file, line: line)
        let lines = outcome.standardError.split(whereSeparator: \.isNewline).filter { !$0.allSatisfy(\.isWhitespace) }
        if oneLine {
            XCTAssertEqual(
                lines.count, 1, "\(label): stderr should be one line, was: \(outcome.standardError)", file: file,
                line: line)
        }
        let expected = expand(names)
        XCTAssertTrue(
            outcome.standardError.contains(expected),
            "\(label): stderr does not name '\(expected)': \(outcome.standardError)",
            file: file, line: line)
        let after = try FileSnapshot(directory)
        for secret in [Self.token, Self.password] {
            XCTAssertFalse(
                outcome.standardOutput.contains(secret), "\(label): a planted secret on stdout", file: file, line: line)
            XCTAssertFalse(
                outcome.standardError.contains(secret), "\(label): a planted secret on stderr", file: file, line: line)
            for (path, entry) in after.entries
            where before.entries[path] != entry && entry.contents.contains(Data(secret.utf8)) {
                XCTFail("\(label): a planted secret written to \(path)", file: file, line: line)
            }
        }
        for (path, entry) in before.entries.sorted(by: { $0.key < $1.key }) where after.entries[path] != entry {
            XCTFail("\(label): \(path) existed before and was changed or removed", file: file, line: line)
        }
        if !mayCreateFiles {
            let created = Set(after.entries.keys).subtracting(before.entries.keys).sorted()
            XCTAssertEqual(created, [], "\(label): a failed run left new files", file: file, line: line)
        }
    }
}

/// Every entry below a directory: its kind, a symlink's target and a regular file's bytes.
public struct FileSnapshot {
    public struct Entry: Equatable {
        public var kind: String
        public var contents: Data
    }

    public var entries: [String: Entry] = [:]

    public init(_ directory: String) throws {
        let manager = FileManager.default
        guard let enumerator = manager.enumerator(atPath: directory) else { return }
        while let relative = enumerator.nextObject() as? String {
            let path = directory + "/" + relative
            var status = stat()
            guard lstat(path, &status) == 0 else { continue }
            switch status.st_mode & S_IFMT {
            case S_IFREG:
                entries[relative] = Entry(kind: "file", contents: manager.contents(atPath: path) ?? Data())
            case S_IFLNK:
                let target = (try? manager.destinationOfSymbolicLink(atPath: path)) ?? ""
                entries[relative] = Entry(kind: "symlink", contents: Data(target.utf8))
            case S_IFDIR:
                entries[relative] = Entry(kind: "directory", contents: Data())
            default:
                entries[relative] = Entry(kind: "special \(status.st_mode & S_IFMT)", contents: Data())
            }
        }
    }
}

/// Setup helpers for cases.
public enum Plant {
    public static func file(_ directory: String, _ name: String, _ text: String) throws {
        let url = URL(fileURLWithPath: directory).appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    public static func fifo(_ directory: String, _ name: String) throws {
        let path = directory + "/" + name
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard mkfifo(path, 0o644) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    public static func symlink(_ directory: String, _ name: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: directory + "/" + name, withDestinationPath: target)
    }

    public static func directory(_ directory: String, _ name: String) throws {
        try FileManager.default.createDirectory(atPath: directory + "/" + name, withIntermediateDirectories: true)
    }
}
