import SoakGateBasics

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Host names and addresses as the client and the metrics endpoint judge them: parsed as IP
/// addresses, never matched as text (`127.evil.invalid` is a name, not a loopback address).
public enum NetworkAddress {
    /// Whether `host` (a URL's host, brackets allowed around IPv6) is the loopback interface:
    /// `localhost`, an IPv4 address in 127.0.0.0/8, `::1`, or `::ffff:127.x.y.z`.
    public static func isLoopback(_ host: String) -> Bool {
        let bare = unbracketed(host)
        if bare.lowercased() == "localhost" { return true }
        if let octets = ipv4(bare) { return octets[0] == 127 }
        if let bytes = ipv6(bare) {
            if bytes == [UInt8](repeating: 0, count: 15) + [1] { return true }
            let mapped = [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF]
            return Array(bytes[0..<12]) == mapped && bytes[12] == 127
        }
        return false
    }

    /// Whether `host` is an IP address literal (IPv4 dotted quad or IPv6, brackets allowed).
    public static func isAddressLiteral(_ host: String) -> Bool {
        let bare = unbracketed(host)
        return ipv4(bare) != nil || ipv6(bare) != nil
    }

    /// `host` without the brackets of an IPv6 literal.
    static func unbracketed(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") && host.count >= 2 ? String(host.dropFirst().dropLast()) : host
    }

    /// The four octets of a strict dotted-quad IPv4 address (no `127.1` shorthand).
    static func ipv4(_ text: String) -> [UInt8]? {
        var address = in_addr()
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
            inet_pton(AF_INET, text, &address) == 1
        else { return nil }
        return withUnsafeBytes(of: address.s_addr) { Array($0) }
    }

    /// The sixteen bytes of an IPv6 address.
    static func ipv6(_ text: String) -> [UInt8]? {
        var address = in6_addr()
        guard !text.isEmpty, text.contains(":"), inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: address) { Array($0) }
    }
}

/// `HOST:PORT` to listen on, parsed: HOST must be an IP address (`[...]` around IPv6) or
/// `localhost`, and a loopback one unless serving publicly was asked for.
public struct ListenAddress: Sendable, Equatable {
    /// The host to bind, without brackets.
    public var host: String
    /// The port (0: any free port).
    public var port: Int

    /// A problem with the address, naming the flag.
    public struct AddressError: Error, CustomStringConvertible, Equatable, Sendable {
        /// The whole line.
        public var description: String
    }

    /// Parses `text` given to `flag`; refuses a host that is not loopback unless `publicly`,
    /// where `publicFlag` is the flag that allows it.
    public init(_ text: String, flag: String, publicly: Bool, publicFlag: String) throws(AddressError) {
        let example = "try \(flag) 127.0.0.1:9464"
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex else {
            throw AddressError(description: "\(flag) '\(text)' is not HOST:PORT; \(example)")
        }
        let hostText = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        let port: Int
        do { port = try CheckedNumber.integer(portText, in: 0...65535, source: "\(flag) '\(text)': port") } catch {
            throw AddressError(
                description: "\(flag) '\(text)': the port must be a whole number from 0 to 65535; \(example)")
        }
        // A bare IPv6 address needs brackets, or its last group would read as the port.
        if hostText.contains(":"), !(hostText.hasPrefix("[") && hostText.hasSuffix("]")) {
            throw AddressError(
                description: "\(flag) '\(text)': put an IPv6 address in brackets, e.g. \(flag) [::1]:9464")
        }
        let host = NetworkAddress.unbracketed(hostText)
        guard host.lowercased() == "localhost" || NetworkAddress.isAddressLiteral(hostText) else {
            throw AddressError(
                description: "\(flag) '\(text)': '\(hostText)' is not an IP address or localhost; \(example)")
        }
        guard publicly || NetworkAddress.isLoopback(host) else {
            throw AddressError(
                description:
                    "\(flag) '\(text)' would serve on a non-loopback interface; add \(publicFlag) to allow that, or \(example)"
            )
        }
        self.host = host
        self.port = port
    }

    /// An address taken as given (already checked by the caller).
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `host:port` as a URL authority (brackets around IPv6).
    public var authority: String { (host.contains(":") ? "[\(host)]" : host) + ":\(port)" }
}
