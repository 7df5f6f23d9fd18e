import Foundation
import SoakGateBasics
import Synchronization

/// The temporary directories and child process groups this process owns, so that every way out
/// of it cleans them up: a normal return removes each as it finishes, a SIGINT or SIGTERM goes
/// through ``abandon()``, and what a `kill -9` or a crash leaves behind is removed by the next
/// run's ``sweepStale()`` (a directory's name carries the pid of the process that made it).
///
/// Process-wide on purpose: a signal ends the whole process, so the record of what to clean up
/// must be reachable from the signal's handler.
public enum ScratchSpace {
    private struct Owned {
        var directories: Set<String> = []
        var groups: Set<Int32> = []
    }

    private static let owned = Mutex(Owned())

    /// Every scratch directory is `TMPDIR/soakgate-PID-KIND-RANDOM`.
    static let prefix = "soakgate-"

    static var root: String {
        let path = FileManager.default.temporaryDirectory.path
        return path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
    }

    /// Creates a private (0700) directory for `kind` (`measure`, `profile`) and records it.
    public static func makeDirectory(_ kind: String) throws(FileError) -> String {
        let path = root + "/" + prefix + "\(getpid())-\(kind)-\(UUID().uuidString)"
        guard mkdir(path, 0o700) == 0 else { throw FileError.errno(path, "cannot create a scratch directory") }
        owned.withLock { _ = $0.directories.insert(path) }
        return path
    }

    /// Removes a directory made by ``makeDirectory(_:)``.
    public static func removeDirectory(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
        owned.withLock { _ = $0.directories.remove(path) }
    }

    /// Records a child's process group, to be killed whole if this process is told to end.
    static func adopt(group: Int32) { owned.withLock { _ = $0.groups.insert(group) } }

    static func release(group: Int32) { owned.withLock { _ = $0.groups.remove(group) } }

    /// Kills every child process group and removes every scratch directory: for a signal that
    /// ends this process.
    public static func abandon() {
        let (groups, directories) = owned.withLock { ($0.groups, $0.directories) }
        for group in groups.sorted() { kill(-group, SIGKILL) }
        for directory in directories.sorted() { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// Removes scratch directories left by runs of this user whose process no longer exists (killed
    /// with -9, or crashed). Returns the paths removed.
    @discardableResult
    public static func sweepStale() -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root) else { return [] }
        var removed: [String] = []
        for name in names.sorted() where name.hasPrefix(prefix) {
            let fields = name.dropFirst(prefix.count).split(separator: "-", maxSplits: 2)
            guard fields.count == 3, let pid = Int32(fields[0]), pid > 0, pid != getpid(),
                ["measure", "profile"].contains(fields[1])
            else { continue }
            let path = root + "/" + name
            var status = stat()
            guard lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR, status.st_uid == getuid() else {
                continue
            }
            // A live pid (or one we may not signal) keeps its directory.
            guard kill(pid, 0) != 0, errno == ESRCH else { continue }
            if (try? FileManager.default.removeItem(atPath: path)) != nil { removed.append(path) }
        }
        return removed
    }
}
