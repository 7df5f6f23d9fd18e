import Foundation
import GitHubTestServer
import IssueStream
import SoakGate

/// A local GitHub-compatible server and a client, shared by the issue-stream workloads. Each
/// iteration triages the whole repository through the client's pool and ETag cache; the server
/// keeps no request log, so only the client's side can grow.
struct IssueStreamFixture {
    var server: GitHubTestServer?
    var client: GitHubClient?
    var directory: URL?
    let clock = VirtualClock()

    mutating func start(issues: Int) async throws {
        let clock = clock
        let server = try await GitHubTestServer.start(
            GitHubServerConfiguration(
                repositories: [SeededRepository(owner: "soak", name: "repo", issueCount: issues)],
                tokens: ["soak-token"],
                hourlyLimit: 1_000_000, requestLogLimit: 0, now: { clock.now() }))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "issue-stream-workload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        client = try GitHubClient(
            configuration: GitHubClientConfiguration(apiURL: server.baseURL, token: "soak-token", maxConnections: 2),
            clock: clock,
            cache: try ResponseCache(memoryLimitBytes: 8 << 20, directory: directory.appendingPathComponent("cache")))
        self.server = server
        self.directory = directory
    }

    /// Small pages (20, the default) keep an iteration short (the harness runs thousands) while
    /// still paging; the workloads at a user's scale list 100 per page, as a user's run does.
    func triage(apply: Bool, perPage: Int = 20) async throws {
        guard let client, let directory else { return }
        let summary = try await TriageRun.run(
            client: client,
            options: TriageOptions(
                repo: "soak/repo", apply: apply, perPage: perPage,
                outputPath: directory.appendingPathComponent("decisions.jsonl").path))
        if let stopped = summary.stoppedBy { throw stopped }
    }

    mutating func stop() async throws {
        try await client?.shutdown()
        await server?.stop()
        if let directory { try? FileManager.default.removeItem(at: directory) }
        client = nil
        server = nil
    }
}

/// List every page (following `link`, revalidating with ETags) and triage every issue.
struct IssueStreamPageThroughTriage: Workload {
    var fixture = IssueStreamFixture()
    mutating func setUp() async throws { try await fixture.start(issues: 60) }
    mutating func run() async throws { try await fixture.triage(apply: false) }
    mutating func tearDown() async throws { try await fixture.stop() }
}

/// Triage with `--apply` on an already-triaged repository: comments are read, nothing is added.
struct IssueStreamApplyPass: Workload {
    var fixture = IssueStreamFixture()
    mutating func setUp() async throws {
        try await fixture.start(issues: 40)
        try await fixture.triage(apply: true)
    }
    mutating func run() async throws { try await fixture.triage(apply: true) }
    mutating func tearDown() async throws { try await fixture.stop() }
}

/// The issue-stream engine's operations as harness workloads.
enum IssueStreamWorkloads {
    static let all: [WorkloadDefinition] = [
        WorkloadDefinition(
            "issue-stream.page-through-triage",
            summary: "issue-stream: list 60 issues (3 pages of 20, ETag 304s) from the local server and triage them",
            unit: WorkloadUnit("issues", perIteration: 60)
        ) {
            IssueStreamPageThroughTriage()
        },
        WorkloadDefinition(
            "issue-stream.apply-pass",
            summary: "issue-stream: triage --apply again on 40 triaged issues (2 pages; reads comments, adds nothing)",
            unit: WorkloadUnit("issues", perIteration: 40)
        ) {
            IssueStreamApplyPass()
        },
    ]
}
