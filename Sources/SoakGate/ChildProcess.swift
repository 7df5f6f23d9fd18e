import Foundation
import Synchronization

/// How a child process ended.
struct ChildExit: Sendable {
    var status: Int32?
    var signal: Int32?
    var timedOut: Bool
    /// The last lines it printed (progress lines excluded).
    var outputTail: [String]
    var seconds: Double
}

/// Starts a program, streams its output line by line, and kills it if it runs too long.
///
/// Output (standard output and error together) is read on a thread of its own; progress lines
/// go to `onProgress`, the last `tailLines` other lines are kept for the failure message.
enum ChildProcess {
    static func run(
        executable: String, arguments: [String], environment: [String: String], timeoutSeconds: Double,
        tailLines: Int = 200, onProgress: @escaping @Sendable (Int, Int) -> Void
    ) async throws -> ChildExit {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        let started = MonotonicClock.nanoseconds()
        try process.run()
        try? pipe.fileHandleForWriting.close()
        let pid = process.processIdentifier

        let tail = Mutex<[String]>([])
        let timedOut = Atomic<Bool>(false)
        let reader = pipe.fileHandleForReading
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let readerThread = Thread {
                LineReader.readLines(reader) { line in
                    if let progress = ProgressWriter.parse(line) {
                        onProgress(progress.iterations, progress.retainedBytes)
                    } else {
                        tail.withLock { lines in
                            lines.append(String(line))
                            if lines.count > tailLines { lines.removeFirst(lines.count - tailLines) }
                        }
                    }
                }
                process.waitUntilExit()
                continuation.resume()
            }
            readerThread.start()
            let watchdog = Thread {
                let deadline = started + UInt64(timeoutSeconds * 1e9)
                while process.isRunning {
                    if MonotonicClock.nanoseconds() >= deadline {
                        timedOut.store(true, ordering: .relaxed)
                        kill(pid, SIGKILL)
                        break
                    }
                    usleep(20_000)
                }
            }
            watchdog.start()
        }
        let seconds = Double(MonotonicClock.nanoseconds() - started) / 1e9
        let signalled = process.terminationReason == .uncaughtSignal
        return ChildExit(
            status: signalled ? nil : process.terminationStatus,
            signal: signalled ? process.terminationStatus : nil,
            timedOut: timedOut.load(ordering: .relaxed),
            outputTail: tail.withLock { $0 },
            seconds: seconds)
    }
}

/// Splits what a pipe delivers into lines, as it arrives.
enum LineReader {
    /// Calls `body` with each line (without its newline) until end of file; a last line without
    /// a newline is passed too.
    static func readLines(_ handle: FileHandle, _ body: (Substring) -> Void) {
        var pending = Data()
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let newline = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                body(Substring(line))
            }
        }
        if !pending.isEmpty { body(Substring(String(decoding: pending, as: UTF8.self))) }
    }
}
