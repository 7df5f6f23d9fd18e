import CommandTestSupport
import Foundation
import XCTest

#if LivePage
/// The soak's live page on loopback: it answers only to a loopback `Host` (a DNS-rebinding page
/// cannot read it) and keeps a bounded number of connections.
final class LivePageExposureTests: XCTestCase {
    /// A running soak serving its live page; the port it printed.
    private func startSoak() throws -> (RunningCommand, Int) {
        let out = try Command.temporaryDirectory(self) + "/soak"
        let soak = try RunningCommand("soakgate-fixtures", [
            "soak", "--workload", "fixture.clean", "--duration", "30s", "--interval", "1s", "--warmup", "0", "--out", out,
            "--listen", "127.0.0.1:0",
        ])
        addTeardownBlock { soak.signal(SIGKILL) }
        var port: Int?
        _ = soak.waitUntil(seconds: 20) {
            guard let range = soak.standardErrorSoFar.range(of: "http://127.0.0.1:") else { return false }
            port = Int(soak.standardErrorSoFar[range.upperBound...].prefix { $0.isNumber })
            return port != nil
        }
        return (soak, try XCTUnwrap(port, "no live page address in: \(soak.standardErrorSoFar)"))
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
            throw XCTSkip("cannot connect to the live page: \(String(cString: strerror(errno)))")
        }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// The status line of `GET /metrics` sent with `hostHeader` (none when nil).
    private func statusLine(_ port: Int, hostHeader: String?) throws -> String {
        let fd = try connect(port)
        defer { close(fd) }
        let request = "GET /metrics HTTP/1.1\r\n" + (hostHeader.map { "Host: \($0)\r\n" } ?? "") + "Connection: close\r\n\r\n"
        _ = request.withCString { write(fd, $0, strlen($0)) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        return String(decoding: received, as: UTF8.self).split(separator: "\r\n").first.map(String.init) ?? ""
    }

    func testOnlyALoopbackHostIsAnswered() throws {
        let (_, port) = try startSoak()
        XCTAssertEqual(try statusLine(port, hostHeader: "127.0.0.1:\(port)"), "HTTP/1.1 200 OK")
        XCTAssertEqual(try statusLine(port, hostHeader: "localhost:\(port)"), "HTTP/1.1 200 OK")
        for rebound in ["attacker.example:\(port)", "127.evil.invalid:\(port)", "localhost.attacker.example"] {
            XCTAssertTrue(try statusLine(port, hostHeader: rebound).hasPrefix("HTTP/1.1 421"), rebound)
        }
        XCTAssertTrue(try statusLine(port, hostHeader: nil).hasPrefix("HTTP/1.1 421"), "HTTP/1.1 without Host")
    }

    func testConnectionsBeyondTheCapAreClosed() throws {
        let (_, port) = try startSoak()
        let sockets = try (0..<48).map { _ in try connect(port) }
        defer { sockets.forEach { close($0) } }
        // Idle connections within the cap stay open; those beyond it are closed at once (EOF).
        var polls = sockets.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        Thread.sleep(forTimeInterval: 1)
        _ = poll(&polls, nfds_t(polls.count), 1000)
        var closed = 0
        for entry in polls where entry.revents != 0 {
            var byte: UInt8 = 0
            if read(entry.fd, &byte, 1) == 0 { closed += 1 }
        }
        XCTAssertEqual(closed, 48 - 32, "connections over the cap of 32 are closed, the rest kept")
    }
}
#else
/// Built without the LivePage trait, `--listen` is refused before anything starts, with what to type.
final class LivePageExposureTests: XCTestCase {
    func testListenIsRefusedWithTheBuildToUse() throws {
        let out = try Command.temporaryDirectory(self) + "/soak"
        let outcome = try Command.run("soakgate-fixtures", [
            "soak", "--workload", "fixture.clean", "--duration", "5s", "--out", out, "--listen", "127.0.0.1:0",
        ])
        XCTAssertEqual(outcome.status, 2, outcome.standardError)
        XCTAssertTrue(outcome.standardError.contains("--traits LivePage"), outcome.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }
}
#endif
