import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Raw HTTP/1.1 over a TCP socket to 127.0.0.1, for the tests of what a loopback server exposes:
/// they send requests with a forged `Host` or none, and hold idle connections open, which an
/// HTTP client would not let them do.
public enum LoopbackHTTPProbe {
    /// A connection that could not be made; a test fails on it (the server should be up).
    public struct ConnectionError: Error, CustomStringConvertible {
        public var description: String
    }

    /// A socket connected to 127.0.0.1:`port` with a 5 s receive timeout; the caller closes it.
    public static func connect(_ port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ConnectionError(description: "socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw ConnectionError(description: "cannot connect to 127.0.0.1:\(port): \(reason)")
        }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// The whole answer to `GET path` sent with `hostHeader` (no `Host` line when nil), read
    /// until the server closes the connection.
    public static func get(_ path: String = "/metrics", port: Int, hostHeader: String?) throws -> String {
        let fd = try connect(port)
        defer { close(fd) }
        let request =
            "GET \(path) HTTP/1.1\r\n" + (hostHeader.map { "Host: \($0)\r\n" } ?? "") + "Connection: close\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// The status line of `GET path` sent with `hostHeader`.
    public static func statusLine(_ path: String = "/metrics", port: Int, hostHeader: String?) throws -> String {
        try get(path, port: port, hostHeader: hostHeader).split(separator: "\r\n").first.map(String.init) ?? ""
    }
}
