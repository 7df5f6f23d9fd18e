#if LivePage
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A small HTTP/1.1 server (SwiftNIO) for read-only pages such as a soak's live page and a
/// Prometheus `/metrics`: GET and HEAD only, one event-loop thread, answers computed by `respond`
/// from the request path.
///
/// Bound to loopback (see ``HTTPListenAddress``) it answers only requests whose `Host` names a
/// loopback address, so a web page cannot reach it through a rebound DNS name. It keeps at most
/// ``maximumConnections`` connections and closes one that is idle for ``idleTimeout``.
public final class LoopbackHTTPServer: Sendable {
    /// What the server answers to one GET.
    public struct Response: Sendable {
        /// The HTTP status code.
        public var status: Int
        /// The `Content-Type` header.
        public var contentType: String
        /// The body, sent whole with its `Content-Length`.
        public var body: [UInt8]

        /// An answer with this status, type and body.
        public init(status: Int, contentType: String, body: [UInt8]) {
            self.status = status
            self.contentType = contentType
            self.body = body
        }

        /// A plain-text answer (UTF-8).
        public static func text(_ status: Int, _ text: String) -> Response {
            Response(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
        }
    }

    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    /// The port bound (the one asked for, or the one the system chose for 0).
    public let port: Int
    /// The host bound, as given.
    public let host: String

    /// Connections served at once; more are closed as they arrive.
    public static let maximumConnections = 32
    /// A connection with no request for this long is closed.
    public static let idleTimeout = TimeAmount.seconds(30)

    /// Why the server could not start.
    public struct StartError: Error, CustomStringConvertible {
        /// One line naming the address and the system's reason.
        public var description: String
    }

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel, host: String, port: Int) {
        self.group = group
        self.channel = channel
        self.host = host
        self.port = port
    }

    /// Starts serving on `address`; `respond` answers a GET or HEAD of a path (the query dropped).
    public static func start(
        address: HTTPListenAddress, idleTimeout: TimeAmount = LoopbackHTTPServer.idleTimeout,
        respond: @escaping @Sendable (_ path: String) -> Response
    ) async throws -> LoopbackHTTPServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let connections = ConnectionCount()
        // The port is known only after binding (for port 0); connections made after it read it.
        let allowedHosts = AllowedHosts()
        if address.isLoopback {
            allowedHosts.value.withLock { $0 = address.allowedHostHeaders(boundPort: address.port) }
        }
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                if connections.value.add(1, ordering: .relaxed).newValue > maximumConnections {
                    connections.value.subtract(1, ordering: .relaxed)
                    return channel.close()
                }
                channel.closeFuture.whenComplete { _ in connections.value.subtract(1, ordering: .relaxed) }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(allTimeout: idleTimeout))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        HTTPRequestHandler(allowedHosts: allowedHosts.value.withLock { $0 }, respond: respond))
                }
            }
        do {
            let channel = try await bootstrap.bind(host: address.host, port: address.port).get()
            let bound = channel.localAddress?.port ?? address.port
            if address.isLoopback { allowedHosts.value.withLock { $0 = address.allowedHostHeaders(boundPort: bound) } }
            return LoopbackHTTPServer(group: group, channel: channel, host: address.host, port: bound)
        } catch {
            try? await group.shutdownGracefully()
            throw StartError(description: "cannot listen on \(address.host):\(address.port): \(error)")
        }
    }

    /// Closes the listening socket and stops the event loop (which closes every connection).
    public func shutdown() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

/// The connections open now, shared by every connection's set-up.
private final class ConnectionCount: Sendable {
    let value = Atomic<Int>(0)
}

/// The `Host` values accepted, set once the port is bound; nil serves any (publicly).
private final class AllowedHosts: Sendable {
    let value = Mutex<Set<String>?>(nil)
}
#endif
