import EngineCommandLine

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks on the paths the run will write, made before any work so a long run cannot fail at
/// its end for a reason known at its start.
enum OutputPaths {
    /// Refuses a summary or checkpoint path that is a directory, and an output or summary that
    /// is one of the inputs (or each other): a run must never overwrite its own sources.
    /// `out` is nil when the output is not a single file (neo4j-csv, postgres).
    static func check(
        out: String?, summary: String?, checkpoint: String?, governorReport: String? = nil, inputs: [String]
    ) throws {
        for (flag, path) in [("--summary", summary), ("checkpoint", checkpoint)] {
            guard let path else { continue }
            if path.isEmpty { throw CommandFailure.usage("\(flag) is empty; name a file") }
            if isDirectory(path) {
                throw CommandFailure.usage("cannot write \(path): it is a directory; name a file inside it instead")
            }
        }
        if let governorReport { try checkReportFile(governorReport, flag: "--governor-report") }
        var inputIdentities = Set<FileIdentity>()
        for input in inputs { if let identity = FileIdentity(input) { inputIdentities.insert(identity) } }
        let outputIdentity = out.flatMap(FileIdentity.init)
        let summaryIdentity = summary.flatMap(FileIdentity.init)
        for (flag, path) in [("--out", out), ("--summary", summary), ("--governor-report", governorReport)] {
            guard let path, let identity = FileIdentity(path) else { continue }
            if inputIdentities.contains(identity) {
                throw CommandFailure.usage(
                    "\(flag) \(path) is one of the input files; name another file so the source is not overwritten")
            }
            if flag != "--out", identity == outputIdentity {
                throw CommandFailure.usage("\(flag) \(path) is the same file as --out; name another file")
            }
            if flag == "--governor-report", identity == summaryIdentity {
                throw CommandFailure.usage("--governor-report \(path) is the same file as --summary; name another file")
            }
        }
        for (flag, path) in [("--summary", summary), ("--governor-report", governorReport)] {
            if let out, let path, out == path {
                throw CommandFailure.usage("\(flag) \(path) is the same file as --out; name another file")
            }
        }
        if let summary, let governorReport, summary == governorReport {
            throw CommandFailure.usage(
                "--governor-report \(governorReport) is the same file as --summary; name another file")
        }
        if let checkpoint, let governorReport, checkpoint == governorReport {
            throw CommandFailure.usage(
                "--governor-report \(governorReport) is the run's checkpoint file; name another file")
        }
    }

    /// Refuses a report path the atomic writer would refuse at the end of the run: a
    /// directory, FIFO, device or socket (a regular file or a symlink is replaced), or one
    /// whose parent is missing or not a directory.
    static func checkReportFile(_ path: String, flag: String) throws {
        var status = stat()
        if lstat(path, &status) == 0 {
            switch status.st_mode & S_IFMT {
            case S_IFREG, S_IFLNK: break
            case S_IFDIR:
                throw CommandFailure.usage("\(flag) \(path): it is a directory; name a file inside it instead")
            case S_IFIFO:
                throw CommandFailure.usage("\(flag) \(path): it is a FIFO, not a regular file; name a file instead")
            case S_IFSOCK:
                throw CommandFailure.usage("\(flag) \(path): it is a socket, not a regular file; name a file instead")
            default:
                throw CommandFailure.usage("\(flag) \(path): it is a device, not a regular file; name a file instead")
            }
        }
        let parent: String
        if let slash = path.lastIndex(of: "/") {
            parent = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            parent = "."
        }
        var parentStatus = stat()
        guard stat(parent, &parentStatus) == 0 else {
            throw CommandFailure.usage(
                "\(flag) \(path): its directory \(parent) does not exist; create it or name a file elsewhere")
        }
        guard (parentStatus.st_mode & S_IFMT) == S_IFDIR else {
            throw CommandFailure.usage("\(flag) \(path): \(parent) is not a directory; name a file elsewhere")
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }

    /// A file's device and inode: equal for two paths that name the same file.
    struct FileIdentity: Hashable {
        var device: UInt64
        var inode: UInt64

        init?(_ path: String) {
            var status = stat()
            guard stat(path, &status) == 0 else { return nil }
            device = UInt64(status.st_dev)
            inode = UInt64(status.st_ino)
        }
    }
}
