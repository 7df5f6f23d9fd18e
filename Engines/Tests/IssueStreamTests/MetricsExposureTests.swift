import CommandTestSupport
import Foundation
import IssueStream
import Prometheus
import XCTest

/// issue-stream's `/metrics` on loopback, as the soak's live page (LivePageExposureTests): it
/// answers only to a loopback `Host` (a DNS-rebinding page cannot read it) and keeps a bounded
/// number of connections.
final class MetricsExposureTests: XCTestCase {
    /// An endpoint on 127.0.0.1 serving a registry with one gauge in it.
    private func startEndpoint() async throws -> MetricsEndpoint {
        let registry = PrometheusCollectorRegistry()
        registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "memory_governor", metricName: "budget", unitName: "bytes", helpText: "The memory budget.")
        ).set(to: 4096)
        let endpoint = try await MetricsEndpoint.start(registry: registry, host: "127.0.0.1", port: 0)
        addTeardownBlock { await endpoint.stop() }
        return endpoint
    }

    private func connect(_ port: Int) throws -> Int32 { try LoopbackHTTPProbe.connect(port) }

    private func get(_ port: Int, hostHeader: String?) throws -> String {
        try LoopbackHTTPProbe.get(port: port, hostHeader: hostHeader)
    }

    private func statusLine(_ port: Int, hostHeader: String?) throws -> String {
        try LoopbackHTTPProbe.statusLine(port: port, hostHeader: hostHeader)
    }

    func testOnlyALoopbackHostIsAnswered() async throws {
        let port = try await startEndpoint().port
        let answer = try get(port, hostHeader: "127.0.0.1:\(port)")
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 200 OK"), answer)
        XCTAssertTrue(
            answer.contains("\nmemory_governor_budget_bytes 4096"), "the registry is what is served: \(answer)")
        XCTAssertEqual(try statusLine(port, hostHeader: "localhost:\(port)"), "HTTP/1.1 200 OK")
        XCTAssertEqual(try statusLine(port, hostHeader: "[::1]:\(port)"), "HTTP/1.1 200 OK")
        for rebound in ["attacker.example:\(port)", "127.evil.invalid:\(port)", "localhost.attacker.example"] {
            XCTAssertTrue(try statusLine(port, hostHeader: rebound).hasPrefix("HTTP/1.1 421"), rebound)
        }
        XCTAssertTrue(try statusLine(port, hostHeader: nil).hasPrefix("HTTP/1.1 421"), "HTTP/1.1 without Host")
    }

    func testConnectionsBeyondTheCapAreClosed() async throws {
        let port = try await startEndpoint().port
        let cap = MetricsEndpoint.maximumConnections
        let sockets = try (0..<(cap + 16)).map { _ in try connect(port) }
        // Idle connections within the cap stay open; those beyond it are closed at once (EOF).
        var polls = sockets.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        try await Task.sleep(for: .seconds(1))
        _ = poll(&polls, nfds_t(polls.count), 1000)
        var closed = 0
        for entry in polls where entry.revents != 0 {
            var byte: UInt8 = 0
            if read(entry.fd, &byte, 1) == 0 { closed += 1 }
        }
        for socket in sockets { close(socket) }
        XCTAssertEqual(closed, 16, "connections over the cap of \(cap) are closed, the rest kept")

        // Closed connections give their places back: a scrape after them is answered.
        var status = ""
        for _ in 0..<50 {
            status = try statusLine(port, hostHeader: "127.0.0.1:\(port)")
            if status == "HTTP/1.1 200 OK" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTAssertEqual(status, "HTTP/1.1 200 OK", "a scrape once the idle connections are gone")
    }
}
