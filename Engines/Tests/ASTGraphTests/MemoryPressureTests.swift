import ASTGraph
import CommandTestSupport
import Foundation
import LibPQ
import MemoryGovernor
import Synchronization
import XCTest

/// Memory pressure as a fault: `ast2graph` run far over its `--memory-budget` against the real
/// JSON Lines output and the real PostgreSQL exporter shrinks its batches, goes light, drops its
/// buffers, stops at a batch boundary with what it kept and the command to type, and reruns at
/// the same budget to the same bytes or rows as an unbudgeted run. Below the CLI tests, the same
/// behaviour at the library level with usage dialled by hand.
final class MemoryPressureTests: XCTestCase {
    private typealias Support = MemoryPressureSupport

    /// Files in the generated input and per batch: a first batch of about 600,000 nodes (the
    /// peak, about 50 MiB over the start in a debug build), then a small one, so the
    /// unbudgeted run and the budgeted runs together parse the input only about twice.
    private static let largeFileCount = 26
    private static let batchArguments = ["--batch-size", "24", "--workers", "2"]

    // MARK: - The executable against the real stores

    func testAJSONLinesRunFarOverItsBudgetDegradesStopsAndResumesToTheSameBytes() throws {
        let input = try Support.largeSources(self, count: Self.largeFileCount)
        let out = try SampleSources.temporaryDirectory(self)
        let whole = try Command.run(
            "ast2graph",
            [input, "--out", out + "/whole.jsonl", "--governor-report", out + "/a.json"] + Self.batchArguments)
        XCTAssertEqual(whole.status, 0, whole.standardError)
        let unbudgeted = try GovernorReport.read(from: out + "/a.json")
        guard let budget = budgetFarBelowNeed(unbudgeted) else { return }
        let wholeBytes = try Data(contentsOf: URL(fileURLWithPath: out + "/whole.jsonl"))
        let arguments =
            [input, "--out", out + "/g.jsonl", "--memory-budget", "\(budget)", "--governor-report", out + "/b.json"]
            + Self.batchArguments
        let runs = try runUntilComplete(arguments, budget: budget, unbudgeted: unbudgeted) { stop in
            // Every finished batch is kept: the checkpoint says so, and the partial output is
            // the unbudgeted output's first `doneFiles` files, cut at a file's first line.
            let checkpoint = try XCTUnwrap(try Checkpoint.load(from: out + "/g.jsonl.checkpoint.json"))
            XCTAssertEqual(checkpoint.doneFiles, stop.doneFiles)
            let partial = try Data(contentsOf: URL(fileURLWithPath: out + "/g.jsonl.partial"))
            XCTAssertEqual(partial.count, checkpoint.outputLengths.first)
            XCTAssertTrue(
                partial == wholeBytes.prefix(partial.count), "the kept output is not the unbudgeted output's beginning")
            let fileLine = Data("{\"type\":\"file\"".utf8)
            XCTAssertEqual(Self.occurrences(of: fileLine, in: partial), stop.doneFiles)
            XCTAssertEqual(
                wholeBytes.range(of: fileLine, in: partial.count..<wholeBytes.count)?.lowerBound, partial.count)
        }
        XCTAssertEqual(
            try Data(contentsOf: URL(fileURLWithPath: out + "/g.jsonl")), wholeBytes,
            "after \(runs) runs the output differs")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/g.jsonl.checkpoint.json"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/g.jsonl.partial"))
    }

    func testAPostgresLoadFarOverItsBudgetDegradesStopsAndResumesToTheSameRows() throws {
        let url = try TestDatabase.url()
        let connection = try PostgresConnection(connectionString: url)
        try connection.execute("SET client_min_messages = warning")
        // Room to compare a million rows by hashing rather than by sorting on disk.
        try connection.execute("SET work_mem = '256MB'")
        for prefix in ["mem_whole", "mem_budget"] { try Support.dropTables(connection, prefix: prefix) }
        let input = try Support.largeSources(self, count: Self.largeFileCount)
        let out = try SampleSources.temporaryDirectory(self)
        let whole = try Command.run(
            "ast2graph",
            [input, "--format", url, "--out", "mem_whole", "--governor-report", out + "/a.json"] + Self.batchArguments)
        XCTAssertEqual(whole.status, 0, whole.standardError)
        let unbudgeted = try GovernorReport.read(from: out + "/a.json")
        guard let budget = budgetFarBelowNeed(unbudgeted) else { return }
        let sortedPaths = try connection.execute(#"SELECT path FROM mem_whole_files ORDER BY path COLLATE "C""#)
        let paths = (0..<sortedPaths.rowCount).map { sortedPaths.value(row: $0, column: 0) ?? "" }
        XCTAssertEqual(paths.count, Self.largeFileCount)
        let arguments =
            [
                input, "--format", url, "--out", "mem_budget", "--memory-budget", "\(budget)", "--governor-report",
                out + "/b.json",
            ]
            + Self.batchArguments
        try runUntilComplete(arguments, budget: budget, unbudgeted: unbudgeted, databaseURL: url) { stop in
            // The tables a reader sees are untouched until the load completes.
            XCTAssertEqual(
                try Support.count(connection, "SELECT count(*) FROM pg_tables WHERE tablename = 'mem_budget_files'"), 0)
            // Every finished batch is committed with its checkpoint: the loading tables hold
            // exactly the unbudgeted rows of the first `doneFiles` files.
            let text = try XCTUnwrap(
                try connection.execute("SELECT checkpoint FROM mem_budget_loading_checkpoint").value(row: 0, column: 0))
            XCTAssertEqual(try JSONDecoder().decode(Checkpoint.self, from: Data(text.utf8)).doneFiles, stop.doneFiles)
            let kept = try connection.execute(#"SELECT path FROM mem_budget_files_loading ORDER BY path COLLATE "C""#)
            XCTAssertEqual(
                (0..<kept.rowCount).map { kept.value(row: $0, column: 0) ?? "" }, Array(paths.prefix(stop.doneFiles)))
            for (table, key) in [("files", "path"), ("nodes", "file"), ("edges", "file")] {
                let wholeRows =
                    "(SELECT * FROM mem_whole_\(table) WHERE \(key) IN (SELECT path FROM mem_budget_files_loading)) w"
                XCTAssertEqual(
                    try Support.differingRows(connection, "mem_budget_\(table)_loading", wholeRows), 0,
                    "\(table) after the stop")
            }
        }
        for table in ["files", "nodes", "edges"] {
            XCTAssertEqual(
                try Support.differingRows(connection, "mem_budget_\(table)", "mem_whole_\(table)"), 0,
                "\(table) after the last run")
            XCTAssertGreaterThan(try Support.count(connection, "SELECT count(*) FROM mem_budget_\(table)"), 0)
        }
        XCTAssertEqual(
            try Support.count(
                connection, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'mem\\_budget\\_%loading%'"), 0)
        for prefix in ["mem_whole", "mem_budget"] { try Support.dropTables(connection, prefix: prefix) }
    }

    func testABudgetBelowWhatTheProcessAlreadyUsesIsRefusedWithTheSizeToGive() throws {
        let root = try SampleSources.write(self)
        let out = try SampleSources.temporaryDirectory(self)
        let outcome = try Command.run(
            "ast2graph",
            [
                root, "--out", out + "/g.jsonl", "--memory-budget", "16", "--governor-report", out + "/r.json",
                "--summary", out + "/s.json",
            ])
        XCTAssertEqual(outcome.status, 2, outcome.standardError)
        let lines = outcome.standardError.split(whereSeparator: \.isNewline)
        XCTAssertEqual(lines.count, 1, outcome.standardError)
        XCTAssertTrue(outcome.standardError.contains("--memory-budget"), outcome.standardError)
        XCTAssertNotNil(
            outcome.standardError.range(of: #"give at least \d+ MiB\n$"#, options: .regularExpression),
            outcome.standardError)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out), [], "a refused budget wrote something")
    }

    func testAGovernorReportPathThatIsADirectoryIsRefusedBeforeAnyWork() throws {
        let root = try SampleSources.write(self)
        let out = try SampleSources.temporaryDirectory(self)
        try FileManager.default.createDirectory(atPath: out + "/report", withIntermediateDirectories: false)
        let outcome = try Command.run(
            "ast2graph", [root, "--out", out + "/g.jsonl", "--governor-report", out + "/report"])
        XCTAssertEqual(outcome.status, 2)
        XCTAssertEqual(
            outcome.standardError,
            "ast2graph: error: --governor-report \(out)/report: it is a directory; name a file inside it instead\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out), ["report"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out + "/report"), [])
    }

    func testTheGovernorReportDescribesARunThatFailed() throws {
        let inputs = try SampleSources.temporaryDirectory(self)
        try Data([0x00, 0x01]).write(to: URL(fileURLWithPath: inputs + "/a.swift"))
        let out = try SampleSources.temporaryDirectory(self)
        let outcome = try Command.run(
            "ast2graph", [inputs, "--out", out + "/g.jsonl", "--governor-report", out + "/r.json"])
        XCTAssertEqual(outcome.status, 1, outcome.standardError)
        let report = try GovernorReport.read(from: out + "/r.json")
        XCTAssertEqual(report.jobs.map(\.name), ["ast2graph"])
        XCTAssertEqual(report.jobs.first?.finished, true)
        XCTAssertGreaterThan(report.startBytes, 0)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out), ["r.json"])
    }

    // MARK: - The library, with usage dialled by hand

    private func manyFiles() throws -> [String] {
        let root = try SampleSources.write(
            self, extra: (0..<9).map { ("Copies/File\($0).swift", "struct Copy\($0) { let value = \($0) }\n") })
        return try SourceInputs.discover([root])
    }

    private func governor(_ usage: DialledUsage) throws -> MemoryGovernor {
        MemoryGovernor(
            budget: MemoryBudget(bytes: 1000, source: .configured), thresholds: try PressureThresholds(), usage: usage)
    }

    func testAtEmergencyEveryRunKeepsOneBatchAndRerunsAtTheSameBudgetComplete() async throws {
        let files = try manyFiles()
        let out = try SampleSources.temporaryDirectory(self)
        _ = try await BatchProcessor(configuration: BatchConfiguration(workers: 2, batchSize: 3)).run(
            files: files, into: JSONLinesExporter(path: out + "/whole.jsonl"))
        let checkpointPath = out + "/g.jsonl.checkpoint.json"
        var checkpoint: Checkpoint?
        var stops: [Int] = []
        while true {
            // Each run starts calm and is at emergency from its first graph on.
            let usage = DialledUsage()
            let processor = BatchProcessor(
                configuration: BatchConfiguration(workers: 2, batchSize: 3), governor: try governor(usage))
            let sink = ObservingSink(
                try JSONLinesExporter(path: out + "/g.jsonl", resumeLengths: checkpoint?.outputLengths)
            ) { _ in usage.set(5000) }
            do {
                _ = try await processor.run(
                    files: files, into: sink, checkpointPath: checkpointPath, resumeFrom: checkpoint, runKey: "k")
                break
            } catch BatchError.stoppedByMemoryGovernor(let done) {
                stops.append(done)
                checkpoint = try XCTUnwrap(try Checkpoint.load(from: checkpointPath))
                XCTAssertEqual(checkpoint?.doneFiles, done)
                guard stops.count < 20 else { return XCTFail("no end after 20 runs: \(stops)") }
            }
        }
        XCTAssertEqual(stops, [3, 6, 9, 12], "each run keeps exactly one batch, the last one completes")
        XCTAssertEqual(
            try Data(contentsOf: URL(fileURLWithPath: out + "/g.jsonl")),
            try Data(contentsOf: URL(fileURLWithPath: out + "/whole.jsonl")))
    }

    func testLightModeParsesOneFileAtATimeAndReturnsToFullBatchesWhenPressureFalls() async throws {
        let files = try manyFiles()
        let usage = DialledUsage()
        usage.set(920) // throttle: 92 % of the budget
        let governor = try governor(usage)
        let job = try governor.admit(job: "light", batch: AdaptiveBatchSize(initial: 4, ceiling: 4))
        let events = Mutex<[String]>([])
        let stream = FileGraphStream(
            files: files, configuration: BatchConfiguration(workers: 2, batchSize: 4), job: job, governor: governor
        ) { progress in
            if progress.phase == .parsing { events.withLock { $0.append("parse \(progress.currentFile)") } }
        }
        var iterator = stream.makeAsyncIterator()
        var handedOn = 0
        while let outcome = try await iterator.next() {
            events.withLock { $0.append("got \(outcome.path)") }
            handedOn += 1
            // After the fifth file, pressure falls.
            if handedOn == 5 { usage.set(100) }
        }
        job.finish()
        XCTAssertEqual(handedOn, files.count)
        // At throttle the batch size halves (4 → 2 → 1 → 1) and each batch is light: [0, 1],
        // [2], [3], [4]; then pressure is normal and the next batch (2 files) is full.
        XCTAssertEqual(iterator.lightBatches, 4, "light while at throttle, full batches once pressure fell")
        let log = events.withLock { $0 }
        // In the light batches each file is parsed only after the one before it was handed on.
        let lightPart = Array(log.prefix(10))
        XCTAssertEqual(
            lightPart, lightPart.indices.map { $0 % 2 == 0 ? "parse \(files[$0 / 2])" : "got \(files[$0 / 2])" })
        // In a full batch, the second worker starts before the first file is handed on.
        XCTAssertTrue(log.suffix(from: 10).prefix(2).allSatisfy { $0.hasPrefix("parse ") }, "\(log.suffix(from: 10))")
        let report = governor.report().jobs.first { $0.name == "light" }
        XCTAssertEqual(report?.lightModeReads, 4)
        XCTAssertEqual(report?.smallestBatchSize, 1)
    }

    func testThrottleDropsTheExportersBuffersAndTheOutputStaysTheSame() async throws {
        let files = try manyFiles()
        let out = try SampleSources.temporaryDirectory(self)
        _ = try await BatchProcessor(configuration: BatchConfiguration(workers: 2, batchSize: 3)).run(
            files: files, into: JSONLinesExporter(path: out + "/whole.jsonl"))
        let usage = DialledUsage()
        let governor = try governor(usage)
        let sink = ObservingSink(try JSONLinesExporter(path: out + "/g.jsonl")) { written in
            if written == 4 { usage.set(910) }
        }
        _ = try await BatchProcessor(configuration: BatchConfiguration(workers: 2, batchSize: 3), governor: governor)
            .run(files: files, into: sink, checkpointPath: out + "/g.jsonl.checkpoint.json")
        let drops = governor.report().actions.filter { $0.contains("dropped caches") }
        XCTAssertEqual(drops.count, 1, "\(governor.report().actions)")
        // Dropped at a batch boundary, after the checkpoint's flush: the whole empty buffer.
        let freed = try XCTUnwrap(
            drops.first?.range(
                of: #"JSON Lines output buffer \([^)]*g\.jsonl\.partial\) \([0-9.]+ MiB\)"#, options: .regularExpression
            ), "\(drops)")
        XCTAssertFalse(drops[0][freed].isEmpty)
        XCTAssertEqual(
            try Data(contentsOf: URL(fileURLWithPath: out + "/g.jsonl")),
            try Data(contentsOf: URL(fileURLWithPath: out + "/whole.jsonl")))
    }

    // MARK: - Helpers

    /// The budget a third of the way from the unbudgeted run's start to its peak, or nil (and a
    /// failure with the figures) when the input did not need at least 40 MiB over the start.
    private func budgetFarBelowNeed(_ report: GovernorReport, file: StaticString = #filePath, line: UInt = #line)
        -> Int?
    {
        let need = report.peakBytes - report.startBytes
        guard need >= 40 << 20 else {
            XCTFail(
                "the unbudgeted run needed only \(need >> 20) MiB over its start (start \(report.startBytes) B, peak \(report.peakBytes) B); the input is too small to test a budget",
                file: file, line: line)
            return nil
        }
        return Support.tightBudgetMiB(start: report.startBytes, peak: report.peakBytes)
    }

    /// Runs `arguments` at `budget`, then the command each stop line names, until a run exits 0
    /// (at most 20 runs). Checks the first run's report for degradation, that each stopped run
    /// printed one line naming the kept files and the command with `--resume` and made
    /// progress, and calls `checkKept` after each stop. Returns the number of runs.
    /// `databaseURL` is typed back where the command hides it.
    @discardableResult
    private func runUntilComplete(
        _ arguments: [String], budget: Int, unbudgeted: GovernorReport, databaseURL: String? = nil,
        checkKept: (MemoryPressureSupport.StopLine) throws -> Void
    ) throws -> Int {
        let reportPath = arguments[arguments.firstIndex(of: "--governor-report")! + 1]
        var outcome = try Command.run("ast2graph", arguments)
        var figures =
            "start \(unbudgeted.startBytes >> 20) MiB, peak \(unbudgeted.peakBytes >> 20) MiB, budget \(budget) MiB"
        let first = try GovernorReport.read(from: reportPath)
        let job = first.jobs.first { $0.name == "ast2graph" }
        figures +=
            "; first budgeted run: exit \(outcome.status), batches \(job?.batches ?? 0) (first \(job?.firstBatchSize ?? 0), smallest \(job?.smallestBatchSize ?? 0)), light reads \(job?.lightModeReads ?? 0)"
        XCTAssertEqual(Support.missingDegradation(first), [], "\(figures); actions: \(first.actions)")
        var runs = 1
        var kept = 0
        var stops: [Int] = []
        while outcome.status == 1 {
            guard let stop = Support.stopLine(outcome.standardError) else {
                XCTFail("run \(runs) exited 1 without the stop line: \(outcome.standardError)")
                return runs
            }
            XCTAssertGreaterThan(stop.doneFiles, kept, "run \(runs) kept nothing new")
            XCTAssertEqual(stop.totalFiles, Self.largeFileCount)
            XCTAssertEqual(stop.command.first, try Command.path(of: "ast2graph"))
            // The database URL is shown with its credentials hidden; the user types it back in.
            let typed = stop.command.dropFirst().map { word in word.contains("***") ? databaseURL ?? word : word }
            XCTAssertEqual(typed, arguments + ["--resume"], "the command to type is not the run's own with --resume")
            if let databaseURL {
                XCTAssertFalse(
                    outcome.standardError.contains(databaseURL), "the stop line shows the database URL's credentials")
            }
            XCTAssertTrue(
                try GovernorReport.read(from: reportPath).jobs.contains { $0.stopRequested },
                "a stopped run's report shows no stop request")
            try checkKept(stop)
            kept = stop.doneFiles
            stops.append(stop.doneFiles)
            guard runs < 20 else {
                XCTFail("still stopping after 20 runs at \(budget) MiB: \(stops)")
                return runs
            }
            outcome = try Command.run("ast2graph", typed)
            runs += 1
        }
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        print("\(name): \(figures); stops after \(stops) files; \(runs) budgeted runs")
        return runs
    }

    private static func occurrences(of pattern: Data, in data: Data) -> Int {
        var count = 0
        var from = data.startIndex
        while let found = data.range(of: pattern, in: from..<data.endIndex) {
            count += 1
            from = found.upperBound
        }
        return count
    }
}
