import Foundation
import GitHubTestServer
import Prometheus
import XCTest

@testable import IssueStream

/// What a hostile or broken server, or a careless command line, must not get through: links
/// that loop or leave the API's origin, addresses matched as text, numbers that trap.
final class HostileInputTests: XCTestCase {
    let origin = APIOrigin(url: "http://127.0.0.1:8080")!
    let first = "http://127.0.0.1:8080/repos/o/r/issues?state=all"

    func testALinkBackToAPageAlreadyReadIsALoop() throws {
        var links = NextLinks(origin: origin, first: first)
        XCTAssertThrowsError(try links.next(after: first, page: 1, header: "<\(first)>; rel=\"next\"", elements: 5)) {
            error in
            XCTAssertEqual(error as? IssueStreamError, .pageLoop(url: first, page: 1))
        }
        let second = "http://127.0.0.1:8080/repos/o/r/issues?page=2"
        XCTAssertEqual(try links.next(after: first, page: 1, header: "<\(second)>; rel=\"next\"", elements: 5), second)
        XCTAssertThrowsError(try links.next(after: second, page: 2, header: "<\(first)>; rel=\"next\"", elements: 5))
    }

    func testALinkToAnotherOriginOrWithCredentialsIsRefused() {
        for target in [
            "http://127.0.0.1:8081/x", "https://127.0.0.1:8080/x", "http://localhost:8080/x", "file:///etc/passwd",
            "http://u:pw@127.0.0.1:8080/x",
        ] {
            var links = NextLinks(origin: origin, first: first)
            XCTAssertThrowsError(
                try links.next(after: first, page: 1, header: "<\(target)>; rel=\"next\"", elements: 1), target
            ) { error in
                guard case .refusedLink? = error as? IssueStreamError else { return XCTFail("\(target): \(error)") }
                XCTAssertFalse("\(error)".contains("pw@"), "\(error)")
            }
        }
    }

    func testARelativeLinkIsResolvedAgainstThePage() throws {
        var links = NextLinks(origin: origin, first: first)
        XCTAssertEqual(
            try links.next(after: first, page: 1, header: "</repos/o/r/issues?page=2>; rel=\"next\"", elements: 1),
            "http://127.0.0.1:8080/repos/o/r/issues?page=2")
    }

    func testAnEmptyPageWithANextLinkAndPagesFarPastTheLastOneStop() throws {
        var links = NextLinks(origin: origin, first: first)
        XCTAssertThrowsError(
            try links.next(after: first, page: 1, header: "<\(first)&page=2>; rel=\"next\"", elements: 0))
        var bounded = NextLinks(origin: origin, first: first)
        var current = first
        var stopped = false
        for page in 1...100 {
            let header = "<\(first)&page=\(page + 1)>; rel=\"next\", <\(first)&page=3>; rel=\"last\""
            do { current = try bounded.next(after: current, page: page, header: header, elements: 1) ?? current } catch
            {
                XCTAssertEqual(page, 13, "\(error)")
                stopped = true
                break
            }
        }
        XCTAssertTrue(stopped)
    }

    func testLoopbackIsParsedNotMatchedAsText() {
        for host in ["127.0.0.1", "127.255.0.9", "localhost", "LOCALHOST", "::1", "[::1]", "::ffff:127.0.0.1"] {
            XCTAssertTrue(NetworkAddress.isLoopback(host), host)
        }
        for host in [
            "127.evil.invalid", "127.1", "0.0.0.0", "10.0.0.1", "::", "[::ffff:10.0.0.1]", "localhost.evil", "",
            "2130706433",
        ] {
            XCTAssertFalse(NetworkAddress.isLoopback(host), host)
        }
    }

    func testListenAddressesAreLoopbackUnlessPublic() throws {
        XCTAssertEqual(
            try ListenAddress("127.0.0.1:9464", flag: "--m", publicly: false, publicFlag: "--p"),
            ListenAddress(host: "127.0.0.1", port: 9464))
        XCTAssertEqual(try ListenAddress("[::1]:0", flag: "--m", publicly: false, publicFlag: "--p").host, "::1")
        XCTAssertThrowsError(try ListenAddress("0.0.0.0:9464", flag: "--m", publicly: false, publicFlag: "--p"))
        XCTAssertEqual(
            try ListenAddress("0.0.0.0:9464", flag: "--m", publicly: true, publicFlag: "--p").host, "0.0.0.0")
        for text in [
            "127.evil.invalid:1", "127.0.0.1:65536", "127.0.0.1:-1", "::1:80", ":80", "127.0.0.1", "host name:1",
        ] {
            XCTAssertThrowsError(try ListenAddress(text, flag: "--m", publicly: true, publicFlag: "--p"), text)
        }
    }

    func testTheAPIURLCarriesNoCredentialsAndPlainHTTPOnlyToLoopback() throws {
        XCTAssertEqual(try APIOrigin.ofAPIURL("https://api.github.com"), APIOrigin(url: "https://api.github.com:443"))
        XCTAssertNoThrow(try APIOrigin.ofAPIURL("http://127.0.0.1:8080"))
        XCTAssertNoThrow(try APIOrigin.ofAPIURL("http://[::1]:8080/api/v3"))
        XCTAssertThrowsError(try APIOrigin.ofAPIURL("http://example.com")) {
            XCTAssertTrue("\($0)".contains("https://"), "\($0)")
        }
        XCTAssertThrowsError(try APIOrigin.ofAPIURL("https://user:s3cret-pw@example.com")) { error in
            XCTAssertFalse("\(error)".contains("s3cret-pw"), "\(error)")
            XCTAssertTrue("\(error)".contains("***"), "\(error)")
        }
        XCTAssertThrowsError(try APIOrigin.ofAPIURL("https://user:s3cret-pw@[::1/db")) {
            XCTAssertFalse("\($0)".contains("s3cret-pw"), "\($0)")
        }
    }

    func testErrorsNeverShowAPasswordInAURL() {
        let url = "http://u:s3cret-pw@127.0.0.1:1/repos/o/r/issues"
        let errors: [IssueStreamError] = [
            .repositoryNotFound(repo: "o/r", apiURL: url), .badCredentials(apiURL: url, tokenSource: "$T"),
            .unreachable(url: url, attempts: 1, lastError: "x"),
            .refusedLink(url: url, reason: "x"), .pageLoop(url: url, page: 1), .notGitHubJSON(url: url, detail: "x"),
            .badAPIURL(url, reason: "x"),
        ]
        for error in errors { XCTAssertFalse(error.description.contains("s3cret-pw"), error.description) }
    }

    func testRepositoryNamesAreGitHubs() {
        for good in ["apple/swift-nio", "o/r", "a-b/.github", "O1/x_y.z"] {
            XCTAssertNil(RepositoryName.problem(good), good)
        }
        for bad in [
            "../etc", "o/..", "o/.", "o/r/x", "-o/r", "ö/r", "o/", "/r", "o r/x",
            String(repeating: "a", count: 40) + "/r",
        ] {
            XCTAssertNotNil(RepositoryName.problem(bad), bad)
        }
    }

    func testHugeAndNegativeNumbersInAnIssueMakeItUnreadableNotATrap() throws {
        let body = """
            [{"number": 1, "title": "t", "body": null, "state": "open", "labels": [], "comments": 9223372036854775807},
             {"number": -5, "title": "t", "body": null, "state": "open", "labels": [], "comments": 0},
             {"number": 3, "title": "t", "body": null, "state": "open", "labels": [], "comments": 2}]
            """
        let items = try PageFetcher.decode(Data(body.utf8), url: "u")
        guard case .unreadable(1, _, 0, let reason) = items[0] else { return XCTFail("\(items[0])") }
        XCTAssertTrue(reason.contains("comments"), reason)
        guard case .unreadable(-5, _, 1, _) = items[1] else { return XCTFail("\(items[1])") }
        guard case .issue(let issue) = items[2] else { return XCTFail("\(items[2])") }
        XCTAssertEqual(issue.comments, 2)
    }

    func testEveryNumberOfARulesFileIsRangeChecked() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("rules.json").path
        for (json, field) in [
            (#"{"maxDuplicateCandidates": -1}"#, "maxDuplicateCandidates"),
            (#"{"duplicateMemory": 0}"#, "duplicateMemory"),
            (#"{"priorityPerComment": 9223372036854775807}"#, "priorityPerComment"),
            (#"{"basePriority": {"bug": 1000}}"#, "basePriority.bug"), (#"{"maxBodyBytes": 1e300}"#, "maxBodyBytes"),
        ] {
            try Data(json.utf8).write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try TriageRules.load(path: path), json) { error in
                XCTAssertTrue("\(error)".contains(path) && "\(error)".contains(field), "\(error)")
            }
        }
        XCTAssertThrowsError(try TriageRules.load(path: directory.path)) {
            XCTAssertTrue("\($0)".contains("directory"), "\($0)")
        }
    }

    func testAnOutputThatIsADirectoryIsRefusedAndKept() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("keep".utf8).write(to: directory.appendingPathComponent("keep.txt"))
        XCTAssertThrowsError(try DecisionWriter(path: directory.path)) { error in
            guard case .cannotCreateOutput? = error as? IssueStreamError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try String(contentsOf: directory.appendingPathComponent("keep.txt"), encoding: .utf8), "keep")
    }

    func testAStoppedRunKeepsAnEarlierOutput() async throws {
        let github = try await LocalGitHub.start(
            [SeededRepository(owner: "o", name: "r", issueCount: 5)], token: "wrong")
        let path = github.directory.appendingPathComponent("decisions.jsonl").path
        try Data("earlier\n".utf8).write(to: URL(fileURLWithPath: path))
        let summary = try await TriageRun.run(
            client: github.client, options: TriageOptions(repo: "o/r", outputPath: path))
        let kept = try String(contentsOfFile: path, encoding: .utf8)
        let fresh = github.directory.appendingPathComponent("fresh.jsonl").path
        _ = try await TriageRun.run(client: github.client, options: TriageOptions(repo: "o/r", outputPath: fresh))
        let written = try String(contentsOfFile: fresh, encoding: .utf8)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: github.directory.path).filter {
            $0.contains(".tmp-")
        }
        try await github.stop()
        guard case .badCredentials? = summary.stoppedBy else {
            return XCTFail("\(String(describing: summary.stoppedBy))")
        }
        XCTAssertTrue(summary.earlierOutputKept)
        XCTAssertEqual(kept, "earlier\n")
        XCTAssertTrue(written.contains("run_error"), "a first run leaves its lines and the reason: \(written)")
        XCTAssertEqual(leftovers, [])
    }

    func testAConfigurationOutOfRangeIsRefusedBeforeAnyRequest() throws {
        for adjust in [
            { (c: inout GitHubClientConfiguration) in c.readTimeout = 1e17 }, { $0.connectTimeout = .nan },
            { $0.maxRetries = -1 },
            { $0.maxBodyBytes = 0 }, { $0.token = "a\r\nb" },
        ] {
            var configuration = GitHubClientConfiguration(apiURL: "http://127.0.0.1:1", token: "t")
            adjust(&configuration)
            XCTAssertThrowsError(try GitHubClient(configuration: configuration, cache: try ResponseCache())) { error in
                guard case .badConfiguration? = error as? IssueStreamError else { return XCTFail("\(error)") }
            }
        }
    }

    func testTheMetricsEndpointBindsLoopbackAndAnswersOnlyLoopbackHosts() async throws {
        do {
            _ = try await MetricsEndpoint.start(registry: PrometheusCollectorRegistry(), host: "0.0.0.0", port: 0)
            XCTFail("0.0.0.0 without publicly must be refused")
        } catch {}
        let endpoint = try await MetricsEndpoint.start(
            registry: PrometheusCollectorRegistry(), host: "127.0.0.1", port: 0)
        let good = try rawGet(port: endpoint.port, host: "127.0.0.1:\(endpoint.port)")
        let rebound = try rawGet(port: endpoint.port, host: "attacker.example:\(endpoint.port)")
        await endpoint.stop()
        XCTAssertTrue(good.hasPrefix("HTTP/1.1 200"), good)
        XCTAssertTrue(rebound.hasPrefix("HTTP/1.1 421"), rebound)
    }

    /// The status line of `GET /metrics` sent with this `Host`.
    private func rawGet(port: Int, host: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw CocoaError(.fileReadUnknown) }
        let request = Array("GET /metrics HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var reply: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let got = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if got <= 0 { break }
            reply += chunk[0..<got]
        }
        return String(decoding: reply, as: UTF8.self).components(separatedBy: "\r\n").first ?? ""
    }
}
