import Foundation
import GitHubTestServer
import IssueStream
import XCTest

/// A local server and a client on a shared virtual clock, for one test.
struct LocalGitHub {
    let server: GitHubTestServer
    let client: GitHubClient
    let clock: VirtualClock
    let directory: URL
    static let token = "test-token"

    static func start(
        _ repositories: [SeededRepository], hourlyLimit: Int? = nil, secondary: SecondaryLimits? = nil,
        faults: FaultPlan = .none,
        stallSeconds: Double = 30, token: String = token, cacheDirectory: Bool = false,
        adjust: (inout GitHubClientConfiguration) -> Void = { _ in }
    ) async throws -> LocalGitHub {
        let clock = VirtualClock()
        let server = try await GitHubTestServer.start(
            GitHubServerConfiguration(
                repositories: repositories, tokens: [Self.token], hourlyLimit: hourlyLimit, secondaryLimits: secondary,
                faults: faults, stallSeconds: stallSeconds, now: { clock.now() }))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "issue-stream-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = GitHubClientConfiguration(apiURL: server.baseURL, token: token, tokenSource: "$TEST_TOKEN")
        adjust(&configuration)
        let cache = try ResponseCache(directory: cacheDirectory ? directory.appendingPathComponent("cache") : nil)
        let client = try GitHubClient(configuration: configuration, clock: clock, cache: cache)
        return LocalGitHub(server: server, client: client, clock: clock, directory: directory)
    }

    /// A second client on the same server and clock (a new process, say), sharing the disk cache.
    func secondClient(cacheDirectory: Bool) throws -> GitHubClient {
        try GitHubClient(
            configuration: GitHubClientConfiguration(apiURL: server.baseURL, token: Self.token), clock: clock,
            cache: try ResponseCache(directory: cacheDirectory ? directory.appendingPathComponent("cache") : nil))
    }

    func triage(_ options: TriageOptions, client: GitHubClient? = nil) async throws -> (TriageSummary, [TriageLine]) {
        var options = options
        let path = directory.appendingPathComponent("out-\(UUID().uuidString).jsonl").path
        options.outputPath = path
        let summary = try await TriageRun.run(client: client ?? self.client, options: options)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = try text.split(separator: "\n").map {
            try JSONDecoder().decode(TriageLine.self, from: Data($0.utf8))
        }
        return (summary, lines)
    }

    func stop() async throws {
        try await client.shutdown()
        await server.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Asserts that every number 1...count appears exactly once among the lines.
func assertEachNumberOnce(_ lines: [TriageLine], count: Int, file: StaticString = #filePath, line: UInt = #line) {
    let numbers = lines.compactMap(\.number)
    XCTAssertEqual(numbers, Array(1...count), "every issue exactly once, in order", file: file, line: line)
}
