import Foundation
import SoakGateBasics

/// The scheme, host and port of `--api-url`: the one origin the token is sent to. A URL of any
/// other origin (a `link` header naming another host, port or scheme) never gets the token.
public struct APIOrigin: Sendable, Equatable {
    /// `http` or `https`, lower case.
    public var scheme: String
    /// The host, lower case, without IPv6 brackets.
    public var host: String
    /// The port, the scheme's default when the URL names none.
    public var port: Int

    /// The origin of `--api-url` text, checked as a careful user would want it: an http(s) URL
    /// with a host, no user or password in it (the token goes in a variable or file, where it is
    /// not echoed), no query or fragment (paths are appended to it), and plain `http` only to a
    /// loopback address, since anything else would carry the token over the network unencrypted.
    public static func ofAPIURL(_ text: String) throws(IssueStreamError) -> APIOrigin {
        guard let components = URLComponents(string: text), let origin = APIOrigin(components) else {
            throw IssueStreamError.badAPIURL(
                text, reason: "is not an http:// or https:// URL with a host; try --api-url https://api.github.com")
        }
        guard components.user == nil, components.password == nil else {
            throw IssueStreamError.badAPIURL(
                text, reason: "must not carry a user or password; give the token with --token-env or --token-file")
        }
        guard components.query == nil, components.fragment == nil else {
            throw IssueStreamError.badAPIURL(
                text, reason: "must not have a query or fragment; try --api-url https://api.github.com")
        }
        guard origin.scheme == "https" || NetworkAddress.isLoopback(origin.host) else {
            throw IssueStreamError.badAPIURL(
                text,
                reason:
                    "is plain http to a host that is not loopback, so the token would cross the network unencrypted; use https://"
            )
        }
        return origin
    }

    /// The origin of an absolute http(s) URL, or nil.
    public init?(url text: String) {
        guard let components = URLComponents(string: text) else { return nil }
        self.init(components)
    }

    init?(_ components: URLComponents) {
        guard let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty
        else { return nil }
        self.scheme = scheme
        self.host = NetworkAddress.unbracketed(host).lowercased()
        // A port outside 1...65535 is no origin at all; URLComponents has already refused most.
        if let port = components.port {
            guard (1...65535).contains(port) else { return nil }
            self.port = port
        } else {
            self.port = scheme == "https" ? 443 : 80
        }
    }

    /// `scheme://host:port`, for messages.
    public var description: String { "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)" }
}
