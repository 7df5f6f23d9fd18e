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
        let soak = try RunningCommand(
            "soakgate-fixtures",
            [
                "soak", "--workload", "fixture.clean", "--duration", "30s", "--interval", "1s", "--warmup", "0",
                "--out", out,
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

    private func connect(_ port: Int) throws -> Int32 { try LoopbackHTTPProbe.connect(port) }

    private func statusLine(_ port: Int, hostHeader: String?) throws -> String {
        try LoopbackHTTPProbe.statusLine(port: port, hostHeader: hostHeader)
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
        defer { for socket in sockets { close(socket) } }
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
        let outcome = try Command.run(
            "soakgate-fixtures",
            [
                "soak", "--workload", "fixture.clean", "--duration", "5s", "--out", out, "--listen", "127.0.0.1:0",
            ])
        XCTAssertEqual(outcome.status, 2, outcome.standardError)
        XCTAssertTrue(outcome.standardError.contains("--traits LivePage"), outcome.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }
}
#endif
