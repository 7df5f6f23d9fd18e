import ArgumentParser
import EngineCommandLine
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
            and any rate-limit wait pass at once instead of taking minutes. With --memory-budget the \
            memory governor watches both runs; a first run it stops keeps its lines in --out, and \
            --resume continues them (the demo's server starts afresh each time, so the issues those \
            lines cover are labelled again, without new lines).
            """)

    @Option(help: "Issues (and pull requests) in the seeded repository (1...1000000).")
    var issues = 500

    @Option(help: "Write the first run's JSON lines here; default: standard output.")
    var out: String?

    @Flag(help: "Continue the first run's lines that a stopped demo left in OUT.stopped or --out (needs --out).")
    var resume = false

    @OptionGroup(title: "Memory")
    var memory: MemoryOptions

    func validate() throws {
        do { try CheckedNumber.checked(issues, in: 1...1_000_000, source: "--issues") } catch {
            throw ValidationError(error.description)
        }
        if let out { try OutputPath.check(out) }
        if resume && out == nil {
            throw ValidationError(
                "--resume needs --out FILE, the file a stopped demo left (lines sent to standard output cannot be continued)"
            )
        }
    }

    func run() async throws {
        // The governor before anything is created: a budget it refuses touches nothing.
        let governed = try TriageSession.Governed(memory: memory, metricsListen: nil)
        let code = try await governed.reporting { try await runTwice(governed) }
        if code != 0 { throw ExitCode(code) }
    }

    private func runTwice(_ governed: TriageSession.Governed) async throws -> Int32 {
        let token = "demo-token"
        let clock = VirtualClock()
        let server = try await GitHubTestServer.start(
            GitHubServerConfiguration(
                repositories: [SeededRepository(owner: "demo", name: "widgets", issueCount: issues)],
                tokens: [token], hourlyLimit: 5000, requestLogLimit: 1000, now: { clock.now() }))
        CommandOutput.note(
            "local GitHub-compatible server at \(server.baseURL) with demo/widgets (\(issues) issues and pull requests)"
        )
        var code: Int32 = 0
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "issue-stream-demo-\(ProcessInfo.processInfo.processIdentifier).jsonl"
        ).path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        do {
            for run in [1, 2] {
                CommandOutput.note(
                    "run \(run): triage --apply\(run == 2 ? " again (expect 0 labels and 0 comments added)" : "")")
                let configuration = GitHubClientConfiguration(
                    apiURL: server.baseURL, token: token, tokenSource: "the demo")
                // The second run only shows that nothing is added again and keeps nothing: a stop
                // there could never be completed by a rerun, so it goes light but does not stop.
                let options = TriageOptions(
                    repo: "demo/widgets", apply: true, outputPath: run == 1 ? out : scratch, resume: run == 1 && resume,
                    reapplyKept: true, stopsForMemory: run == 1)
                do {
                    code = try await TriageSession.run(
                        configuration: configuration, options: options, cacheDirectory: nil, cacheTTL: 0,
                        metricsListen: nil, clock: clock,
                        governed: governed,
                        resumeCommand: ResumeCommand.current(adding: out == nil ? ["--out", "FILE"] : []))
                } catch let refused as CommandFailure where run == 2 && refused.exitCode == EngineExitCode.usage {
                    // The first run's lines are written: a refusal now is no bad flag (exit 2).
                    CommandOutput.error("run 2 not started, run 1's lines are complete: \(refused.description)")
                    code = 1
                }
                if code != 0 { break }
            }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
        return code
    }
}
