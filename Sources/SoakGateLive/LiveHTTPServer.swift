#if LivePage
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// What the live server answers to one GET.
public struct LiveResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]

    public init(status: Int, contentType: String, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    public static func text(_ status: Int, _ text: String) -> LiveResponse {
        LiveResponse(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
    }
}

/// A small HTTP/1.1 server (SwiftNIO) for a soak's live page and `/metrics`: GET and HEAD only,
/// one event-loop thread, answers computed by `respond` from the request path.
///
/// Bound to loopback (see ``LiveListenAddress``) it answers only requests whose `Host` names a
/// loopback address, so a web page cannot reach it through a rebound DNS name. It keeps at most
/// ``maximumConnections`` connections and closes one that is idle for ``idleTimeout``.
public final class LiveHTTPServer: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    /// The port bound (the one asked for, or the one the system chose for 0).
    public let port: Int
    public let host: String

    /// Connections served at once; more are closed as they arrive.
    public static let maximumConnections = 32
    /// A connection with no request for this long is closed.
    public static let idleTimeout = TimeAmount.seconds(30)

    /// Why the server could not start.
    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel, host: String, port: Int) {
        self.group = group
        self.channel = channel
        self.host = host
        self.port = port
    }

    /// Starts serving on `address`.
    public static func start(
        address: LiveListenAddress, idleTimeout: TimeAmount = LiveHTTPServer.idleTimeout,
        respond: @escaping @Sendable (_ path: String) -> LiveResponse
    ) async throws -> LiveHTTPServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let connections = ConnectionCount()
        // The port is known only after binding (for port 0); connections made after it read it.
        let allowedHosts = AllowedHosts()
        if address.isLoopback { allowedHosts.value.withLock { $0 = address.allowedHostHeaders(boundPort: address.port) } }
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
                        LiveRequestHandler(allowedHosts: allowedHosts.value.withLock { $0 }, respond: respond))
                }
            }
        do {
            let channel = try await bootstrap.bind(host: address.host, port: address.port).get()
            let bound = channel.localAddress?.port ?? address.port
            if address.isLoopback { allowedHosts.value.withLock { $0 = address.allowedHostHeaders(boundPort: bound) } }
            return LiveHTTPServer(group: group, channel: channel, host: address.host, port: bound)
        } catch {
            try? await group.shutdownGracefully()
            throw StartError(description: "cannot listen on \(address.host):\(address.port): \(error)")
        }
    }

    /// Closes the listening socket and stops the event loop.
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

/// Answers each request on one connection.
private final class LiveRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let respond: @Sendable (String) -> LiveResponse
    /// nil: any `Host` (serving publicly).
    private let allowedHosts: Set<String>?
    private var request: HTTPRequestHead?

    init(allowedHosts: Set<String>?, respond: @escaping @Sendable (String) -> LiveResponse) {
        self.allowedHosts = allowedHosts
        self.respond = respond
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break
        case .end:
            guard let head = request else { return }
            request = nil
            let path = String(head.uri.split(separator: "?", maxSplits: 1).first ?? "/")
            let response: LiveResponse
            if let allowedHosts, !Self.hostAllowed(head, allowedHosts) {
                response = LiveResponse.text(421, "this page answers only to a loopback Host (127.0.0.1, localhost, [::1])\n")
            } else if head.method == .GET || head.method == .HEAD {
                response = respond(path)
            } else {
                response = LiveResponse.text(405, "only GET and HEAD\n")
            }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: response.contentType)
            headers.add(name: "Content-Length", value: "\(response.body.count)")
            headers.add(name: "Cache-Control", value: "no-store")
            let keepAlive = head.isKeepAlive && response.status != 421
            if !keepAlive { headers.add(name: "Connection", value: "close") }
            let status = HTTPResponseStatus(statusCode: response.status)
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
            if head.method != .HEAD {
                var buffer = context.channel.allocator.buffer(capacity: response.body.count)
                buffer.writeBytes(response.body)
                context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            }
            let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !keepAlive {
                let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
                done.whenComplete { _ in loopBound.value.close(promise: nil) }
            }
        }
    }

    /// Exactly one `Host`, naming a loopback address; HTTP/1.0 may leave it out.
    private static func hostAllowed(_ head: HTTPRequestHead, _ allowed: Set<String>) -> Bool {
        let hosts = head.headers["Host"]
        if hosts.isEmpty { return head.version.major == 1 && head.version.minor == 0 }
        guard hosts.count == 1 else { return false }
        return allowed.contains(hosts[0].trimmingCharacters(in: .whitespaces).lowercased())
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
#endif
