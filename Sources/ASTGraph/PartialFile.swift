#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A problem writing an output file, as one line naming the file.
public struct OutputError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var message: String

    public var description: String { "cannot write \(path): \(message)" }
}

/// An output file written under `<path>.partial` and renamed to `<path>` only when complete,
/// so a failed or interrupted run never leaves a truncated file where the output belongs.
/// The partial file stays for `--resume`, which truncates it to the checkpoint's length.
///
/// Owns its descriptor: closed in `deinit` on every path.
final class PartialFile {
    let path: String
    let partialPath: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private var flushedLength: Int
    /// Bytes written so far, including those still buffered.
    var length: Int { flushedLength + buffer.count }
    /// Whether ``commit()`` syncs the data to disk before the rename.
    private let syncOnCommit: Bool

    /// Opens the partial file: empty, or (resuming) cut back to `resumeLength`.
    /// `syncOnCommit: false` skips the `fsync` before the rename (for measurements that repeat
    /// a small export thousands of times; a user's output is always synced).
    init(path: String, resumeLength: Int? = nil, syncOnCommit: Bool = true) throws(OutputError) {
        self.path = path
        self.syncOnCommit = syncOnCommit
        partialPath = path + ".partial"
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (resumeLength == nil ? O_TRUNC : 0)
        descriptor = open(partialPath, flags, 0o644)
        guard descriptor >= 0 else { throw OutputError(path: partialPath, message: Self.errnoText()) }
        flushedLength = 0
        if let resumeLength {
            var status = stat()
            guard fstat(descriptor, &status) == 0, Int(status.st_size) >= resumeLength else {
                close(descriptor)
                throw OutputError(path: partialPath, message: "shorter than the checkpoint says (\(resumeLength) bytes); run without --resume")
            }
            guard ftruncate(descriptor, off_t(resumeLength)) == 0, lseek(descriptor, off_t(resumeLength), SEEK_SET) >= 0 else {
                let message = Self.errnoText()
                close(descriptor)
                throw OutputError(path: partialPath, message: message)
            }
            flushedLength = resumeLength
        }
        buffer.reserveCapacity(Self.flushSize)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    private static let flushSize = 1 << 20

    func write(_ text: String) throws(OutputError) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.flushSize { try flush() }
    }

    /// Flushes when the buffer is full; call between records of the byte-level appends below.
    func flushIfFull() throws(OutputError) {
        if buffer.count >= Self.flushSize { try flush() }
    }

    func append(_ text: StaticString) {
        buffer.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    func append(_ bytes: [UInt8]) { buffer.append(contentsOf: bytes) }

    /// Appends the decimal digits of `value` without making a String.
    func append(decimal value: Int) {
        if value < 0 {
            buffer.append(UInt8(ascii: "-"))
            append(decimal: -value)
            return
        }
        if value < 10 {
            buffer.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { raw in
            while rest > 0 {
                raw[19 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            buffer.append(contentsOf: raw[(20 - count)...])
        }
    }

    /// Writes out what is buffered.
    func flush() throws(OutputError) {
        var written = 0
        while written < buffer.count {
            let result = buffer.withUnsafeBytes { Self.systemWrite(descriptor, $0.baseAddress! + written, buffer.count - written) }
            if result < 0 {
                if errno == EINTR { continue }
                throw OutputError(path: partialPath, message: Self.errnoText())
            }
            written += result
        }
        flushedLength += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, syncs, closes and renames the partial file to its real name.
    func commit() throws(OutputError) {
        try flush()
        guard !syncOnCommit || fsync(descriptor) == 0 else { throw OutputError(path: partialPath, message: Self.errnoText()) }
        close(descriptor)
        descriptor = -1
        guard rename(partialPath, path) == 0 else { throw OutputError(path: path, message: Self.errnoText()) }
    }

    private static func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.write(descriptor, bytes, count)
        #elseif canImport(Musl)
        Musl.write(descriptor, bytes, count)
        #else
        Darwin.write(descriptor, bytes, count)
        #endif
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
