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
        registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "memory_governor", metricName: "budget", unitName: "bytes", helpText: "The memory budget.")).set(to: 4096)
        let endpoint = try await MetricsEndpoint.start(registry: registry, host: "127.0.0.1", port: 0)
        addTeardownBlock { await endpoint.stop() }
        return endpoint
    }

    private func connect(_ port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw XCTSkip("cannot connect to /metrics: \(String(cString: strerror(errno)))")
        }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// The whole answer to `GET /metrics` sent with `hostHeader` (none when nil).
    private func get(_ port: Int, hostHeader: String?) throws -> String {
        let fd = try connect(port)
        defer { close(fd) }
        let request = "GET /metrics HTTP/1.1\r\n" + (hostHeader.map { "Host: \($0)\r\n" } ?? "") + "Connection: close\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// The status line of `GET /metrics` sent with `hostHeader`.
    private func statusLine(_ port: Int, hostHeader: String?) throws -> String {
        try get(port, hostHeader: hostHeader).split(separator: "\r\n").first.map(String.init) ?? ""
    }

    func testOnlyALoopbackHostIsAnswered() async throws {
        let port = try await startEndpoint().port
        let answer = try get(port, hostHeader: "127.0.0.1:\(port)")
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 200 OK"), answer)
        XCTAssertTrue(answer.contains("\nmemory_governor_budget_bytes 4096"), "the registry is what is served: \(answer)")
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
        sockets.forEach { close($0) }
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
