import CommandTestSupport
import Foundation
import GitHubTestServer
import IssueStream
import MemoryGovernor
import Synchronization
import XCTest

/// Memory pressure as a fault: the real `issue-stream` executable against the local GitHub
/// server on loopback, with a budget far below what the run needs; and the stop-and-resume
/// rules through the engine with a governor whose readings the test scripts.
final class MemoryPressureTests: XCTestCase {
    static let token = "pressure-token"
    /// Issues of big bodies: the run's peak is well above its start (checked, not assumed).
    static let issueCount = 400
    static let bodyBytes = 96 << 10

    static var bigRepository: SeededRepository {
        SeededRepository(
            owner: "o", name: "big", issueCount: issueCount,
            hugeBodies: Dictionary(uniqueKeysWithValues: (1...issueCount).map { ($0, bodyBytes) }))
    }

    func testBudgetFarBelowTheNeedDegradesStopsAndResumesToTheUnbudgetedLines() async throws {
        let server = try await GitHubTestServer.start(
            GitHubServerConfiguration(repositories: [Self.bigRepository], tokens: [Self.token]))
        do {
            try await budgetFarBelowTheNeed(server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    private func budgetFarBelowTheNeed(_ server: GitHubTestServer) async throws {
        let directory = try Command.temporaryDirectory(self)
        let environment = ["PRESSURE_TOKEN": Self.token]
        let common = ["triage", "--api-url", server.baseURL, "--repo", "o/big", "--token-env", "PRESSURE_TOKEN"]

        // Unbudgeted: the reference lines and the figures the budget is made from.
        let reference = try Command.run(
            "issue-stream", common + ["--out", directory + "/a.jsonl", "--governor-report", directory + "/a.json"],
            environment: environment)
        XCTAssertEqual(reference.status, 0, reference.standardError)
        let expected = try Data(contentsOf: URL(fileURLWithPath: directory + "/a.jsonl"))
        let expectedLines = expected.split(separator: 0x0A)
        XCTAssertEqual(expectedLines.count, Self.issueCount)
        let unbudgeted = try GovernorReport.read(from: directory + "/a.json")
        let start = unbudgeted.startBytes
        let peak = unbudgeted.peakBytes
        guard peak - start >= 40 << 20 else {
            XCTFail(
                "the run needs too little to test a budget: start \(start >> 20) MiB, peak \(peak >> 20) MiB (peak − start must be ≥ 40 MiB)"
            )
            return
        }
        let budgetMiB = (start + (peak - start) / 3 + (1 << 20) - 1) >> 20

        // Budgeted: degrades, then either completes or stops with every finished line kept.
        let out = directory + "/b.jsonl"
        let budgeted =
            common + [
                "--out", out, "--memory-budget", "\(budgetMiB)", "--governor-report", directory + "/b.json",
            ]
        var outcome = try Command.run("issue-stream", budgeted, environment: environment)
        let report = try GovernorReport.read(from: directory + "/b.json")
        let figures =
            "start \(start >> 20) MiB, unbudgeted peak \(peak >> 20) MiB, budget \(budgetMiB) MiB, budgeted peak \(report.peakBytes >> 20) MiB"
        let reachedThrottle = report.actions.contains {
            $0.hasPrefix("throttle:") || $0.hasPrefix("refuse:") || $0.hasPrefix("emergency:")
        }
        XCTAssertTrue(reachedThrottle, "\(figures); actions: \(report.actions)")
        XCTAssertTrue(
            report.actions.contains { $0.contains("dropped caches issue-stream.responses") },
            "\(figures); actions: \(report.actions)")
        let job = try XCTUnwrap(report.jobs.first { $0.name == "issue-stream.triage" })
        XCTAssertTrue(job.smallestBatchSize < job.firstBatchSize || job.lightModeReads > 0, "\(figures); job: \(job)")

        var runs = 1
        var kept = 0
        var batches: [String] = [
            "run 1: smallest batch \(job.smallestBatchSize) of \(job.firstBatchSize), \(job.lightModeReads) light reads"
        ]
        while outcome.status == 1 {
            let stopLine = try XCTUnwrap(
                outcome.standardError.split(separator: "\n").first { $0.contains("stopped by the memory governor") },
                outcome.standardError)
            let marker = "to complete it, type: "
            let command = try XCTUnwrap(
                stopLine.range(of: marker).map { String(stopLine[$0.upperBound...].dropLast()) }, String(stopLine))
            XCTAssertTrue(stopLine.hasSuffix("]"), String(stopLine))
            let words = ShellWords.split(command)
            XCTAssertEqual(words.first, "issue-stream")
            XCTAssertTrue(words.contains("--resume"), command)
            XCTAssertTrue(
                words.contains("--memory-budget") && words.contains("\(budgetMiB)"), "the same budget: \(command)")
            // Every finished line is kept, in order, and then the run_error line.
            let lines = try Data(contentsOf: URL(fileURLWithPath: out)).split(separator: 0x0A)
            let itemLines = lines.dropLast()
            XCTAssertTrue(String(decoding: lines.last ?? Data(), as: UTF8.self).contains(#""run_error""#))
            XCTAssertEqual(
                Array(itemLines), Array(expectedLines.prefix(itemLines.count)),
                "the kept lines are the unbudgeted run's first \(itemLines.count)")
            XCTAssertGreaterThan(itemLines.count, kept, "each run gets further (\(figures))")
            kept = itemLines.count
            guard runs < 20 else {
                XCTFail("not complete after \(runs) runs: \(kept) of \(Self.issueCount) lines (\(figures))")
                return
            }
            if runs == 1 {
                print("memory pressure: the first budgeted run's standard error:\n\(outcome.standardError)")
            }
            outcome = try Command.run("issue-stream", Array(words.dropFirst()), environment: environment)
            runs += 1
            if let rerun = try? GovernorReport.read(from: directory + "/b.json"), let job = rerun.jobs.first {
                batches.append(
                    "run \(runs): smallest batch \(job.smallestBatchSize), \(job.lightModeReads) light reads, peak \(rerun.peakBytes >> 20) MiB"
                )
            }
        }
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        let final = try Data(contentsOf: URL(fileURLWithPath: out))
        XCTAssertTrue(
            final == expected,
            "the completed lines are byte for byte the unbudgeted run's (\(final.count) vs \(expected.count) bytes)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + ".stopped"))
        print("memory pressure: \(figures); \(runs) runs (\(runs - 1) resumes); " + batches.joined(separator: "; "))
    }

    func testBudgetBelowStartingUsageExitsTwoWithTheSizeToGiveAndTouchesNothing() throws {
        let directory = try Command.temporaryDirectory(self)
        let outcome = try Command.run(
            "issue-stream",
            [
                "triage", "--api-url", "http://127.0.0.1:9", "--repo", "o/r", "--out", directory + "/out.jsonl",
                "--cache-dir", directory + "/cache", "--governor-report", directory + "/report.json", "--memory-budget",
                "16",
            ])
        XCTAssertEqual(outcome.status, 2, outcome.standardError)
        let lines = outcome.standardError.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, outcome.standardError)
        let line = String(lines.first ?? "")
        XCTAssertTrue(line.contains("--memory-budget 16"), line)
        XCTAssertNotNil(line.range(of: #"give at least [0-9]+ MiB$"#, options: .regularExpression), line)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [], "nothing was created")
    }

    func testGovernorReportNamingADirectoryExitsTwoBeforeAnyWork() throws {
        let directory = try Command.temporaryDirectory(self)
        try FileManager.default.createDirectory(atPath: directory + "/report", withIntermediateDirectories: false)
        let outcome = try Command.run(
            "issue-stream",
            [
                "triage", "--api-url", "http://127.0.0.1:9", "--repo", "o/r", "--out", directory + "/out.jsonl",
                "--governor-report", directory + "/report",
            ])
        XCTAssertEqual(outcome.status, 2, outcome.standardError)
        XCTAssertEqual(outcome.standardError.split(separator: "\n").count, 1, outcome.standardError)
        XCTAssertTrue(
            outcome.standardError.contains("--governor-report \(directory)/report is a directory"),
            outcome.standardError)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["report"])
    }

    func testGovernorGaugesAreServedAtSlashMetricsWhileTheRunGoesOn() async throws {
        // Every list request's body comes slowly, so the run lasts while /metrics is read.
        let server = try await GitHubTestServer.start(
            GitHubServerConfiguration(
                repositories: [SeededRepository(owner: "o", name: "r", issueCount: 400)], tokens: [Self.token],
                faults: FaultPlan(randomRate: 1, randomFaults: [.slowBody(millisecondsPerChunk: 150)])))
        let directory = try Command.temporaryDirectory(self)
        let running = try RunningCommand(
            "issue-stream",
            [
                "triage", "--api-url", server.baseURL, "--repo", "o/r", "--token-env", "PRESSURE_TOKEN", "--out",
                directory + "/out.jsonl",
                "--metrics-listen", "127.0.0.1:0", "--memory-budget", "4096", "--governor-report",
                directory + "/report.json",
            ], environment: ["PRESSURE_TOKEN": Self.token])
        var port: Int?
        _ = running.waitUntil(seconds: 30) {
            let text = running.standardErrorSoFar
            guard
                let range = text.range(
                    of: #"metrics at http://127\.0\.0\.1:[0-9]+/metrics"#, options: .regularExpression)
            else { return false }
            port = Int(text[range].split(separator: ":").last?.split(separator: "/").first ?? "")
            return true
        }
        let client = try GitHubClient(
            configuration: GitHubClientConfiguration(apiURL: server.baseURL, token: nil), cache: try ResponseCache())
        var scraped = ""
        var scrapedWhileRunning = false
        if let port {
            for _ in 0..<50 {
                let answer = try await client.get("http://127.0.0.1:\(port)/metrics", bypassCache: true)
                scraped = String(decoding: answer.body, as: UTF8.self)
                scrapedWhileRunning = running.process.isRunning
                if scraped.contains("memory_governor_level") || !scrapedWhileRunning { break }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        let outcome = try running.wait()
        try await client.shutdown()
        await server.stop()
        let found = try XCTUnwrap(port, "no metrics address on standard error: \(outcome.standardError)")
        XCTAssertTrue(scrapedWhileRunning, "the run ended before /metrics on port \(found) was read")
        for name in ["memory_governor_level", "memory_governor_usage_bytes", "memory_governor_budget_bytes"] {
            XCTAssertTrue(
                scraped.contains("\n\(name) ") || scraped.hasPrefix("\(name) "),
                "\(name) missing from /metrics: \(scraped)")
        }
        let budgetLine = scraped.split(separator: "\n").first { $0.hasPrefix("memory_governor_budget_bytes ") }
        XCTAssertEqual(
            budgetLine.flatMap { Double($0.split(separator: " ").last ?? "") }, Double(4096 << 20), "the budget given")
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        let report = try GovernorReport.read(from: directory + "/report.json")
        XCTAssertEqual(report.budgetBytes, 4096 << 20)
        XCTAssertEqual(report.jobs.map(\.finished), [true])
    }

    // MARK: - Stop and resume through the engine, with scripted readings

    /// A stopped run over an earlier --out leaves that file as it was and its own lines in
    /// OUT.stopped; --resume continues from there, and the completed file replaces --out with
    /// the lines a run without pressure writes.
    func testStoppedRunOverAnEarlierOutputKeepsItAndResumeCompletesFromTheStoppedFile() async throws {
        let github = try await LocalGitHub.start([SeededRepository(owner: "o", name: "r", issueCount: 430)])
        let out = github.directory.appendingPathComponent("out.jsonl").path
        let unpressured = try await github.triage(TriageOptions(repo: "o/r")).1
        try Data("an earlier result\n".utf8).write(to: URL(fileURLWithPath: out))

        // Emergency from the third reading on: after admission and the first page's batch.
        let stopped = try await TriageRun.run(
            client: github.client, options: TriageOptions(repo: "o/r", outputPath: out),
            governor: Self.governor(emergencyFromReading: 3))
        guard case .memoryStop? = stopped.stoppedBy else {
            return XCTFail("not stopped by the governor: \(String(describing: stopped.stoppedBy))")
        }
        XCTAssertEqual(
            try String(contentsOfFile: out, encoding: .utf8), "an earlier result\n",
            "the earlier --out is left as it was")
        XCTAssertTrue(stopped.earlierOutputKept)
        XCTAssertEqual(stopped.linesFile, out + ".stopped")
        let partial = try Self.lines(out + ".stopped")
        XCTAssertEqual(
            partial.dropLast(), unpressured.prefix(partial.count - 1),
            "the stopped run's lines, then its run_error line")
        XCTAssertEqual(partial.count - 1, stopped.linesWritten)
        XCTAssertGreaterThanOrEqual(stopped.linesWritten, 100, "at least one whole page")
        XCTAssertNotNil(partial.last?.runError)

        // Resumed, again under pressure: it gets further and keeps the stopped file as its base.
        let again = try await TriageRun.run(
            client: github.client, options: TriageOptions(repo: "o/r", outputPath: out, resume: true),
            governor: Self.governor(emergencyFromReading: 3))
        XCTAssertEqual(again.resumedFrom, out + ".stopped")
        XCTAssertEqual(again.linesKept, stopped.linesWritten)
        XCTAssertEqual(again.linesFile, out + ".stopped")
        XCTAssertGreaterThan(again.linesWritten, 0)
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8), "an earlier result\n")

        // Resumed without pressure: complete, in --out, and the stopped file is gone.
        let done = try await TriageRun.run(
            client: github.client, options: TriageOptions(repo: "o/r", outputPath: out, resume: true))
        XCTAssertNil(done.stoppedBy)
        XCTAssertEqual(done.linesKept, stopped.linesWritten + again.linesWritten)
        XCTAssertEqual(done.linesKept + done.linesWritten, 430)
        XCTAssertEqual(done.linesFile, out)
        XCTAssertEqual(try Self.lines(out), unpressured)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + ".stopped"))
        try await github.stop()
    }

    /// Duplicates found across the stop are the same as without one: the resumed run rebuilds
    /// the duplicate index from the items the kept lines cover, which a new process with the same
    /// --cache-dir reads as 304s.
    func testResumeFindsTheSameDuplicatesAcrossTheStopAndRereadsKeptPagesAsNotModified() async throws {
        let github = try await LocalGitHub.start(
            [SeededRepository(owner: "o", name: "r", issueCount: 250, pullRequestEvery: 0)], cacheDirectory: true)
        let out = github.directory.appendingPathComponent("out.jsonl").path
        let plain = try github.secondClient(cacheDirectory: false)
        let unpressured = try await github.triage(TriageOptions(repo: "o/r", perPage: 10), client: plain).1
        try await plain.shutdown()
        // Calm for admission and page 1, at the cap from page 2's batch on: stopped after page 2.
        let stopped = try await TriageRun.run(
            client: github.client, options: TriageOptions(repo: "o/r", perPage: 10, outputPath: out),
            governor: Self.governor(emergencyFromReading: 6))
        XCTAssertEqual(stopped.linesWritten, 20, "\(String(describing: stopped.stoppedBy))")
        let fresh = try github.secondClient(cacheDirectory: true)
        let done = try await TriageRun.run(
            client: fresh, options: TriageOptions(repo: "o/r", perPage: 10, outputPath: out, resume: true))
        let lines = try Self.lines(out)
        try await fresh.shutdown()
        try await github.stop()
        XCTAssertNil(done.stoppedBy)
        XCTAssertEqual(lines, unpressured)
        XCTAssertGreaterThanOrEqual(done.pagesNotModified, 2, "the kept pages were revalidated from the disk tier")
        // A later issue that restates one the kept lines cover is found only if the index was rebuilt.
        let across = lines.filter { ($0.number ?? 0) > 20 && ($0.duplicates ?? []).contains { $0 <= 20 } }
        XCTAssertFalse(across.isEmpty, "no duplicate across the stop in this repository: the test proves nothing")
    }

    func testResumeOfAnotherListStopsAndLeavesTheFileAsItWas() async throws {
        let github = try await LocalGitHub.start([
            SeededRepository(owner: "o", name: "r", issueCount: 150),
            SeededRepository(owner: "o", name: "other", issueCount: 150, seed: 7),
        ])
        let out = github.directory.appendingPathComponent("out.jsonl").path
        let kept = #"{"kind":"bug","labels":["kind:bug"],"number":5,"priority":10,"state":"open"}"# + "\n"
        try Data(kept.utf8).write(to: URL(fileURLWithPath: out))
        let summary = try await TriageRun.run(
            client: github.client, options: TriageOptions(repo: "o/r", outputPath: out, resume: true))
        let after = try String(contentsOfFile: out, encoding: .utf8)
        try await github.stop()
        guard case .resumeMismatch(_, let line, _)? = summary.stoppedBy else {
            return XCTFail("\(String(describing: summary.stoppedBy))")
        }
        XCTAssertEqual(line, 1)
        XCTAssertEqual(after, kept, "left as it was")
    }

    func testLightModeKeepsResponsesOutOfTheMemoryTierAndBatchesShrink() async throws {
        let github = try await LocalGitHub.start([SeededRepository(owner: "o", name: "r", issueCount: 300)])
        let out = github.directory.appendingPathComponent("out.jsonl").path
        // Throttle (90 % of the budget) throughout: light, smaller batches, never a stop.
        let governor = MemoryGovernor(
            budget: MemoryBudget(bytes: 1000, source: .configured), thresholds: try PressureThresholds(),
            usage: ScriptedUsage { _ in 920 })
        let cache = try ResponseCache()
        let client = try GitHubClient(
            configuration: GitHubClientConfiguration(apiURL: github.server.baseURL, token: LocalGitHub.token),
            clock: github.clock, cache: cache)
        let summary = try await TriageRun.run(
            client: client, options: TriageOptions(repo: "o/r", outputPath: out), governor: governor)
        let memoryAfter = cache.memoryBytes
        let report = governor.report()
        let lines = try Self.lines(out)
        try await client.shutdown()
        try await github.stop()
        XCTAssertNil(summary.stoppedBy)
        XCTAssertEqual(lines.count, 300)
        XCTAssertEqual(memoryAfter, 0, "no response was kept in memory while light")
        let job = try XCTUnwrap(report.jobs.first)
        XCTAssertGreaterThan(job.lightModeReads, 0)
        XCTAssertLessThan(job.smallestBatchSize, job.firstBatchSize)
        XCTAssertFalse(job.stopRequested)
    }

    // MARK: - Helpers

    /// A governor over a 1000-byte budget whose readings are calm until `reading`, then at the cap.
    static func governor(emergencyFromReading reading: Int) -> MemoryGovernor {
        MemoryGovernor(
            budget: MemoryBudget(bytes: 1000, source: .configured), thresholds: try! PressureThresholds(),
            usage: ScriptedUsage { $0 >= reading ? 1000 : 100 })
    }

    static func lines(_ path: String) throws -> [TriageLine] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(TriageLine.self, from: Data($0.utf8))
        }
    }
}

/// Usage readings from a function of the reading's number (from 1; the governor reads once
/// when it is made).
final class ScriptedUsage: UsageSource {
    private let count = Mutex(0)
    private let bytes: @Sendable (Int) -> Int

    init(_ bytes: @escaping @Sendable (Int) -> Int) { self.bytes = bytes }

    func currentUsage() -> MemoryUsage {
        let reading = count.withLock { value -> Int in
            value += 1
            return value
        }
        let value = bytes(reading)
        return MemoryUsage(liveBytes: value, residentBytes: value)
    }
}
