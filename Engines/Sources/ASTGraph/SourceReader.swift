import SoakGateBasics

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads one source file's bytes and checks them before any parsing: a regular file, within
/// the size limit, UTF-8 without NUL bytes.
///
/// The bytes come through ``RegularFile/read(_:limit:)``, which opens non-blocking and refuses
/// anything but a regular file, so a FIFO, socket or device named `*.swift` fails at once
/// instead of hanging the run, and a file over the limit is refused before it is read.
enum SourceReader {
    /// The bytes of `path`, or the reason they cannot be turned into a graph.
    static func read(_ path: String, maximumBytes: Int) -> Result<[UInt8], FileFailureReason> {
        let bytes: [UInt8]
        do {
            bytes = try RegularFile.read(path, limit: maximumBytes)
        } catch {
            return .failure(reason(for: error, path: path, maximumBytes: maximumBytes))
        }
        if let nul = bytes.firstIndex(of: 0) {
            return .failure(.notUTF8("binary file: NUL byte at offset \(nul)"))
        }
        if String(validating: bytes, as: UTF8.self) == nil {
            return .failure(.notUTF8("invalid UTF-8 at byte offset \(firstInvalidUTF8Offset(bytes))"))
        }
        return .success(bytes)
    }

    /// The structured reason for a refused read: `RegularFile` reports one line of text, but
    /// the summary separates special files (never retried) and oversized files (with their
    /// size) from reads that may pass on another attempt.
    private static func reason(for error: RegularFile.ReadError, path: String, maximumBytes: Int) -> FileFailureReason {
        if let kind = RegularFile.irregularKind(path) { return .notARegularFile(kind) }
        var status = stat()
        if stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, Int(status.st_size) > maximumBytes {
            return .overSizeLimit(bytes: Int(status.st_size), limit: maximumBytes)
        }
        return .unreadable(error.reason)
    }

    /// The offset of the first byte of the first invalid UTF-8 sequence (only called on
    /// bytes already known to be invalid).
    static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput, .error: return offset
            }
        }
    }
}
