import CommandTestSupport
import Foundation
import XCTest

/// `issue-stream` on bad input: flags, files, special files, and servers that misbehave (two
/// real loopback servers of this file: one plays GitHub badly, the other is a second origin
/// that must never see the token).
final class IssueStreamBadInputTests: XCTestCase {
    func testEveryBadInputGetsOneLineAndTheRightExit() throws {
        let foreign = try ScriptedServer { _, _ in .reply(200, [], "[]") }
        let foreignPort = foreign.port
        let github = try ScriptedServer { request, server in
            misbehave(request, server: server, foreignPort: foreignPort)
        }
        defer {
            github.stop()
            foreign.stop()
        }
        try BadInput.runAll(flagCases() + fileCases() + serverCases(github: github, foreign: foreign), in: self)
        XCTAssertEqual(
            foreign.requests.count, 0, "a link to another origin was followed: \(foreign.requests.map(\.target))")
        let carried = github.requests.filter { $0.headers["authorization"] != nil }
        XCTAssertFalse(carried.isEmpty, "the API's own origin gets the token")
        XCTAssertTrue(carried.allSatisfy { $0.headers["authorization"] == "Bearer \(BadInput.token)" })
    }

    /// The origin rule alone: page 1 links to a second server on another port; that server is
    /// never asked, with or without the token, and the run says why it stopped.
    func testTheTokenGoesOnlyToTheOriginOfTheAPIURL() throws {
        let foreign = try ScriptedServer { _, _ in .reply(200, [], "[]") }
        let foreignPort = foreign.port
        let github = try ScriptedServer { _, _ in
            .reply(
                200, [("link", "<http://127.0.0.1:\(foreignPort)/repos/o/r/issues?page=2>; rel=\"next\"")],
                issues(1...3))
        }
        defer {
            github.stop()
            foreign.stop()
        }
        let outcome = try Command.run(
            "issue-stream",
            ["triage", "--api-url", "http://127.0.0.1:\(github.port)", "--repo", "o/r", "--retries", "0"],
            environment: ["GITHUB_TOKEN": BadInput.token])
        XCTAssertEqual(outcome.status, 1, outcome.standardError)
        XCTAssertTrue(outcome.standardError.contains("127.0.0.1:\(foreign.port)"), outcome.standardError)
        XCTAssertEqual(
            outcome.standardOutput.split(separator: "\n").count, 4, "page 1's three lines and the run_error line")
        XCTAssertEqual(foreign.requests.count, 0)
        XCTAssertEqual(github.requests.map { $0.headers["authorization"] }, ["Bearer \(BadInput.token)"])
    }

    // MARK: - Flags

    private let token = ["GITHUB_TOKEN": BadInput.token]

    private func triage(_ extra: [String], repo: String = "o/r", api: String = "http://127.0.0.1:9") -> [String] {
        ["triage", "--api-url", api, "--repo", repo] + extra
    }

    private func flagCases() -> [BadInput] {
        let t = token
        return [
            // Numbers: huge, not finite, zero, negative, fractional where whole, past Int.
            BadInput("issue-stream", triage(["--read-timeout", "1e17"]), environment: t, names: "--read-timeout"),
            BadInput("issue-stream", triage(["--read-timeout", "nan"]), environment: t, names: "--read-timeout"),
            BadInput("issue-stream", triage(["--read-timeout", "inf"]), environment: t, names: "--read-timeout"),
            BadInput("issue-stream", triage(["--read-timeout", "0"]), environment: t, names: "--read-timeout"),
            BadInput("issue-stream", triage(["--read-timeout=-1"]), environment: t, names: "--read-timeout"),
            BadInput(
                "issue-stream", triage(["--connect-timeout", "1e300"]), environment: t, names: "--connect-timeout"),
            BadInput(
                "issue-stream", triage(["--request-timeout", "0.0000001"]), environment: t, names: "--request-timeout"),
            BadInput("issue-stream", triage(["--connections", "0"]), environment: t, names: "--connections"),
            BadInput(
                "issue-stream", triage(["--connections", "99999999999999999999"]), environment: t,
                names: "--connections"),
            BadInput("issue-stream", triage(["--connections", "100000"]), environment: t, names: "--connections"),
            BadInput("issue-stream", triage(["--retries=-1"]), environment: t, names: "--retries"),
            BadInput("issue-stream", triage(["--retries", "1000"]), environment: t, names: "--retries"),
            BadInput("issue-stream", triage(["--retries", "2.5"]), environment: t, names: "--retries"),
            BadInput(
                "issue-stream", triage(["--requests-per-minute", "99999999"]), environment: t,
                names: "--requests-per-minute"),
            BadInput("issue-stream", triage(["--max-body-bytes", "0"]), environment: t, names: "--max-body-bytes"),
            BadInput("issue-stream", triage(["--max-body-bytes", "1e9"]), environment: t, names: "--max-body-bytes"),
            BadInput("issue-stream", triage(["--max-wait", "1e300"]), environment: t, names: "--max-wait"),
            BadInput("issue-stream", triage(["--cache-ttl", "1e300"]), environment: t, names: "--cache-ttl"),
            BadInput("issue-stream", triage(["--cache-ttl", "nan"]), environment: t, names: "--cache-ttl"),
            BadInput("issue-stream", ["demo", "--issues", "0"], names: "--issues"),
            BadInput("issue-stream", ["demo", "--issues", "99999999999"], names: "--issues"),
            // --repo: only OWNER/NAME of GitHub's characters.
            BadInput("issue-stream", triage([], repo: "../etc"), environment: t, names: "--repo"),
            BadInput("issue-stream", triage([], repo: "o/.."), environment: t, names: "--repo"),
            BadInput("issue-stream", triage([], repo: "o/r/issues"), environment: t, names: "--repo"),
            BadInput("issue-stream", triage([], repo: "-o/r"), environment: t, names: "--repo"),
            BadInput("issue-stream", triage([], repo: "ö/r"), environment: t, names: "--repo"),
            BadInput("issue-stream", triage([], repo: "o/"), environment: t, names: "--repo"),
            BadInput("issue-stream", triage([], repo: "o/r\nsecond line"), environment: t, names: "--repo"),
            // --api-url: no credentials in it, no plain http off loopback, parsed not matched.
            BadInput(
                "issue-stream", triage([], api: "http://user:\(BadInput.password)@127.0.0.1:9"), environment: t,
                names: "user or password"),
            BadInput(
                "issue-stream", triage([], api: "https://user:\(BadInput.password)@[::1/db"), environment: t,
                names: "--api-url"),
            BadInput("issue-stream", triage([], api: "http://example.com"), environment: t, names: "use https://"),
            BadInput(
                "issue-stream", triage([], api: "http://127.evil.invalid:8080"), environment: t, names: "use https://"),
            BadInput("issue-stream", triage([], api: "http://10.0.0.1"), environment: t, names: "use https://"),
            BadInput("issue-stream", triage([], api: "ftp://127.0.0.1/"), environment: t, names: "--api-url"),
            BadInput("issue-stream", triage([], api: "not a url"), environment: t, names: "--api-url"),
            BadInput(
                "issue-stream", triage([], api: "https://api.github.com?token=\(BadInput.token)"), environment: t,
                names: "query"),
            BadInput("issue-stream", triage([], api: ""), environment: t, names: "--api-url"),
            BadInput("issue-stream", triage(["--since", "yesterday"]), environment: t, names: "--since"),
            // --metrics-listen: loopback unless --metrics-publicly; an address, not a prefix.
            BadInput(
                "issue-stream", triage(["--metrics-listen", "0.0.0.0:0"]), environment: t, names: "--metrics-publicly"),
            BadInput(
                "issue-stream", triage(["--metrics-listen", "127.evil.invalid:9464"]), environment: t,
                names: "--metrics-listen"),
            BadInput(
                "issue-stream", triage(["--metrics-listen", "[::ffff:10.0.0.1]:0"]), environment: t,
                names: "--metrics-publicly"),
            BadInput(
                "issue-stream", triage(["--metrics-listen", "127.0.0.1:99999"]), environment: t,
                names: "--metrics-listen"),
            BadInput(
                "issue-stream", triage(["--metrics-listen", "::1:9464"]), environment: t, names: "--metrics-listen"),
            BadInput(
                "issue-stream", triage(["--metrics-listen", "localhost"]), environment: t, names: "--metrics-listen"),
            // The token: a name that is no variable, a value no header can carry.
            BadInput("issue-stream", triage(["--token-env", ""]), environment: t, names: "--token-env"),
            BadInput(
                "issue-stream", triage([]), environment: ["GITHUB_TOKEN": BadInput.token + "\r\nX-Injected: 1"],
                names: "$GITHUB_TOKEN"),
            // --memory-budget: 16 MiB to the machine's memory, and not below what the process
            // already uses (the line then ends with the size to give).
            BadInput("issue-stream", triage(["--memory-budget", "0"]), environment: t, names: "--memory-budget"),
            BadInput("issue-stream", triage(["--memory-budget", "15"]), environment: t, names: "--memory-budget"),
            BadInput("issue-stream", triage(["--memory-budget=-64"]), environment: t, names: "--memory-budget"),
            BadInput(
                "issue-stream", triage(["--memory-budget", "99999999999"]), environment: t, names: "--memory-budget"),
            BadInput(
                "issue-stream", triage(["--memory-budget", "99999999999999999999"]), environment: t,
                names: "--memory-budget"),
            BadInput("issue-stream", triage(["--memory-budget", "1.5"]), environment: t, names: "--memory-budget"),
            BadInput("issue-stream", triage(["--memory-budget", "lots"]), environment: t, names: "--memory-budget"),
            BadInput("issue-stream", triage(["--memory-budget", "16"]), environment: t, names: "--memory-budget 16: "),
            BadInput("issue-stream", ["demo", "--memory-budget", "0"], names: "--memory-budget"),
            BadInput("issue-stream", ["demo", "--memory-budget", "16"], names: "--memory-budget 16: "),
            // --resume continues a file: without --out there is none.
            BadInput("issue-stream", triage(["--resume"]), environment: t, names: "--resume needs --out"),
            BadInput("issue-stream", ["demo", "--resume"], names: "--resume needs --out"),
            // ArgumentParser's own errors: one line, exit 2.
            BadInput("issue-stream", triage(["--frobnicate"]), environment: t, names: "--frobnicate"),
            BadInput("issue-stream", ["triage", "--api-url", "http://127.0.0.1:9"], environment: t, names: "--repo"),
            BadInput("issue-stream", ["unknown-subcommand"], names: "unknown-subcommand"),
        ]
    }

    // MARK: - Files

    private func fileCases() -> [BadInput] {
        let t = token
        func rules(_ json: String, names: String, line: UInt = #line) -> BadInput {
            BadInput("issue-stream", triage(["--rules", "{dir}/rules.json"]), environment: t, names: names, line: line)
            {
                try Plant.file($0, "rules.json", json)
            }
        }
        return [
            // --out: an existing directory is refused and left whole (it used to be removed).
            BadInput(
                "issue-stream", triage(["--out", "{dir}/decisions"]), environment: t, names: "--out {dir}/decisions"
            ) {
                try Plant.directory($0, "decisions")
                try Plant.file($0, "decisions/keep.txt", "an earlier result")
            },
            BadInput("issue-stream", triage(["--out", "{dir}/link"]), environment: t, names: "--out {dir}/link") {
                try Plant.directory($0, "real")
                try Plant.symlink($0, "link", to: $0 + "/real")
            },
            BadInput("issue-stream", triage(["--out", "{dir}/pipe"]), environment: t, names: "FIFO") {
                try Plant.fifo($0, "pipe")
            },
            BadInput(
                "issue-stream", triage(["--out", "{dir}/missing/out.jsonl"]), environment: t, names: "does not exist"),
            BadInput("issue-stream", triage(["--out", ""]), environment: t, names: "--out"),
            BadInput("issue-stream", ["demo", "--out", "{dir}/decisions"], names: "--out {dir}/decisions") {
                try Plant.directory($0, "decisions")
            },
            // --governor-report: a file to write, checked before any work like --out.
            BadInput(
                "issue-stream", triage(["--governor-report", "{dir}/report"]), environment: t,
                names: "--governor-report {dir}/report"
            ) {
                try Plant.directory($0, "report")
            },
            BadInput("issue-stream", triage(["--governor-report", "{dir}/pipe"]), environment: t, names: "FIFO") {
                try Plant.fifo($0, "pipe")
            },
            BadInput(
                "issue-stream", triage(["--governor-report", "/dev/null"]), environment: t,
                names: "--governor-report /dev/null"),
            BadInput(
                "issue-stream", triage(["--governor-report", "{dir}/missing/report.json"]), environment: t,
                names: "does not exist"),
            BadInput("issue-stream", triage(["--governor-report", ""]), environment: t, names: "--governor-report"),
            BadInput(
                "issue-stream", ["demo", "--governor-report", "{dir}/report"], names: "--governor-report {dir}/report"
            ) {
                try Plant.directory($0, "report")
            },
            // --resume: only the file a stopped run leaves; anything else is left as it was.
            BadInput(
                "issue-stream", triage(["--resume", "--out", "{dir}/out.jsonl"]), environment: t,
                names: "--resume: {dir}/out.jsonl line 2"
            ) {
                try Plant.file($0, "out.jsonl", #"{"number":1,"state":"open"}"# + "\nnot json at all\n")
            },
            BadInput(
                "issue-stream", triage(["--resume", "--out", "{dir}/out.jsonl"]), environment: t,
                names: "follows a run_error line"
            ) {
                try Plant.file(
                    $0, "out.jsonl", #"{"run_error":"stopped"}"# + "\n" + #"{"number":1,"state":"open"}"# + "\n")
            },
            BadInput(
                "issue-stream", triage(["--resume", "--out", "{dir}/out.jsonl"]), environment: t,
                names: "--resume: {dir}/out.jsonl.stopped is a directory"
            ) {
                try Plant.file($0, "out.jsonl", #"{"number":1,"state":"open"}"# + "\n")
                try Plant.directory($0, "out.jsonl.stopped")
            },
            BadInput(
                "issue-stream", triage(["--resume", "--out", "{dir}/out.jsonl"]), environment: t, names: "FIFO",
                timeout: 20
            ) {
                try Plant.fifo($0, "out.jsonl.stopped")
            },
            // --token-file: only a regular file, never echoed.
            BadInput("issue-stream", triage(["--token-file", "{dir}/missing"]), names: "--token-file"),
            BadInput("issue-stream", triage(["--token-file", "{dir}/tokens"]), names: "directory") {
                try Plant.directory($0, "tokens")
            },
            BadInput("issue-stream", triage(["--token-file", "{dir}/pipe"]), names: "FIFO", timeout: 20) {
                try Plant.fifo($0, "pipe")
            },
            BadInput("issue-stream", triage(["--token-file", "{dir}/token"]), names: "is empty") {
                try Plant.file($0, "token", "\n")
            },
            BadInput("issue-stream", triage(["--token-file", "{dir}/token"]), names: "--token-file {dir}/token") {
                try Plant.file($0, "token", BadInput.token + " " + BadInput.password + "\n")
            },
            // --cache-dir: a directory or nothing.
            BadInput("issue-stream", triage(["--cache-dir", "{dir}/cache"]), environment: t, names: "--cache-dir") {
                try Plant.file($0, "cache", "not a directory")
            },
            BadInput("issue-stream", triage(["--cache-dir", "{dir}/cache"]), environment: t, names: "FIFO") {
                try Plant.fifo($0, "cache")
            },
            // --rules: a regular file holding a JSON object with every number in range.
            BadInput(
                "issue-stream", triage(["--rules", "{dir}/missing.json"]), environment: t, names: "{dir}/missing.json"),
            BadInput("issue-stream", triage(["--rules", "{dir}/rules"]), environment: t, names: "directory") {
                try Plant.directory($0, "rules")
            },
            BadInput(
                "issue-stream", triage(["--rules", "{dir}/rules.json"]), environment: t, names: "FIFO", timeout: 20
            ) {
                try Plant.fifo($0, "rules.json")
            },
            rules("this is not json {", names: "not a JSON object"),
            rules("", names: "not a JSON object"),
            rules("[1, 2]", names: "not a JSON object"),
            rules(#"{"maxDuplicateCandidates": -1}"#, names: "maxDuplicateCandidates"),
            rules(#"{"maxDuplicateCandidates": 1e300}"#, names: "maxDuplicateCandidates"),
            rules(#"{"priorityPerComment": 9223372036854775807}"#, names: "priorityPerComment"),
            rules(#"{"duplicateThreshold": 2}"#, names: "duplicateThreshold"),
            rules(#"{"duplicateMemory": 0}"#, names: "duplicateMemory"),
            rules(#"{"duplicateMemory": 1000000000000}"#, names: "duplicateMemory"),
            rules(#"{"basePriority": {"bug": 99999999999}}"#, names: "basePriority.bug"),
            rules(#"{"priorityWords": {"crash": -1000000000}}"#, names: "priorityWords.crash"),
            rules(#"{"maxBodyBytes": -1}"#, names: "maxBodyBytes"),
            rules(#"{"highPriorityAt": "high"}"#, names: "highPriorityAt"),
            rules(#"{"kindz": {}}"#, names: "unknown field kindz"),
            rules(#"{"defaultKind": "nope"}"#, names: "kinds must be among"),
        ]
    }

    // MARK: - Servers

    private func serverCases(github: ScriptedServer, foreign: ScriptedServer) -> [BadInput] {
        let api = "http://127.0.0.1:\(github.port)"
        let t = token
        /// A run against one scenario of the misbehaving server, with short timeouts so a hang
        /// is a failure within seconds.
        func run(
            _ scenario: String, _ extra: [String] = [], exit: Int32 = 1, names: String, oneLine: Bool = true,
            mayCreateFiles: Bool = false, line: UInt = #line,
            setup: @escaping @Sendable (String) throws -> Void = { _ in }
        ) -> BadInput {
            // Short patience unless the case sets its own, so a hang fails within seconds.
            var flags = extra
            for (flag, value) in [("--retries", "0"), ("--read-timeout", "2"), ("--request-timeout", "8")]
            where !extra.contains(flag) {
                flags += [flag, value]
            }
            return BadInput(
                "issue-stream", triage(flags, repo: "o/\(scenario)", api: api),
                environment: t, exit: exit, names: names, timeout: 20, mayCreateFiles: mayCreateFiles, oneLine: oneLine,
                line: line, setup: setup)
        }
        return [
            // Bodies that are not GitHub's list.
            run("garbage", names: "not complete JSON"),
            run("truncated", names: "not complete JSON"),
            run("object", names: "did not answer with GitHub's list of issues"),
            run("string", names: "expected a JSON array"),
            run("too-big", ["--max-body-bytes", "1024"], names: "larger than 1024 bytes"),
            run("deep", names: "not complete JSON"),
            // Links: to itself, in a circle, to another origin, with credentials, endless.
            run("self-link", names: "already read"),
            run("cycle", names: "already read"),
            run("foreign-link", names: "127.0.0.1:\(foreign.port)"),
            run("https-link", names: "refused to follow"),
            run("file-link", names: "refused to follow"),
            run("credentials-link", names: "user or password"),
            run("garbage-link", names: "not a URL"),
            run("empty-endless", names: "is empty but links to a next page"),
            run("past-last", names: "past the last page (2)"),
            // Statuses.
            run("status-401", names: "rejected the token from $GITHUB_TOKEN"),
            run("status-403", names: "403 Forbidden: token Bearer ***"),
            run("status-404", names: "repository o/status-404 not found"),
            run("status-422", names: "unexpected HTTP 422: two lines"),
            run("status-429", names: "still rate limited after 1 attempts"),
            run("status-500", names: "(last: HTTP 500)"),
            run("status-503", ["--retries", "1"], names: "no answer after 2 attempts"),
            // Waits the server asks for: absurd, negative, longer than --max-wait.
            run("retry-after-huge", ["--retries", "1"], names: "retry-after"),
            run("retry-after-negative", ["--retries", "1"], names: "retry-after"),
            run("retry-after-nan", ["--retries", "1"], names: "retry-after"),
            run("retry-after-30", ["--retries", "1", "--max-wait", "1"], names: "--max-wait"),
            run("reset-huge", ["--retries", "1"], names: "x-ratelimit-reset"),
            run("reset-far", ["--retries", "1"], names: "--max-wait"),
            // Rate-limit headers on a good answer that no GitHub sends.
            run("headers-reset-huge", names: "x-ratelimit-reset"),
            run("headers-remaining-negative", names: "x-ratelimit-remaining"),
            run("headers-limit-huge", names: "x-ratelimit-limit"),
            // Silence: no answer, half a body, a body by drips, a closed connection, no HTTP.
            run("hang", ["--read-timeout", "0.5"], names: "no answer after 1 attempts"),
            run("stall", ["--read-timeout", "0.5"], names: "no answer after 1 attempts"),
            run("drip", ["--read-timeout", "5", "--request-timeout", "1"], names: "no answer after 1 attempts"),
            run("close", names: "no answer after 1 attempts"),
            run("not-http", names: "no answer after 1 attempts"),
            // Numbers in issues: the element is recorded as not processed, nothing traps.
            run("comments-huge", exit: 0, names: "1 items could not be processed", oneLine: false),
            run("number-negative", exit: 0, names: "1 items could not be processed", oneLine: false),
            run("number-1e300", exit: 0, names: "1 items could not be processed", oneLine: false),
            // --apply where the issue's comments page links to itself: an apply error, no hang.
            run("comments-loop", ["--apply"], exit: 0, names: "1 apply failures", oneLine: false),
            // A stopped run never replaces an earlier --out; a first one leaves its lines.
            run("status-401", ["--out", "{dir}/out.jsonl"], names: "left as it was") {
                try Plant.file($0, "out.jsonl", "an earlier complete run\n")
            },
            run(
                "status-404", ["--out", "{dir}/out.jsonl"], names: "run_error line are in {dir}/out.jsonl",
                mayCreateFiles: true),
        ]
    }
}

/// What the misbehaving server answers, by the repository's name in the request.
private func misbehave(_ request: ScriptedServer.Request, server: ScriptedServer, foreignPort: Int)
    -> ScriptedServer.Answer
{
    let base = "http://127.0.0.1:\(server.port)"
    let parts = request.path.split(separator: "/").map(String.init)
    guard parts.count >= 4, parts[0] == "repos" else { return .reply(404, [], #"{"message":"Not Found"}"#) }
    let scenario = parts[2]
    let page = Int(request.query["page"] ?? "1") ?? 1
    let listURL = "\(base)/repos/o/\(scenario)/issues"
    func next(_ url: String) -> [(String, String)] { [("link", "<\(url)>; rel=\"next\"")] }
    let headers = ("x-ratelimit-limit", "5000")
    switch scenario {
    case "garbage": return .reply(200, [], "<html><body>Service Unavailable</body></html>")
    case "truncated": return .reply(200, [], #"[{"number": 1, "title": "Crash", "#)
    case "object": return .reply(200, [], #"{"message": "ok", "items": []}"#)
    case "string": return .reply(200, [], #""hello""#)
    case "too-big": return .reply(200, [], issues(1...40))
    case "deep": return .reply(200, [], String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000))
    case "self-link": return .reply(200, next(base + request.target), issues(1...2))
    case "cycle": return .reply(200, next("\(listURL)?page=\(page == 3 ? 2 : page + 1)"), issues(page...page))
    case "foreign-link":
        return .reply(200, next("http://127.0.0.1:\(foreignPort)/repos/o/r/issues?page=2"), issues(1...2))
    case "https-link":
        return .reply(200, next("https://127.0.0.1:\(server.port)/repos/o/r/issues?page=2"), issues(1...2))
    case "file-link": return .reply(200, next("file:///etc/passwd"), issues(1...2))
    case "credentials-link":
        return .reply(
            200, next("http://u:\(BadInput.password)@127.0.0.1:\(server.port)/repos/o/r/issues?page=2"), issues(1...2))
    case "garbage-link": return .reply(200, [("link", "<<< >>>; rel=\"next\"")], issues(1...2))
    case "empty-endless": return .reply(200, next("\(listURL)?page=\(page + 1)"), "[]")
    case "past-last":
        return .reply(
            200, [("link", "<\(listURL)?page=\(page + 1)>; rel=\"next\", <\(listURL)?page=2>; rel=\"last\"")],
            issues(page...page))
    case "status-401": return .reply(401, [], #"{"message": "Bad credentials"}"#)
    case "status-403":
        // A server that echoes the token it was sent: it must be hidden wherever it is shown.
        return .reply(403, [], #"{"message": "token \#(request.headers["authorization"] ?? "") is not allowed here"}"#)
    case "status-404": return .reply(404, [], #"{"message": "Not Found"}"#)
    case "status-422": return .reply(422, [], "{\"message\": \"two lines\\nand an escape \\u001b[31m red\"}")
    case "status-429": return .reply(429, [], #"{"message": "slow down"}"#)
    case "status-500": return .reply(500, [], #"{"message": "oops"}"#)
    case "status-503": return .reply(503, [], #"{"message": "unavailable"}"#)
    case "retry-after-huge": return .reply(429, [("retry-after", "1e300")], "{}")
    case "retry-after-negative": return .reply(429, [("retry-after", "-5")], "{}")
    case "retry-after-nan": return .reply(429, [("retry-after", "nan")], "{}")
    case "retry-after-30": return .reply(429, [("retry-after", "30")], "{}")
    case "reset-huge":
        return .reply(
            403, [headers, ("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1e300")],
            #"{"message": "API rate limit exceeded"}"#)
    case "reset-far":
        let reset = Int(Date().timeIntervalSince1970) + 1_000_000
        return .reply(
            403, [headers, ("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "\(reset)")],
            #"{"message": "API rate limit exceeded"}"#)
    case "headers-reset-huge":
        return .reply(200, [headers, ("x-ratelimit-remaining", "4999"), ("x-ratelimit-reset", "1e300")], issues(1...2))
    case "headers-remaining-negative":
        return .reply(
            200, [headers, ("x-ratelimit-remaining", "-1"), ("x-ratelimit-reset", "1800000000")], issues(1...2))
    case "headers-limit-huge":
        return .reply(
            200,
            [
                ("x-ratelimit-limit", "99999999999999999999"), ("x-ratelimit-remaining", "1"),
                ("x-ratelimit-reset", "1800000000"),
            ], issues(1...2))
    case "hang": return .hang
    case "stall": return .stall(200, issues(1...20))
    case "drip": return .drip(200, issues(1...20), secondsPerByte: 0.05)
    case "close": return .close
    case "not-http": return .raw("HELLO THERE\r\n\r\n")
    case "comments-huge": return .reply(200, [], "[" + issue(1, comments: "9223372036854775807") + "," + issue(2) + "]")
    case "number-negative": return .reply(200, [], "[" + issue(-5) + "," + issue(2) + "]")
    case "number-1e300":
        return .reply(
            200, [],
            "[" + issue(1) + "," + issue(2).replacingOccurrences(of: #""number": 2"#, with: #""number": 1e300"#) + "]")
    case "comments-loop":
        if request.method == "POST" { return .reply(200, [], "{}") }
        if parts.count >= 6, parts[5] == "comments" {
            return .reply(200, next(base + request.target), #"[{"body": "a comment"}]"#)
        }
        return .reply(200, [], "[" + issue(1, comments: "3") + "]")
    default: return .reply(404, [], #"{"message": "Not Found"}"#)
    }
}

/// A JSON list of issues numbered `numbers`.
private func issues(_ numbers: ClosedRange<Int>) -> String {
    "[" + numbers.map { issue($0) }.joined(separator: ",") + "]"
}

private func issue(_ number: Int, comments: String = "0") -> String {
    #"{"number": \#(number), "title": "Crash when parsing", "body": "It fails.", "state": "open", "labels": [], "comments": \#(comments)}"#
}

/// A small HTTP/1.1 server on 127.0.0.1 for the cases above: a thread accepts, each connection
/// gets its own thread, reads one request and answers as `respond` says, then closes. Every
/// request is recorded with its headers, so a test can see who was sent the token.
///
/// `@unchecked Sendable`: `seen` and `stopped` are read and written only under `lock`; the
/// listening descriptor and port are set once in `init` and never change.
final class ScriptedServer: @unchecked Sendable {
    /// One request as received.
    struct Request: Sendable {
        var method: String
        var target: String
        /// Header names in lower case.
        var headers: [String: String]
        var path: String { String(target.prefix { $0 != "?" }) }
        var query: [String: String] {
            var result: [String: String] = [:]
            for item in URLComponents(string: "http://h" + target)?.queryItems ?? [] {
                result[item.name] = item.value ?? ""
            }
            return result
        }
    }

    /// How to answer.
    enum Answer: Sendable {
        /// A whole answer with these headers (content-length and connection are added).
        case reply(Int, [(String, String)], String)
        /// Nothing at all, until the server stops or 30 s pass.
        case hang
        /// Headers and half the body, then nothing.
        case stall(Int, String)
        /// The body one byte at a time.
        case drip(Int, String, secondsPerByte: Double)
        /// Close the connection without a word.
        case close
        /// These bytes, as they are.
        case raw(String)
    }

    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var seen: [Request] = []
    private var stopped = false
    private let respond: @Sendable (Request, ScriptedServer) -> Answer

    init(_ respond: @escaping @Sendable (Request, ScriptedServer) -> Answer) throws {
        self.respond = respond
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw CocoaError(.fileWriteUnknown)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// Every request so far, oldest first.
    var requests: [Request] { lock.withLock { seen } }

    /// Stops accepting; connections that hang are let go.
    func stop() {
        lock.withLock { stopped = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if isStopped { return }
                continue
            }
            let thread = Thread { [self] in serve(connection) }
            thread.start()
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        guard let request = readRequest(connection) else { return }
        lock.withLock { seen.append(request) }
        switch respond(request, self) {
        case .reply(let status, let headers, let body):
            send(connection, head(status, headers, length: body.utf8.count) + body)
        case .hang:
            pause(30)
        case .stall(let status, let body):
            send(connection, head(status, [], length: body.utf8.count) + String(body.prefix(body.count / 2)))
            pause(30)
        case .drip(let status, let body, let seconds):
            send(connection, head(status, [], length: body.utf8.count))
            for byte in body.utf8 {
                guard !isStopped, sendBytes(connection, [byte]) else { return }
                Thread.sleep(forTimeInterval: seconds)
            }
        case .close:
            return
        case .raw(let text):
            send(connection, text)
        }
    }

    /// Waits up to `seconds`, less when the server stops.
    private func pause(_ seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline, !isStopped { Thread.sleep(forTimeInterval: 0.05) }
    }

    private func head(_ status: Int, _ headers: [(String, String)], length: Int) -> String {
        var text =
            "HTTP/1.1 \(status) Scripted\r\ncontent-type: application/json\r\ncontent-length: \(length)\r\nconnection: close\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        return text + "\r\n"
    }

    private func send(_ connection: Int32, _ text: String) { _ = sendBytes(connection, Array(text.utf8)) }

    private func sendBytes(_ connection: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    /// The request line and headers (and a body, read and dropped), or nil on a closed connection.
    private func readRequest(_ connection: Int32) -> Request? {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        let end: Int
        while true {
            if let range = buffer.firstRange(of: Array("\r\n\r\n".utf8)) {
                end = range.upperBound
                break
            }
            guard buffer.count < 1 << 16 else { return nil }
            let got = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard got > 0 else { return nil }
            buffer += chunk[0..<got]
        }
        let lines = String(decoding: buffer[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let first = lines[0].split(separator: " ")
        guard first.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        var body = buffer.count - end
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while body < length {
            let got = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard got > 0 else { break }
            body += got
        }
        return Request(method: String(first[0]), target: String(first[1]), headers: headers)
    }
}
