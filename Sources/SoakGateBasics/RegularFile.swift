#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads input files that others wrote: only regular files, opened non-blocking so a FIFO,
/// a device or a socket named like an input is refused instead of hanging the run.
public enum RegularFile {
    /// A problem reading an input, as one line naming it.
    public struct ReadError: Error, CustomStringConvertible, Equatable, Sendable {
        /// The input.
        public var path: String
        /// What is wrong.
        public var reason: String

        /// An error for `path`.
        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }

        public var description: String { "cannot read \(path): \(reason)" }
    }

    /// What kind of thing `path` is, as a user would say it: "a directory", "a FIFO", ...;
    /// nil for a regular file or a path that does not exist.
    public static func irregularKind(_ path: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return kind(status.st_mode)
    }

    static func kind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }

    /// The whole content of the regular file at `path`, at most `limit` bytes.
    public static func read(_ path: String, limit: Int = 1 << 30) throws(ReadError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { throw ReadError(path: path, reason: String(cString: strerror(systemErrno))) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            throw ReadError(path: path, reason: String(cString: strerror(systemErrno)))
        }
        if let kind = kind(status.st_mode) { throw ReadError(path: path, reason: "it is \(kind), not a regular file") }
        guard status.st_size >= 0, Int(status.st_size) <= limit else {
            throw ReadError(path: path, reason: "larger than the limit of \(limit) bytes")
        }
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
        var count = 0
        // Read the size fstat gave; then a small probe says whether the file ended there (it
        // almost always has) without doubling the buffer for the check.
        var probe = [UInt8](repeating: 0, count: 4096)
        while true {
            let got: Int
            if count < bytes.count {
                got = bytes.withUnsafeMutableBytes { raw in systemRead(fd, raw.baseAddress! + count, raw.count - count)
                }
            } else {
                got = probe.withUnsafeMutableBytes { raw in systemRead(fd, raw.baseAddress!, raw.count) }
            }
            if got < 0 {
                if systemErrno == EINTR { continue }
                throw ReadError(path: path, reason: String(cString: strerror(systemErrno)))
            }
            if got == 0 { break }
            if count == bytes.count {
                // The file grew while it was read: read on, within the limit.
                guard count + got <= limit else {
                    throw ReadError(path: path, reason: "larger than the limit of \(limit) bytes")
                }
                bytes.append(contentsOf: probe[0..<got])
            }
            count += got
        }
        bytes.removeLast(bytes.count - count)
        return bytes
    }
}
