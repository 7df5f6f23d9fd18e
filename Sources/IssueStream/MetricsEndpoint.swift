import Hummingbird
import Logging
import Prometheus

/// Serves a Prometheus registry as text at `GET /metrics` on a loopback address.
public final class MetricsEndpoint: Sendable {
    private let task: Task<Void, any Error>
    /// The port it listens on.
    public let port: Int

    private init(task: Task<Void, any Error>, port: Int) {
        self.task = task
        self.port = port
    }

    /// Starts serving `registry` on `host:port` (port 0: any free port).
    public static func start(registry: PrometheusCollectorRegistry, host: String, port: Int) async throws -> MetricsEndpoint {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
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
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "issue-stream"),
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
            throw IssueStreamError.unexpectedStatus(url: "\(host):\(port)", status: 0, message: "cannot listen for --metrics-listen (\(failure))")
        }
        return MetricsEndpoint(task: task, port: bound)
    }

    /// Stops serving.
    public func stop() async {
        task.cancel()
        _ = await task.result
    }
}
