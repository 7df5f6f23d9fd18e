#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads one source file's bytes and checks them before any parsing: a regular file, within
/// the size limit, UTF-8 without NUL bytes.
enum SourceReader {
    /// The bytes of `path`, or the reason they cannot be turned into a graph.
    static func read(_ path: String, maximumBytes: Int) -> Result<[UInt8], FileFailureReason> {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(.unreadable(errnoText())) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return .failure(.unreadable(errnoText())) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { return .failure(.unreadable("not a regular file")) }
        let size = Int(status.st_size)
        guard size <= maximumBytes else { return .failure(.overSizeLimit(bytes: size, limit: maximumBytes)) }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let got = bytes.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress! + filled, size - filled) }
            if got < 0 {
                if errno == EINTR { continue }
                return .failure(.unreadable(errnoText()))
            }
            if got == 0 { break }  // the file shrank while we read it
            filled += got
        }
        if filled < size { bytes.removeSubrange(filled...) }
        if let nul = bytes.firstIndex(of: 0) {
            return .failure(.notUTF8("binary file: NUL byte at offset \(nul)"))
        }
        if String(validating: bytes, as: UTF8.self) == nil {
            return .failure(.notUTF8("invalid UTF-8 at byte offset \(firstInvalidUTF8Offset(bytes))"))
        }
        return .success(bytes)
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

    private static func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.read(descriptor, buffer, count)
        #elseif canImport(Musl)
        Musl.read(descriptor, buffer, count)
        #else
        Darwin.read(descriptor, buffer, count)
        #endif
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
