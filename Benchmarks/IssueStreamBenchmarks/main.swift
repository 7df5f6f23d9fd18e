// issue-stream benchmarks (release build): end-to-end throughput, per-issue latency and peak
// RSS against the local server with limits off (server in a child process, so the RSS is the
// client's), and budget use under GitHub's real limits on a virtual clock.
//
//   swift build --package-path Benchmarks -c release --product issue-stream-benchmarks
//   Benchmarks/.build/release/issue-stream-benchmarks
//
// `issue-stream-benchmarks cores [ISSUES] [STORY_WORDS]` (default 20,000 issues, 600 made-up
// words a body: about 4 KB) runs list+triage with 1 and with 2 analysis workers alternately,
// three rounds, beside the list-only peer, and checks that both write the same bytes.
import Foundation
import GitHubTestServer
import IssueStream

func peakRSSMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

/// Child mode: serve a seeded repository until standard input closes.
func serve(issues: Int, storyWords: Int, keepsPages: Bool) async throws {
    var repository = SeededRepository(owner: "bench", name: "big", issueCount: issues)
    repository.storyWords = storyWords
    var configuration = GitHubServerConfiguration(repositories: [repository], requestLogLimit: 0)
    configuration.keepsPageBodies = keepsPages
    let server = try await GitHubTestServer.start(configuration)
    FileHandle.standardOutput.write(Data("\(server.port)\n".utf8))
    // Wait for the parent to close our input on a thread of its own, not a cooperative one.
    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
        Thread.detachNewThread {
            while readLine() != nil {}
            done.resume()
        }
    }
    await server.stop()
}

struct ChildServer {
    let process: Process
    let input: Pipe
    let port: Int

    static func start(issues: Int, storyWords: Int = 48, keepsPages: Bool = false) throws -> ChildServer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = ["serve", "\(issues)", "\(storyWords)", keepsPages ? "kept" : "made"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            fatalError("the server child printed no port")
        }
        return ChildServer(process: process, input: input, port: port)
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}

func client(port: Int, clock: any IssueStreamClock = SystemClock()) throws -> GitHubClient {
    try GitHubClient(
        configuration: GitHubClientConfiguration(apiURL: "http://127.0.0.1:\(port)", token: "bench"), clock: clock,
        cache: try ResponseCache())
}

/// Pages listed and decoded, no triage: the peer that shows what triage adds.
func listOnly(port: Int) async throws -> (seconds: Double, issues: Int) {
    let client = try client(port: port)
    let start = Date()
    var count = 0
    let first = "http://127.0.0.1:\(port)/repos/bench/big/issues?state=all&per_page=100&sort=created&direction=asc"
    for try await page in IssuePages(client: client, firstURL: first, repo: "bench/big") {
        count += page.elements.count
    }
    let seconds = Date().timeIntervalSince(start)
    try await client.shutdown()
    return (seconds, count)
}

func triage(port: Int, out: String, workers: Int = TriageOptions.defaultWorkers) async throws -> (
    seconds: Double, summary: TriageSummary
) {
    let client = try client(port: port)
    let start = Date()
    let summary = try await TriageRun.run(
        client: client,
        options: TriageOptions(repo: "bench/big", includePullRequests: true, outputPath: out, workers: workers))
    let seconds = Date().timeIntervalSince(start)
    try await client.shutdown()
    if let stopped = summary.stoppedBy { fatalError("triage stopped: \(stopped)") }
    return (seconds, summary)
}

func throughput() async throws {
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("issue-stream-bench-\(getpid()).jsonl").path
    defer { try? FileManager.default.removeItem(atPath: out) }
    let small = try ChildServer.start(issues: 10_000)
    _ = try await triage(port: small.port, out: out)
    small.stop()
    let rssAfter10k = peakRSSMiB()
    let server = try ChildServer.start(issues: 100_000)
    var listRates: [Double] = []
    var triageRates: [Double] = []
    var p50s: [Double] = []
    var p95s: [Double] = []
    for round in 1...3 {
        let listed = try await listOnly(port: server.port)
        listRates.append(Double(listed.issues) / listed.seconds)
        let run = try await triage(port: server.port, out: out)
        let issues = run.summary.triaged + run.summary.skipped + run.summary.failed
        triageRates.append(Double(issues) / run.seconds)
        p50s.append(run.summary.latency.percentile(50) * 1000)
        p95s.append(run.summary.latency.percentile(95) * 1000)
        print(
            String(
                format:
                    "round %d: list only %.0f issues/s; list+triage %.0f issues/s (%d issues, %d pages), p50 %.2f ms, p95 %.2f ms",
                round, listRates.last!, triageRates.last!, issues, run.summary.pages, p50s.last!, p95s.last!))
    }
    server.stop()
    print(
        String(
            format:
                "limits off, 100,000 issues, 100/page, median of 3: list+triage %.0f issues/s (peer: list only %.0f issues/s); per-issue p95 %.2f ms (p50 %.2f ms)",
            median(triageRates), median(listRates), median(p95s), median(p50s)))
    print(
        String(
            format:
                "peak RSS of the client process: %.1f MiB after a 10,000-issue run, %.1f MiB after the 100,000-issue runs",
            rssAfter10k, peakRSSMiB()))
}

/// GitHub's limits (5,000 an hour, 900 a minute) on a virtual clock: how much of the first
/// hour's budget a long run uses, and how many limit errors it meets.
func budget() async throws {
    let clock = VirtualClock()
    let server = try await GitHubTestServer.start(
        GitHubServerConfiguration(
            repositories: [SeededRepository(owner: "bench", name: "big", issueCount: 60_000)], tokens: ["bench"],
            hourlyLimit: 5000,
            secondaryLimits: SecondaryLimits(concurrentRequests: 100, requestsPerMinute: 900), requestLogLimit: 100_000,
            now: { clock.now() }))
    let client = try GitHubClient(
        configuration: GitHubClientConfiguration(apiURL: server.baseURL, token: "bench"), clock: clock,
        cache: try ResponseCache())
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("issue-stream-budget-\(getpid()).jsonl")
        .path
    defer { try? FileManager.default.removeItem(atPath: out) }
    let start = clock.now()
    let summary = try await TriageRun.run(
        client: client,
        options: TriageOptions(repo: "bench/big", includePullRequests: true, perPage: 10, outputPath: out))
    let log = await server.requestLog()
    try await client.shutdown()
    await server.stop()
    let firstHour = log.filter { $0.spentBudget && $0.time < start + 3600 }.count
    let primary = log.filter { $0.status == 403 && !$0.spentBudget && $0.fault == nil }.count
    let secondary = log.filter { $0.status == 429 }.count
    print(
        String(
            format:
                "real limits on a virtual clock: %d pages of 10 over %.2f virtual hours; first hour used %d of 5000 (%.1f %%); 403 answers %d, 429 answers %d; run %@",
            summary.pages, (clock.now() - start) / 3600, firstHour, Double(firstHour) / 50, primary, secondary,
            summary.stoppedBy.map { "stopped: \($0)" } ?? "completed"))
}

/// One worker against two, alternately, on bodies of `storyWords` words, against the test
/// server as it is (each page's JSON made per request) and with its pages kept (served as fast
/// as loopback allows, after the first list-only pass).
func cores(issues: Int, storyWords: Int) async throws {
    let only = ProcessInfo.processInfo.environment["ISSUE_STREAM_BENCH_SERVER"]
    for keepsPages in [false, true] where only == nil || only == (keepsPages ? "kept" : "made") {
        print(
            keepsPages ? "server: pages kept in memory (as fast as loopback allows)" : "server: pages made per request")
        try await cores(issues: issues, storyWords: storyWords, keepsPages: keepsPages)
    }
}

func cores(issues: Int, storyWords: Int, keepsPages: Bool) async throws {
    let server = try ChildServer.start(issues: issues, storyWords: storyWords, keepsPages: keepsPages)
    defer { server.stop() }
    let directory = FileManager.default.temporaryDirectory.path
    let outputs = [1, 2].map { "\(directory)/issue-stream-cores-\(getpid())-\($0).jsonl" }
    defer { for out in outputs { try? FileManager.default.removeItem(atPath: out) } }
    var rates: [Int: [Double]] = [:]
    var p95s: [Int: [Double]] = [:]
    var listRates: [Double] = []
    for round in 1...3 {
        let listed = try await listOnly(port: server.port)
        listRates.append(Double(listed.issues) / listed.seconds)
        for workers in round % 2 == 1 ? [1, 2] : [2, 1] {
            let run = try await triage(port: server.port, out: outputs[workers - 1], workers: workers)
            let items = run.summary.triaged + run.summary.skipped + run.summary.failed
            rates[workers, default: []].append(Double(items) / run.seconds)
            p95s[workers, default: []].append(run.summary.latency.percentile(95) * 1000)
            print(
                String(
                    format: "round %d, %d worker(s): %.0f issues/s (%d items), p95 %.2f ms; list only %.0f issues/s",
                    round, workers, rates[workers]!.last!, items, p95s[workers]!.last!, listRates.last!))
        }
        let same = FileManager.default.contentsEqual(atPath: outputs[0], andPath: outputs[1])
        print("round \(round): the two outputs are \(same ? "byte-identical" : "DIFFERENT")")
        if !same { exit(1) }
    }
    print(
        String(
            format:
                "%d issues, bodies of %d story words, median of 3: 1 worker %.0f issues/s (p95 %.2f ms); 2 workers %.0f issues/s (p95 %.2f ms); list only %.0f issues/s; peak RSS %.1f MiB",
            issues, storyWords, median(rates[1]!), median(p95s[1]!), median(rates[2]!), median(p95s[2]!),
            median(listRates), peakRSSMiB()))
}

let arguments = CommandLine.arguments
if arguments.count == 5, arguments[1] == "serve", let issues = Int(arguments[2]), let words = Int(arguments[3]) {
    try await serve(issues: issues, storyWords: words, keepsPages: arguments[4] == "kept")
} else if arguments.count >= 2, arguments[1] == "cores" {
    let issues = arguments.count > 2 ? Int(arguments[2]) ?? 20_000 : 20_000
    let words = arguments.count > 3 ? Int(arguments[3]) ?? 600 : 600
    try await cores(issues: issues, storyWords: words)
} else {
    try await throughput()
    try await budget()
}
