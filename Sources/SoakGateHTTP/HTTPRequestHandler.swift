#if LivePage
import Foundation
import NIOCore
import NIOHTTP1

/// Answers each request on one connection of a ``LoopbackHTTPServer``: the `Host` check first,
/// then GET and HEAD through `respond`; anything else is 405.
final class HTTPRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let respond: @Sendable (String) -> LoopbackHTTPServer.Response
    /// nil: any `Host` (serving publicly).
    private let allowedHosts: Set<String>?
    private var request: HTTPRequestHead?

    init(allowedHosts: Set<String>?, respond: @escaping @Sendable (String) -> LoopbackHTTPServer.Response) {
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
            let response: LoopbackHTTPServer.Response
            if let allowedHosts, !Self.hostAllowed(head, allowedHosts) {
                response = .text(421, "this page answers only to a loopback Host (127.0.0.1, localhost, [::1])\n")
            } else if head.method == .GET || head.method == .HEAD {
                response = respond(path)
            } else {
                response = .text(405, "only GET and HEAD\n")
            }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: response.contentType)
            headers.add(name: "Content-Length", value: "\(response.body.count)")
            headers.add(name: "Cache-Control", value: "no-store")
            let keepAlive = head.isKeepAlive && response.status != 421
            if !keepAlive { headers.add(name: "Connection", value: "close") }
            let status = HTTPResponseStatus(statusCode: response.status)
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
                promise: nil)
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
