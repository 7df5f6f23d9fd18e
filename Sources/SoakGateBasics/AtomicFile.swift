#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file that could not be written or read, as one line naming it.
public struct FileError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file the user named (not the temporary beside it).
    public var path: String
    /// What is wrong, in a few words.
    public var reason: String

    /// An error for `path`.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// The error with the current `errno`'s text as its reason.
    public static func errno(_ path: String, _ doing: String? = nil) -> FileError {
        let text = String(cString: strerror(systemErrno))
        return FileError(path: path, reason: doing.map { "\($0): \(text)" } ?? text)
    }

    public var description: String { "cannot write \(path): \(reason)" }
}

/// The C `errno`, named so it does not clash with ``FileError/errno(_:_:)``.
var systemErrno: Int32 { errno }

/// Writes one output file whole or not at all, as every output of this project is written.
///
/// The bytes go to a temporary file created beside the target with `O_CREAT | O_EXCL |
/// O_NOFOLLOW` (so a file or symlink planted at that name is never written through), are synced,
/// and replace the target by `rename` only on ``commit()``, after which the directory is synced
/// too. A target that is a directory, a FIFO, a device or a socket is refused, never removed; a
/// symlink at the target is replaced, never followed. Dropping the writer before ``commit()`` removes the temporary file
/// and leaves any earlier output untouched, so a failed run never replaces a good file.
///
/// Owns its descriptor: closed on every path.
public final class AtomicFileWriter {
    /// The output's path.
    public let path: String
    /// The temporary file's path, beside the output.
    public let temporaryPath: String
    private var descriptor: Int32
    private var committed = false
    private let sync: Bool

    /// Creates the temporary file for `path`. `sync: false` skips the two `fsync`s; only for
    /// measurements that repeat a small write thousands of times, never for a user's output.
    public init(path: String, sync: Bool = true) throws(FileError) {
        try AtomicFileWriter.refuseDirectory(path)
        self.path = path
        self.sync = sync
        let directory = Self.directory(of: path)
        let name = Self.lastComponent(of: path)
        var attempt = 0
        while true {
            let candidate =
                directory + "/." + name + ".tmp-\(getpid())-" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
            let fd = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            if fd >= 0 {
                descriptor = fd
                temporaryPath = candidate
                return
            }
            attempt += 1
            guard systemErrno == EEXIST, attempt < 16 else {
                throw FileError.errno(path, "cannot create a temporary file beside it")
            }
        }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        if !committed { unlink(temporaryPath) }
    }

    /// Appends `bytes`, retrying after signals.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(FileError) {
        guard descriptor >= 0 else { throw FileError(path: path, reason: "already committed") }
        if let failure = FileDescriptor.writeAll(descriptor, bytes) {
            throw FileError(path: path, reason: String(cString: strerror(failure)))
        }
    }

    /// Appends `bytes`.
    public func write(_ bytes: some Sequence<UInt8>) throws(FileError) {
        let array = Array(bytes)
        var failure: FileError?
        array.withUnsafeBytes { raw in
            do throws(FileError) { try write(raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Appends the UTF-8 of `text`.
    public func write(_ text: String) throws(FileError) {
        try write(text.utf8)
    }

    /// Syncs the temporary file, renames it over the output and syncs the directory. The output
    /// is replaced only here.
    public func commit() throws(FileError) {
        guard descriptor >= 0 else { throw FileError(path: path, reason: "already committed") }
        if sync, fsync(descriptor) != 0 { throw FileError.errno(path) }
        close(descriptor)
        descriptor = -1
        try Self.replace(path, with: temporaryPath, sync: sync)
        committed = true
    }

    /// Puts the finished file at `finishedPath` (already written and synced, beside `path`) in
    /// place of `path`: refuses a `path` that is not a regular file or symlink, renames, and
    /// (when `sync`) syncs the directory so the rename survives a crash. The one commit step of
    /// every write-then-rename output, including those whose temporary has a fixed name so a
    /// later run can resume it.
    public static func replace(_ path: String, with finishedPath: String, sync: Bool) throws(FileError) {
        try refuseDirectory(path)
        guard rename(finishedPath, path) == 0 else { throw FileError.errno(path) }
        if sync { syncDirectory(directory(of: path)) }
    }

    /// Refuses an output path that names a directory, a FIFO, a device or a socket: such a thing
    /// is never removed or replaced. A symlink is fine (the rename replaces the link itself).
    public static func refuseDirectory(_ path: String) throws(FileError) {
        guard !path.isEmpty else { throw FileError(path: "''", reason: "the path is empty") }
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        switch status.st_mode & S_IFMT {
        case S_IFREG, S_IFLNK: return
        case S_IFDIR: throw FileError(path: path, reason: "it is a directory; name a file inside it instead")
        default:
            let kind = RegularFile.kind(status.st_mode) ?? "not a regular file"
            throw FileError(path: path, reason: "it is \(kind), not a regular file; name a file instead")
        }
    }

    /// The directory `path` is in: "." for a bare name, "/" for a file in the root.
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func lastComponent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// Makes a rename in `directory` durable; a directory that cannot be synced is left as is.
    public static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}

/// Whole-file writes through ``AtomicFileWriter``.
public enum AtomicFile {
    /// Replaces `path` with `bytes` whole or not at all; see ``AtomicFileWriter``.
    public static func write(_ bytes: some Sequence<UInt8>, to path: String, sync: Bool = true) throws(FileError) {
        let writer = try AtomicFileWriter(path: path, sync: sync)
        try writer.write(bytes)
        try writer.commit()
    }

    /// Replaces `path` with the UTF-8 of `text` whole or not at all.
    public static func write(_ text: String, to path: String, sync: Bool = true) throws(FileError) {
        let writer = try AtomicFileWriter(path: path, sync: sync)
        try writer.write(text)
        try writer.commit()
    }
}

/// Plain descriptor I/O for the writers that keep a file open (an append-only log, a partial
/// output kept for `--resume`).
public enum FileDescriptor {
    /// Writes every byte of `bytes` to `descriptor`, retrying after signals and short writes;
    /// the `errno` of a failure, nil on success.
    public static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
        guard let base = bytes.baseAddress else { return nil }
        var offset = 0
        while offset < bytes.count {
            let written = systemWrite(descriptor, base + offset, bytes.count - offset)
            if written < 0 {
                if systemErrno == EINTR { continue }
                return systemErrno
            }
            offset += written
        }
        return nil
    }
}

func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(descriptor, bytes, count)
    #elseif canImport(Musl)
    Musl.write(descriptor, bytes, count)
    #else
    Darwin.write(descriptor, bytes, count)
    #endif
}

func systemRead(_ descriptor: Int32, _ bytes: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.read(descriptor, bytes, count)
    #elseif canImport(Musl)
    Musl.read(descriptor, bytes, count)
    #else
    Darwin.read(descriptor, bytes, count)
    #endif
}
