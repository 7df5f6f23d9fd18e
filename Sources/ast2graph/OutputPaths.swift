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
    static func check(out: String?, summary: String?, checkpoint: String?, inputs: [String]) throws {
        for (flag, path) in [("--summary", summary), ("checkpoint", checkpoint)] {
            guard let path else { continue }
            if path.isEmpty { throw CommandFailure.usage("\(flag) is empty; name a file") }
            if isDirectory(path) { throw CommandFailure.usage("cannot write \(path): it is a directory; name a file inside it instead") }
        }
        var inputIdentities = Set<FileIdentity>()
        for input in inputs { if let identity = FileIdentity(input) { inputIdentities.insert(identity) } }
        let outputIdentity = out.flatMap(FileIdentity.init)
        for (flag, path) in [("--out", out), ("--summary", summary)] {
            guard let path, let identity = FileIdentity(path) else { continue }
            if inputIdentities.contains(identity) {
                throw CommandFailure.usage("\(flag) \(path) is one of the input files; name another file so the source is not overwritten")
            }
            if flag == "--summary", identity == outputIdentity {
                throw CommandFailure.usage("--summary \(path) is the same file as --out; name another file")
            }
        }
        if let out, let summary, out == summary {
            throw CommandFailure.usage("--summary \(summary) is the same file as --out; name another file")
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
