import ArgumentParser
import Foundation
import IssueStream

/// `issue-stream triage`: triage one repository on a GitHub-compatible API.
struct TriageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triage",
        abstract: "Triage every issue of a repository and write one JSON line per issue.",
        discussion: """
            Every item listed gets a line in --out: a decision, `skipped` (pull requests unless \
            --include-pull-requests) or `error` with the reason. A run that cannot finish (404, 401, \
            a server that never answers) ends the file with a `run_error` line and exits 1.
            """)

    @Option(help: "API base URL, e.g. https://api.github.com or http://127.0.0.1:PORT.")
    var apiURL: String

    @Option(help: "The repository, as OWNER/NAME.")
    var repo: String

    @Option(help: "Environment variable holding the token (its value is never printed).")
    var tokenEnv = "GITHUB_TOKEN"

    @Flag(help: "Add the decided labels and one triage comment per open issue (idempotent).")
    var apply = false

    @Flag(help: "Triage pull requests too instead of listing them as skipped.")
    var includePullRequests = false

    @Option(help: "Write the JSON lines here (written whole, then renamed into place); default: standard output.")
    var out: String?

    @Option(help: "Keep responses (ETags) in files under this directory, so a rerun costs 304s, not budget.")
    var cacheDir: String?

    @Option(help: "Seconds a cached response is used without asking the server (0: always revalidate).")
    var cacheTTL: Double = 0

    @Option(help: "Only issues updated at or after this time, ISO 8601 (e.g. 2026-01-01T00:00:00Z).")
    var since: String?

    @Option(help: "A JSON rules file; fields left out keep their defaults.")
    var rules: String?

    @Option(help: "Serve Prometheus metrics at http://HOST:PORT/metrics during the run, e.g. 127.0.0.1:9464.")
    var metricsListen: String?

    @Option(help: "Connections in the pool.")
    var connections = 4

    @Option(help: "Seconds without a byte before a request counts as stalled.")
    var readTimeout: Double = 30

    @Option(help: "Retries for 5xx, connection errors, cut-off bodies and limits.")
    var retries = 5

    func validate() throws {
        guard let url = URL(string: apiURL), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw ValidationError("--api-url \(apiURL) is not an http(s) URL; try --api-url https://api.github.com")
        }
        let parts = repo.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) } }) else {
            throw ValidationError("--repo \(repo) is not OWNER/NAME; try --repo apple/swift-nio")
        }
        if let since, ISO8601DateFormatter().date(from: since) == nil {
            throw ValidationError("--since \(since) is not an ISO 8601 time; try --since 2026-01-01T00:00:00Z")
        }
        if let metricsListen { _ = try ListenAddress(metricsListen) }
        guard connections > 0, readTimeout > 0, retries >= 0, cacheTTL >= 0 else {
            throw ValidationError("--connections and --read-timeout must be positive, --retries and --cache-ttl not negative")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let token = environment[tokenEnv].flatMap { $0.isEmpty ? nil : $0 }
        if token == nil { CommandOutput.note("no token in $\(tokenEnv): anonymous requests (GitHub allows 60 an hour)") }
        let rules = try self.rules.map { try TriageRules.load(path: $0) } ?? .defaults
        let configuration = GitHubClientConfiguration(
            apiURL: apiURL, token: token, tokenSource: "$\(tokenEnv)", maxConnections: connections,
            readTimeout: readTimeout, maxRetries: retries)
        let options = TriageOptions(repo: repo, includePullRequests: includePullRequests, apply: apply, since: since, rules: rules, outputPath: out)
        let code = try await TriageSession.run(
            configuration: configuration, options: options, cacheDirectory: cacheDir, cacheTTL: cacheTTL,
            metricsListen: try metricsListen.map(ListenAddress.init), clock: SystemClock())
        if code != 0 { throw ExitCode(code) }
    }
}

/// `HOST:PORT` for --metrics-listen.
struct ListenAddress {
    var host: String
    var port: Int

    init(_ text: String) throws {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port),
              !text[..<colon].isEmpty else {
            throw ValidationError("--metrics-listen \(text) is not HOST:PORT; try --metrics-listen 127.0.0.1:9464")
        }
        host = String(text[..<colon])
        self.port = port
    }
}
