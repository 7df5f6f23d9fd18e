import SoakGateBasics

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The directory a command writes its outputs into (`check --out`, `soak --out`): created if
/// missing and proven writable before any work starts, so a bad `--out` costs nothing. The files
/// themselves are written through SoakGateBasics' `AtomicFile`.
public enum OutputDirectory {
    /// Creates `directory` and its parents if needed (mode 0755) and proves a file can be created
    /// in it; throws a one-line reason naming it otherwise. Never removes or replaces anything: a
    /// path that exists as a file (or a FIFO, a socket...) is refused.
    public static func ensureWritable(_ directory: String) throws(FileError) {
        guard !directory.isEmpty else { throw FileError(path: "''", reason: "the directory name is empty") }
        try create(directory)
        // An exclusive, never-followed probe: a planted file or symlink at the name is refused, not written.
        let probe = directory + "/.soakgate-write-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError.errno(directory, "cannot create a file in it") }
        close(fd)
        unlink(probe)
    }

    private static func create(_ directory: String) throws(FileError) {
        var status = stat()
        if stat(directory, &status) == 0 {
            guard (status.st_mode & S_IFMT) == S_IFDIR else {
                throw FileError(path: directory, reason: "it exists and is not a directory; name a directory")
            }
            return
        }
        // Parents first; "." and "/" always exist.
        if let slash = directory.dropLast().lastIndex(of: "/"), slash != directory.startIndex {
            try create(String(directory[..<slash]))
        }
        if mkdir(directory, 0o755) != 0 && errno != EEXIST {
            throw FileError.errno(directory, "cannot create the directory")
        }
        guard stat(directory, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else {
            throw FileError(path: directory, reason: "it exists and is not a directory; name a directory")
        }
    }
}
