import ArgumentParser
import Foundation
import GitHubTestServer
import IssueStream
import SoakGateBasics

/// `issue-stream demo`: a local GitHub-compatible server with a seeded repository, triaged and
/// labelled end to end; no network.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start a local GitHub-compatible server with a seeded repository and triage it (no network).",
        discussion: """
            Runs triage --apply twice against 127.0.0.1: the second run shows that nothing is added \
            again. Server and client share a virtual clock, so the one-second spacing between writes \
            and any rate-limit wait pass at once instead of taking minutes.
            """)

    @Option(help: "Issues (and pull requests) in the seeded repository (1...1000000).")
    var issues = 500

    @Option(help: "Write the first run's JSON lines here; default: standard output.")
    var out: String?

    func validate() throws {
        do { try CheckedNumber.checked(issues, in: 1...1_000_000, source: "--issues") } catch { throw ValidationError(error.description) }
        if let out { try OutputPath.check(out) }
    }

    func run() async throws {
        let token = "demo-token"
        let clock = VirtualClock()
        let server = try await GitHubTestServer.start(GitHubServerConfiguration(
            repositories: [SeededRepository(owner: "demo", name: "widgets", issueCount: issues)],
            tokens: [token], hourlyLimit: 5000, requestLogLimit: 1000, now: { clock.now() }))
        CommandOutput.note("local GitHub-compatible server at \(server.baseURL) with demo/widgets (\(issues) issues and pull requests)")
        var code: Int32 = 0
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("issue-stream-demo-\(ProcessInfo.processInfo.processIdentifier).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        do {
            for run in [1, 2] {
                CommandOutput.note("run \(run): triage --apply\(run == 2 ? " again (expect 0 labels and 0 comments added)" : "")")
                let configuration = GitHubClientConfiguration(apiURL: server.baseURL, token: token, tokenSource: "the demo")
                let options = TriageOptions(repo: "demo/widgets", apply: true, outputPath: run == 1 ? out : scratch)
                code = try await TriageSession.run(configuration: configuration, options: options, cacheDirectory: nil, cacheTTL: 0, metricsListen: nil, clock: clock)
                if code != 0 { break }
            }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
        if code != 0 { throw ExitCode(code) }
    }
}
