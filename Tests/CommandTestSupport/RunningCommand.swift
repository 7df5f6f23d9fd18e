import Foundation

/// One of the package's executables started in the background: its output goes to files the
/// test can read while it runs; it can be signalled and waited for.
public final class RunningCommand {
    public let process = Process()
    private let directory: URL
    private let outputFile: URL
    private let errorFile: URL

    public init(_ product: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: try Command.path(of: product))
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged.removeValue(forKey: "MALLOC_CONF")
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("soakgate-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        outputFile = directory.appendingPathComponent("out")
        errorFile = directory.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: directory)
    }

    /// What it has written to standard error so far.
    public var standardErrorSoFar: String { (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "" }

    /// Polls `condition` every 100 ms for up to `seconds`; true when it held.
    public func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            if !process.isRunning { return condition() }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return condition()
    }

    public func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Waits for the exit and returns everything it printed.
    public func wait() throws -> Command.Outcome {
        process.waitUntilExit()
        return Command.Outcome(
            status: process.terminationStatus,
            standardOutput: try String(contentsOf: outputFile, encoding: .utf8),
            standardError: try String(contentsOf: errorFile, encoding: .utf8))
    }
}
