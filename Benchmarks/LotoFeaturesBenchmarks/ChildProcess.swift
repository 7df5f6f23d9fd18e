import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One child's wall time, peak RSS and the last line it printed.
struct Measurement {
    var seconds: Double
    var peakRSSMiB: Int
    /// The child's user + system CPU time (less noisy than wall time on a shared machine).
    var cpuSeconds: Double
    var output: String
}

/// Runs a command as a child process and reads its own peak RSS from wait4.
enum ChildProcess {
    static func measure(_ command: [String]) throws -> Measurement {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("loto-bench-\(getpid()).out")
            .path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let start = DispatchTime.now().uptimeNanoseconds
        let code = posix_spawn(&pid, command[0], &actions, nil, &argv, environ)
        guard code == 0 else { throw NSError(domain: "spawn", code: Int(code)) }
        var status: Int32 = 0
        var usage = rusage()
        wait4(pid, &status, 0, &usage)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: outputPath)
        let last = output.split(separator: "\n").last.map(String.init) ?? ""
        guard status == 0 else {
            throw NSError(
                domain: "child \(command.joined(separator: " ")) exited with status \(status): \(last)", code: 1)
        }
        let cpu =
            Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(
                usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        return Measurement(seconds: seconds, peakRSSMiB: usage.ru_maxrss / 1024, cpuSeconds: cpu, output: last)
    }
}
