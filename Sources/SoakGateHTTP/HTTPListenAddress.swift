#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a ``LoopbackHTTPServer`` listens, from a `HOST:PORT` flag (`soakgate soak --listen`):
/// the address is parsed, not matched as text, so `127.evil.invalid` is a name like any other and
/// not loopback. Only a loopback address (127.0.0.0/8, `::1`, or `localhost` when it resolves to
/// loopback alone) is accepted unless serving publicly was asked for.
public struct HTTPListenAddress: Sendable, Equatable {
    /// The host to bind, as given (brackets of an IPv6 literal removed).
    public var host: String
    /// The port; 0 lets the system choose.
    public var port: Int
    /// Whether `host` is a loopback address: then requests must name it in `Host` (DNS rebinding).
    public var isLoopback: Bool

    /// A `HOST:PORT` value that cannot be used, as one line naming the flag and the value.
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Parses `text` (`127.0.0.1:9464`, `[::1]:0`, `localhost:8080`); `publicly` allows any address.
    public static func parse(_ text: String, publicly: Bool, flag: String = "--listen") throws(ParseError)
        -> HTTPListenAddress
    {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw ParseError(
                description:
                    "\(flag) '\(text)' is not HOST:PORT with a port from 0 to 65535; write e.g. \(flag) 127.0.0.1:9464")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0 == "/" || $0 == "[" || $0 == "]" }) else {
            throw ParseError(description: "\(flag) '\(text)' has no usable host; write e.g. \(flag) 127.0.0.1:\(port)")
        }
        let loopback = isLoopback(host)
        guard loopback || publicly else {
            throw ParseError(
                description:
                    "\(flag) '\(text)' is not a loopback address; use 127.0.0.1:\(port), or add \(flag)-publicly to serve others"
            )
        }
        return HTTPListenAddress(host: host, port: port, isLoopback: loopback)
    }

    /// An address already split and checked by its caller (a port from 0 to 65535, a host without
    /// brackets), judged loopback or not as ``parse(_:publicly:flag:)`` judges it.
    public init(host: String, port: Int) {
        self.init(host: host, port: port, isLoopback: Self.isLoopback(host))
    }

    private init(host: String, port: Int, isLoopback: Bool) {
        self.host = host
        self.port = port
        self.isLoopback = isLoopback
    }

    /// Whether `host` is an IPv4 address in 127.0.0.0/8, `::1` (or an IPv4-mapped 127.x), or the
    /// name `localhost` resolving to such addresses only. Other names are never loopback.
    static func isLoopback(_ host: String) -> Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return isLoopback(v4) }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 { return isLoopback(v6) }
        guard host.lowercased() == "localhost" else { return false }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return false }
        defer { freeaddrinfo(first) }
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            guard let address = entry.pointee.ai_addr else { return false }
            switch Int32(address.pointee.sa_family) {
            case AF_INET:
                let ok = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    isLoopback($0.pointee.sin_addr)
                }
                if !ok { return false }
            case AF_INET6:
                let ok = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    isLoopback($0.pointee.sin6_addr)
                }
                if !ok { return false }
            default:
                return false
            }
            cursor = entry.pointee.ai_next
        }
        return true
    }

    private static func isLoopback(_ address: in_addr) -> Bool {
        UInt32(bigEndian: address.s_addr) >> 24 == 127
    }

    private static func isLoopback(_ address: in6_addr) -> Bool {
        let bytes = withUnsafeBytes(of: address) { Array($0) }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }
        // ::ffff:127.x.y.z
        return bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF && bytes[12] == 127
    }

    /// The `Host` header values a request to this loopback address may carry: the names it is
    /// reached by, with and without the port. A page fetched through another name (a DNS
    /// rebinding attack's) is refused.
    func allowedHostHeaders(boundPort: Int) -> Set<String> {
        var names: Set<String> = ["localhost", "127.0.0.1", "[::1]"]
        names.insert(host.contains(":") ? "[\(host.lowercased())]" : host.lowercased())
        var allowed: Set<String> = []
        for name in names {
            allowed.insert(name)
            allowed.insert("\(name):\(boundPort)")
        }
        return allowed
    }
}
