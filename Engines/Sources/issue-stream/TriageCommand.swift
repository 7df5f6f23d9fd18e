import ArgumentParser
import EngineCommandLine
import Foundation
import IssueStream
import SoakGateBasics

/// `issue-stream triage`: triage one repository on a GitHub-compatible API.
struct TriageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triage",
        abstract: "Triage every issue of a repository and write one JSON line per issue.",
        discussion: """
            Every item listed gets a line in --out: a decision, `skipped` (pull requests unless \
            --include-pull-requests) or `error` with the reason. A run that cannot finish (404, 401, \
            a server that never answers, a link that leads to another host or back to a page already \
            read, the memory governor at --memory-budget) ends with a `run_error` line and exits 1, \
            and its last line says the command that completes it. It never replaces an --out file \
            that already exists: its lines then go to OUT.stopped. --resume continues from \
            OUT.stopped, else from --out: it keeps their complete lines, lists the issues again from \
            the start (the items those lines cover are only read to rebuild the duplicate index, not \
            written or applied again; with --cache-dir those pages cost a 304, no rate limit), and \
            writes the rest, so a run stopped by the governor always completes at the same budget. \
            The token is sent only to the scheme, host and port of --api-url.
            """)

    @Option(
        help:
            "API base URL: https://api.github.com, a GitHub Enterprise https:// URL, or http:// to a loopback address.")
    var apiURL: String

    @Option(help: "The repository, as OWNER/NAME.")
    var repo: String

    @Option(help: "Environment variable holding the token (its value is never printed).")
    var tokenEnv = "GITHUB_TOKEN"

    @Option(help: "A file holding the token (read instead of --token-env; its content is never printed).")
    var tokenFile: String?

    @Flag(help: "Add the decided labels and one triage comment per open issue (idempotent).")
    var apply = false

    @Flag(help: "Triage pull requests too instead of listing them as skipped.")
    var includePullRequests = false

    @Option(help: "Write the JSON lines here (written whole, then renamed into place); default: standard output.")
    var out: String?

    @Flag(
        help:
            "Continue the lines a stopped run left in OUT.stopped or --out (needs --out); without either file, start from the beginning."
    )
    var resume = false

    @Option(help: "Keep responses (ETags) in files under this directory, so a rerun costs 304s, not budget.")
    var cacheDir: String?

    @Option(help: "Seconds a cached response is used without asking the server (0: always revalidate).")
    var cacheTTL: Double = 0

    @Option(help: "Only issues updated at or after this time, ISO 8601 (e.g. 2026-01-01T00:00:00Z).")
    var since: String?

    @Option(help: "A JSON rules file; fields left out keep their defaults.")
    var rules: String?

    // Parsed here; whether a host that is not loopback may serve is judged in validate(), where
    // --metrics-publicly is known.
    @Option(
        help:
            "Serve Prometheus metrics at http://HOST:PORT/metrics during the run; HOST a loopback address, e.g. 127.0.0.1:9464.",
        transform: OptionValue.parser { text in
            try ListenAddress(text, flag: "--metrics-listen", publicly: true, publicFlag: "--metrics-publicly")
        })
    var metricsListen: ListenAddress?

    @Flag(help: "Let --metrics-listen bind an address that is not loopback (every interface with 0.0.0.0).")
    var metricsPublicly = false

    @Option(
        help:
            "Threads that analyse a page's issues at once (1...64; default: the cores this process may use). Decisions are the same for any number."
    )
    var workers = TriageOptions.defaultWorkers

    @Option(help: "Connections in the pool (1...256).")
    var connections = 4

    @Option(help: "Seconds to open a connection.")
    var connectTimeout: Double = 10

    @Option(help: "Seconds without a byte before a request counts as stalled.")
    var readTimeout: Double = 30

    @Option(help: "Seconds for one whole request, body included.")
    var requestTimeout: Double = 120

    @Option(help: "Retries for 5xx, connection errors, cut-off bodies and limits (0...100).")
    var retries = 5

    @Option(help: "Requests per minute at most (GitHub's secondary limit is 900; 0: no such pacing).")
    var requestsPerMinute = 900

    @Option(help: "Largest response body read, in bytes.")
    var maxBodyBytes = 64 << 20

    @Option(
        help:
            "Longest wait the server may ask for (retry-after, a rate-limit reset), in seconds; a longer one stops the run."
    )
    var maxWait: Double = 3660

    @OptionGroup(title: "Memory")
    var memory: MemoryOptions

    func validate() throws {
        do { _ = try APIOrigin.ofAPIURL(apiURL) } catch { throw ValidationError(error.description) }
        if let problem = RepositoryName.problem(repo) {
            throw ValidationError("--repo '\(repo)' \(problem); try --repo apple/swift-nio")
        }
        if let since, ISO8601DateFormatter().date(from: since) == nil {
            throw ValidationError("--since '\(since)' is not an ISO 8601 time; try --since 2026-01-01T00:00:00Z")
        }
        do {
            typealias Limits = GitHubClientConfiguration
            try CheckedNumber.checked(connections, in: Limits.connectionsRange, source: "--connections")
            try CheckedNumber.checked(
                connectTimeout, in: Limits.timeoutRange, source: "--connect-timeout", unit: "seconds")
            try CheckedNumber.checked(readTimeout, in: Limits.timeoutRange, source: "--read-timeout", unit: "seconds")
            try CheckedNumber.checked(
                requestTimeout, in: Limits.timeoutRange, source: "--request-timeout", unit: "seconds")
            try CheckedNumber.checked(retries, in: Limits.retriesRange, source: "--retries")
            try CheckedNumber.checked(workers, in: 1...64, source: "--workers")
            try CheckedNumber.checked(
                requestsPerMinute, in: Limits.requestsPerMinuteRange, source: "--requests-per-minute")
            try CheckedNumber.checked(
                maxBodyBytes, in: Limits.bodyBytesRange, source: "--max-body-bytes", unit: "bytes")
            try CheckedNumber.checked(maxWait, in: Limits.waitRange, source: "--max-wait", unit: "seconds")
            try CheckedNumber.checked(cacheTTL, in: 0...31_536_000, source: "--cache-ttl", unit: "seconds")
        } catch {
            throw ValidationError(error.description)
        }
        if let metricsListen, !metricsPublicly, !NetworkAddress.isLoopback(metricsListen.host) {
            throw ValidationError(
                "--metrics-listen '\(metricsListen.authority)' would serve on a non-loopback interface; add --metrics-publicly to allow that, or try --metrics-listen 127.0.0.1:9464"
            )
        }
        if tokenEnv.isEmpty || tokenEnv.contains("=") || tokenEnv.contains("\0") {
            throw ValidationError(
                "--token-env '\(tokenEnv)' is not an environment variable name; try --token-env GITHUB_TOKEN")
        }
        if let out { try OutputPath.check(out) }
        if resume && out == nil {
            throw ValidationError(
                "--resume needs --out FILE, the file a stopped run left (lines sent to standard output cannot be continued)"
            )
        }
    }

    func run() async throws {
        // Everything the command line names is read and checked before the first request.
        let (token, tokenSource) = try readToken()
        var rules = TriageRules.defaults
        if let path = self.rules {
            do { rules = try TriageRules.load(path: path) } catch { throw CommandFailure.usage(error.description) }
        }
        // The governor before anything is created: a budget it refuses touches nothing.
        let governed = try TriageSession.Governed(memory: memory, metricsListen: metricsListen)
        if token == nil {
            CommandOutput.note("no token in $\(tokenEnv): anonymous requests (GitHub allows 60 an hour)")
        }
        let configuration = GitHubClientConfiguration(
            apiURL: apiURL, token: token, tokenSource: tokenSource, maxConnections: connections,
            connectTimeout: connectTimeout, readTimeout: readTimeout, requestTimeout: requestTimeout,
            maxRetries: retries,
            maxBodyBytes: maxBodyBytes, requestsPerMinute: requestsPerMinute, maxWait: maxWait)
        let options = TriageOptions(
            repo: repo, includePullRequests: includePullRequests, apply: apply, since: since, rules: rules,
            outputPath: out, resume: resume, workers: workers)
        let code = try await governed.reporting {
            try await TriageSession.run(
                configuration: configuration, options: options, cacheDirectory: cacheDir, cacheTTL: cacheTTL,
                metricsListen: metricsListen, metricsPublicly: metricsPublicly, clock: SystemClock(),
                governed: governed,
                resumeCommand: ResumeCommand.current(adding: out == nil ? ["--out", "FILE"] : []))
        }
        if code != 0 { throw ExitCode(code) }
    }

    /// The token and where it came from (for messages, instead of the token): the file named by
    /// --token-file, read only if it is a regular file, else the variable named by --token-env.
    private func readToken() throws -> (String?, String) {
        if let tokenFile {
            let source = "--token-file \(tokenFile)"
            let bytes: [UInt8]
            do { bytes = try RegularFile.read(tokenFile, limit: 64 << 10) } catch {
                throw CommandFailure.usage("--token-file \(tokenFile): \(error.reason)")
            }
            // One token, perhaps followed by a newline as editors and `echo` leave it.
            let token = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            CommandOutput.hide(token)
            if let problem = GitHubClientConfiguration.tokenProblem(token) {
                throw CommandFailure.usage("the token in \(source) \(problem) (the token is not shown)")
            }
            return (token, source)
        }
        guard let value = ProcessInfo.processInfo.environment[tokenEnv], !value.isEmpty else {
            return (nil, "$\(tokenEnv)")
        }
        CommandOutput.hide(value)
        if let problem = GitHubClientConfiguration.tokenProblem(value) {
            throw CommandFailure.usage("the token in $\(tokenEnv) \(problem) (the token is not shown)")
        }
        return (value, "$\(tokenEnv)")
    }
}

/// Checks for an output path, before anything runs: it must not be a directory (which would be
/// refused by the writer anyway, never removed), a FIFO or a device, and its directory must exist.
enum OutputPath {
    static func check(_ path: String, flag: String = "--out") throws {
        guard !path.isEmpty else { throw ValidationError("\(flag) '' is empty; name a file, or leave \(flag) out") }
        if let kind = RegularFile.irregularKind(path) {
            throw ValidationError("\(flag) \(path) is \(kind); name a file to write (nothing there is touched)")
        }
        let directory = (path as NSString).deletingLastPathComponent
        var status = stat()
        if !directory.isEmpty, stat(directory, &status) != 0 || (status.st_mode & S_IFMT) != S_IFDIR {
            throw ValidationError("\(flag) \(path): the directory \(directory) does not exist")
        }
    }
}
