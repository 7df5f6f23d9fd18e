import SoakGateBasics
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A problem writing an output file, as one line naming the file.
public struct OutputError: Error, CustomStringConvertible, Equatable {
    /// The file (or directory) at fault.
    public var path: String
    /// What is wrong.
    public var message: String

    /// An error for `path`.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `cannot write PATH: MESSAGE`.
    public var description: String { "cannot write \(path): \(message)" }
}

/// An output file written under `<path>.partial` and renamed to `<path>` only when complete,
/// so a failed or interrupted run never leaves a truncated file where the output belongs.
/// The partial file stays for `--resume`, which truncates it to the checkpoint's length.
///
/// Not built on `AtomicFileWriter`: that writer's temporary has a random name and is removed
/// when the writer goes away uncommitted, while `--resume` must find the partial file of an
/// interrupted run by name and continue it. It keeps the same guarantees instead:
/// - a fresh run removes whatever is at `<path>.partial` with `unlink` (a planted symlink is
///   removed itself, its target never touched) and creates the file with
///   `O_CREAT | O_EXCL | O_NOFOLLOW`, so it only ever writes a file it created;
/// - a resume opens with `O_NOFOLLOW | O_NONBLOCK` and requires a regular file (`fstat`), so
///   a symlink, FIFO or device at that name is refused, never followed or blocked on;
/// - ``commit()`` syncs the file and hands it to ``AtomicFileWriter/replace(_:with:sync:)``, the
///   one commit step: it refuses an output path that is a directory, FIFO or device (never
///   removed), renames (a symlink at the output is replaced, not followed) and syncs the directory;
/// - ``discard()`` removes the partial file of a run whose result is not kept.
///
/// Owns its descriptor: closed in `deinit` on every path.
final class PartialFile {
    let path: String
    let partialPath: String
    private var descriptor: Int32
    private let buffer = OutputBuffer()
    private var flushedLength: Int
    /// Bytes written so far, including those still buffered.
    var length: Int { flushedLength + buffer.count }
    /// Whether ``commit()`` syncs the data and the directory to disk around the rename.
    private let syncOnCommit: Bool

    /// Opens the partial file: new and empty, or (resuming) cut back to `resumeLength`.
    /// `syncOnCommit: false` skips the `fsync`s of ``commit()`` (for measurements that repeat
    /// a small export thousands of times; a user's output is always synced).
    init(path: String, resumeLength: Int? = nil, syncOnCommit: Bool = true) throws(OutputError) {
        try Self.refuseDirectory(path)
        self.path = path
        self.syncOnCommit = syncOnCommit
        partialPath = path + ".partial"
        flushedLength = 0
        if let resumeLength {
            descriptor = try Self.openForResume(partialPath, length: resumeLength)
            flushedLength = resumeLength
        } else {
            descriptor = try Self.createFresh(partialPath)
        }
        buffer.withBytes { $0.reserveCapacity(Self.flushSize) }
    }

    /// Removes whatever is at `partialPath` (a stale partial file, or a symlink planted there:
    /// `unlink` removes the link, never its target) and creates a new file that only this run
    /// can have made.
    private static func createFresh(_ partialPath: String) throws(OutputError) -> Int32 {
        if unlink(partialPath) != 0, errno != ENOENT {
            let text = errnoText()
            let reason = isDirectory(partialPath) ? "it is a directory; remove it or choose another --out" : text
            throw OutputError(path: partialPath, message: reason)
        }
        let descriptor = open(partialPath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            let reason =
                errno == EEXIST
                ? "created by another process at the same time; is another ast2graph writing it?" : errnoText()
            throw OutputError(path: partialPath, message: reason)
        }
        return descriptor
    }

    /// Opens the partial file of an interrupted run and cuts it back to `length`, the bytes
    /// its checkpoint vouches for. Nothing is created or followed; nothing is changed unless
    /// the file is a regular file at least `length` bytes long.
    private static func openForResume(_ partialPath: String, length: Int) throws(OutputError) -> Int32 {
        // O_NONBLOCK: opening a FIFO for writing would otherwise wait for a reader forever; on a
        // regular file it changes nothing.
        let descriptor = open(partialPath, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason =
                switch errno {
                case ENOENT: "there is no partial output to resume; run without --resume"
                case ELOOP: "it is a symbolic link, which is never followed; remove it and run without --resume"
                case ENXIO: "it is a FIFO or socket, not a partial output; remove it and run without --resume"
                default: errnoText()
                }
            throw OutputError(path: partialPath, message: reason)
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw OutputError(path: partialPath, message: "not a regular file; remove it and run without --resume")
        }
        guard Int(status.st_size) >= length else {
            close(descriptor)
            throw OutputError(
                path: partialPath, message: "shorter than the checkpoint says (\(length) bytes); run without --resume")
        }
        guard ftruncate(descriptor, off_t(length)) == 0, lseek(descriptor, off_t(length), SEEK_SET) >= 0 else {
            let message = errnoText()
            close(descriptor)
            throw OutputError(path: partialPath, message: message)
        }
        return descriptor
    }

    /// Refuses an output path that names a directory, FIFO, device or socket, before any work:
    /// the same rule ``commit()`` applies.
    static func refuseDirectory(_ path: String) throws(OutputError) {
        do {
            try AtomicFileWriter.refuseDirectory(path)
        } catch {
            throw OutputError(path: error.path, message: error.reason)
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    private static let flushSize = 1 << 20

    func write(_ text: String) throws(OutputError) {
        let full = buffer.withBytes { bytes in
            bytes.append(contentsOf: text.utf8)
            return bytes.count >= Self.flushSize
        }
        if full { try flush() }
    }

    /// Flushes when the buffer is full; call between records of the byte-level appends below.
    func flushIfFull() throws(OutputError) {
        if buffer.count >= Self.flushSize { try flush() }
    }

    func append(_ text: StaticString) {
        buffer.withBytes {
            $0.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }
    }

    func append(_ bytes: [UInt8]) { buffer.withBytes { $0.append(contentsOf: bytes) } }

    /// Appends raw bytes (a column of a binary format).
    func append(raw bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        bytes.withMemoryRebound(to: UInt8.self) { typed in buffer.withBytes { $0.append(contentsOf: typed) } }
    }

    /// Appends `count` zero bytes.
    func append(zeros count: Int) {
        guard count > 0 else { return }
        buffer.withBytes { $0.append(contentsOf: repeatElement(0, count: count)) }
    }

    /// Appends `value` as `width` little-endian bytes.
    func append(unsigned value: UInt64, width: Int) {
        buffer.withBytes { bytes in
            for shift in stride(from: 0, to: 8 * width, by: 8) {
                bytes.append(UInt8(truncatingIfNeeded: value >> shift))
            }
        }
    }

    /// Appends the decimal digits of `value` without making a String.
    func append(decimal value: Int) {
        if value < 0 {
            buffer.withBytes { $0.append(UInt8(ascii: "-")) }
            append(decimal: -value)
            return
        }
        if value < 10 {
            buffer.withBytes { $0.append(UInt8(ascii: "0") + UInt8(value)) }
            return
        }
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { raw in
            while rest > 0 {
                raw[19 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            buffer.withBytes { $0.append(contentsOf: raw[(20 - count)...]) }
        }
    }

    /// Writes out what is buffered.
    func flush() throws(OutputError) {
        let descriptor = self.descriptor
        let outcome = buffer.withBytes { bytes -> (written: Int, failure: Int32?) in
            if let failure = bytes.withUnsafeBytes({ FileDescriptor.writeAll(descriptor, $0) }) { return (0, failure) }
            let written = bytes.count
            bytes.removeAll(keepingCapacity: true)
            return (written, nil)
        }
        if let failure = outcome.failure {
            throw OutputError(path: partialPath, message: String(cString: strerror(failure)))
        }
        flushedLength += outcome.written
    }

    /// Flushes and (unless `syncOnCommit` is off) syncs the data to disk, so a checkpoint saved
    /// next never vouches for bytes a crash could lose: resuming truncates to exactly what it
    /// says.
    func flushForCheckpoint() throws(OutputError) {
        try flush()
        guard !syncOnCommit || fdatasync(descriptor) == 0 else {
            throw OutputError(path: partialPath, message: Self.errnoText())
        }
    }

    /// The write buffer as a ``DroppableBuffer`` named `name`: dropping it gives back its
    /// spare capacity (the whole allocation when it is empty, as at a batch boundary). Holds
    /// the buffer weakly, so a governor that outlives the file keeps nothing of it.
    func droppableBuffer(_ name: String) -> DroppableBuffer {
        DroppableBuffer(name: "\(name) (\(partialPath))") { [weak buffer] in buffer?.releaseSpareCapacity() ?? 0 }
    }

    /// Flushes, syncs, closes and renames the partial file to its real name, then syncs the
    /// directory so the rename survives a crash. The output is replaced only here.
    func commit() throws(OutputError) {
        try flush()
        guard !syncOnCommit || fsync(descriptor) == 0 else {
            throw OutputError(path: partialPath, message: Self.errnoText())
        }
        close(descriptor)
        descriptor = -1
        do {
            try AtomicFileWriter.replace(path, with: partialPath, sync: syncOnCommit)
        } catch {
            throw OutputError(path: error.path, message: error.reason)
        }
    }

    /// Closes and removes the partial file: the run's result is not kept, and the output
    /// (if any) stays as it was.
    func discard() {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
        unlink(partialPath)
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}

/// The bytes a ``PartialFile`` gathers before each write, behind a lock: the memory governor
/// drops buffers from whichever thread reads memory, while the file's owner appends to it.
final class OutputBuffer: Sendable {
    private let bytes = Mutex<[UInt8]>([])

    /// Bytes gathered and not yet written.
    var count: Int { bytes.withLock { $0.count } }

    /// Runs `body` on the bytes, holding the lock.
    func withBytes<Result: Sendable>(_ body: (inout [UInt8]) -> Result) -> Result {
        bytes.withLock { body(&$0) }
    }

    /// Replaces the storage with one just large enough for the bytes it holds (none when
    /// empty); returns the bytes of capacity given back.
    func releaseSpareCapacity() -> Int {
        bytes.withLock { value in
            let spare = value.capacity - value.count
            guard spare > 0 else { return 0 }
            if value.isEmpty {
                value = []
            } else {
                var fitted: [UInt8] = []
                fitted.reserveCapacity(value.count)
                fitted.append(contentsOf: value)
                value = fitted
            }
            return spare
        }
    }
}
