import Hummingbird
import Logging
import NIOCore
import Prometheus

/// Serves a Prometheus registry as text at `GET /metrics`, on a loopback address unless asked
/// to serve publicly. On loopback it answers only requests whose `Host` is a loopback name or
/// address, so a web page that rebinds its own DNS name to 127.0.0.1 cannot read it; idle
/// connections are closed after a while, so clients that open and never ask hold nothing.
public final class MetricsEndpoint: Sendable {
    private let task: Task<Void, any Error>
    /// The port it listens on.
    public let port: Int

    /// How long a connection may sit idle before it is closed.
    public static let idleTimeout = TimeAmount.seconds(30)

    private init(task: Task<Void, any Error>, port: Int) {
        self.task = task
        self.port = port
    }

    /// Starts serving `registry` on `host:port` (port 0: any free port). A `host` that is not a
    /// loopback address is refused unless `publicly` (the `--metrics-publicly` flag).
    public static func start(registry: PrometheusCollectorRegistry, host: String, port: Int, publicly: Bool = false) async throws -> MetricsEndpoint {
        guard publicly || NetworkAddress.isLoopback(host) else {
            throw IssueStreamError.badConfiguration(
                "--metrics-listen \(host): not a loopback address; add --metrics-publicly to serve on other interfaces")
        }
        let router = Router()
        router.get("/metrics") { request, _ -> Response in
            if !publicly, let authority = request.head.authority, !isLoopbackAuthority(authority) {
                return Response(
                    status: .init(code: 421, reasonPhrase: "Misdirected Request"), headers: [.contentType: "text/plain"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: "this endpoint answers only requests addressed to a loopback host\n")))
            }
            var bytes: [UInt8] = []
            registry.emit(into: &bytes)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "issue-stream.metrics")
        logger.logLevel = .critical
        let app = Application(
            router: router, server: .http1(configuration: .init(idleTimeout: idleTimeout)),
            configuration: .init(address: .hostname(host, port: port), serverName: "issue-stream"),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            }, logger: logger)
        let task = Task {
            defer { continuation.finish() }
            try await app.run()
        }
        var bound = 0
        for await value in ports { bound = value }
        guard bound > 0 else {
            task.cancel()
            let failure = await task.result
            let reason: String
            if case .failure(let error) = failure { reason = ServerText.shown(String(describing: error), hiding: nil) } else { reason = "it stopped" }
            throw IssueStreamError.badConfiguration("--metrics-listen \(host):\(port): cannot listen (\(reason))")
        }
        return MetricsEndpoint(task: task, port: bound)
    }

    /// Stops serving.
    public func stop() async {
        task.cancel()
        _ = await task.result
    }

    /// Whether a `Host` value (`name[:port]`, `[v6][:port]`) names a loopback host.
    static func isLoopbackAuthority(_ authority: String) -> Bool {
        var host = authority
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            host = String(host[...close])
        } else if let colon = host.firstIndex(of: ":") {
            host = String(host[..<colon])
        }
        return NetworkAddress.isLoopback(host)
    }
}
