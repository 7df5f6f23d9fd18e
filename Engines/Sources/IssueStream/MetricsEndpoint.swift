import NIOCore
import Prometheus
import SoakGateHTTP

/// Serves a Prometheus registry as text at `GET /metrics`, on a loopback address unless asked
/// to serve publicly. It is the harness's ``LoopbackHTTPServer``, the one that serves a soak's
/// live page: on loopback it answers only requests whose `Host` is a loopback name or address
/// (421 otherwise), so a web page that rebinds its own DNS name to 127.0.0.1 cannot read it; it
/// keeps at most ``maximumConnections`` connections and closes one idle for ``idleTimeout``.
public final class MetricsEndpoint: Sendable {
    private let server: LoopbackHTTPServer
    /// The port it listens on.
    public var port: Int { server.port }

    /// How long a connection may sit idle before it is closed.
    public static let idleTimeout = LoopbackHTTPServer.idleTimeout
    /// Connections served at once; more are closed as they arrive.
    public static let maximumConnections = LoopbackHTTPServer.maximumConnections

    private init(server: LoopbackHTTPServer) {
        self.server = server
    }

    /// Starts serving `registry` on `host:port` (port 0: any free port). A `host` that is not a
    /// loopback address is refused unless `publicly` (the `--metrics-publicly` flag).
    public static func start(registry: PrometheusCollectorRegistry, host: String, port: Int, publicly: Bool = false)
        async throws -> MetricsEndpoint
    {
        guard (0...65535).contains(port) else {
            throw IssueStreamError.badConfiguration(
                "--metrics-listen \(host):\(port): the port must be from 0 to 65535")
        }
        let address = HTTPListenAddress(host: NetworkAddress.unbracketed(host), port: port)
        guard publicly || address.isLoopback else {
            throw IssueStreamError.badConfiguration(
                "--metrics-listen \(host): not a loopback address; add --metrics-publicly to serve on other interfaces")
        }
        do {
            let server = try await LoopbackHTTPServer.start(address: address) { path in
                guard path == "/metrics" else { return .text(404, "not found; metrics are at /metrics\n") }
                var bytes: [UInt8] = []
                registry.emit(into: &bytes)
                return LoopbackHTTPServer.Response(status: 200, contentType: "text/plain; version=0.0.4", body: bytes)
            }
            return MetricsEndpoint(server: server)
        } catch {
            throw IssueStreamError.badConfiguration(
                "--metrics-listen \(host):\(port): cannot listen (\(ServerText.shown(String(describing: error), hiding: nil)))"
            )
        }
    }

    /// Stops serving: closes the listening socket and every connection.
    public func stop() async {
        await server.shutdown()
    }
}
