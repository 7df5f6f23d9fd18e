import CSoakGateProcess
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
/// The child runs in a process group of its own, and a timeout kills the whole group, so a
/// workload's own children go with it. It is started from a thread that lives until it exits,
/// because the child asks the kernel (`PR_SET_PDEATHSIG`, see `soakgate_die_with_parent`) to
/// kill it when that thread ends: a parent killed with -9 takes its children with it.
///
/// Output (standard output and error together) is read on that thread; progress lines go to
/// `onProgress`, the last `tailLines` other lines are kept for the failure message.
enum ChildProcess {
    /// Why a child could not be started.
    struct SpawnError: Error, CustomStringConvertible {
        var description: String
    }

    private enum Spawned: Sendable {
        case failed(String)
        case finished(status: Int32)
    }

    static func run(
        executable: String, arguments: [String], environment: [String: String], timeoutSeconds: Double,
        tailLines: Int = 200, onProgress: @escaping @Sendable (Int, Int) -> Void
    ) async throws -> ChildExit {
        var descriptors: [Int32] = [-1, -1]
        let piped = soakgate_pipe(&descriptors)
        guard piped == 0 else { throw SpawnError(description: String(cString: strerror(piped))) }
        let (readEnd, writeEnd) = (descriptors[0], descriptors[1])
        // A timeout too large for the clock is no timeout (flags are checked before they get here).
        let limit = timeoutSeconds.isFinite ? min(max(0, timeoutSeconds), 1e9) : 1e9
        let started = MonotonicClock.nanoseconds()
        let deadline = started + UInt64(limit * 1e9)
        let tail = Mutex<[String]>([])
        let timedOut = Atomic<Bool>(false)
        let ended = Atomic<Bool>(false)
        let argv = [executable] + arguments
        let envp = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }

        let spawned = await withCheckedContinuation { (continuation: CheckedContinuation<Spawned, Never>) in
            Thread {
                var spawnedPid: pid_t = 0
                let result = withCStrings(argv) { argvPointer in
                    withCStrings(envp) { envpPointer in
                        soakgate_spawn(executable, argvPointer, envpPointer, writeEnd, writeEnd, &spawnedPid)
                    }
                }
                let pid = spawnedPid
                close(writeEnd)
                guard result == 0 else {
                    close(readEnd)
                    continuation.resume(returning: .failed(String(cString: strerror(result))))
                    return
                }
                ScratchSpace.adopt(group: pid)
                Thread {
                    while !ended.load(ordering: .acquiring) {
                        if MonotonicClock.nanoseconds() >= deadline {
                            timedOut.store(true, ordering: .relaxed)
                            kill(-pid, SIGKILL)
                            break
                        }
                        usleep(20_000)
                    }
                }.start()
                let reader = FileHandle(fileDescriptor: readEnd, closeOnDealloc: true)
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
                var status: Int32 = 0
                _ = soakgate_wait(pid, &status)
                ended.store(true, ordering: .releasing)
                // Whatever the child left running in its group goes with it.
                kill(-pid, SIGKILL)
                ScratchSpace.release(group: pid)
                continuation.resume(returning: .finished(status: status))
            }.start()
        }
        let status: Int32
        switch spawned {
        case .failed(let reason): throw SpawnError(description: reason)
        case .finished(let finished): status = finished
        }
        let seconds = Double(MonotonicClock.nanoseconds() - started) / 1e9
        let signal = soakgate_term_signal(status)
        return ChildExit(
            status: signal != 0 ? nil : soakgate_exit_status(status),
            signal: signal != 0 ? signal : nil,
            timedOut: timedOut.load(ordering: .relaxed),
            outputTail: tail.withLock { $0 },
            seconds: seconds)
    }
}

/// Calls `body` with a NULL-terminated C array of copies of `strings`, freed afterwards.
func withCStrings<Result>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> Result)
    -> Result
{
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
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
