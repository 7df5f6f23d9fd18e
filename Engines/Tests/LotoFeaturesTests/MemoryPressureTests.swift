import CommandTestSupport
import Foundation
import LibPQ
import LotoFeatures
import MemoryGovernor
import Synchronization
import XCTest

/// Memory pressure as a fault (#13, item 4): `loto-features generate` under a budget far below
/// what the run needs shrinks its batches, goes light, drops its store's cache, stops only after
/// a committed batch with a line that says what was kept and what to type, and reruns with
/// `--resume` at the same budget reach exactly the store an unbudgeted run writes. Against the
/// real executable and real stores (SQLite, and the PostgreSQL that ci/with-postgres.sh starts).

/// The pipelines these tests run: the rolling, lag, calendar and static ones, whose memory the
/// tests were sized by. STL, the entropies and the Isolation Forest over 5,600-draw series
/// would make a debug-build test minutes long without exercising the governor any further.
let lightPipelines: [PipelineID] = [.p1, .p2, .p3, .p12, .p14]
let lightPipelineList = "P1,P2,P3,P12,P14"

final class MemoryPressureTests: XCTestCase {
    // MARK: - The executable under a budget far below its need

    func testABudgetFarBelowTheNeedDegradesStopsSafelyAndResumesToTheSameSQLiteStore() throws {
        let directory = try temporaryDirectory(self).path
        let free = directory + "/free.sqlite"
        let tight = directory + "/tight.sqlite"
        try runUnderPressure(
            directory: directory, unbudgeted: "sqlite:\(free)", budgeted: "sqlite:\(tight)",
            open: { try SQLiteFeatureStore(path: tight) },
            firstDifference: { rows in
                try StoreContents.firstDifference(sqlite: free, tight, tables: Self.tables, rows: &rows)
            })
    }

    func testABudgetFarBelowTheNeedDegradesStopsSafelyAndResumesToTheSamePostgresStore() throws {
        let database = try testDatabaseURL()
        let free = try TestSchema(self, databaseURL: database)
        let tight = try TestSchema(self, databaseURL: database)
        try runUnderPressure(
            directory: try temporaryDirectory(self).path, unbudgeted: free.url, budgeted: tight.url,
            open: { try PostgresFeatureStore(connectionString: tight.url) },
            firstDifference: { rows in
                try StoreContents.firstDifference(
                    postgres: database, schemas: free.name, tight.name, tables: Self.tables, rows: &rows)
            })
    }

    /// The tables the pressure runs write: features_stat costs seconds per long series in a
    /// debug build and adds no memory (one row per series), so it is left to the in-process tests.
    static let tables: [FeatureTable] = [.hist, .futr]

    /// 13 series of 5,600 draws (loto7 at two seeds): the first batch, 12 series, holds about
    /// 55 MiB of hist and futr rows, so the unbudgeted run peaks well over 40 MiB above its
    /// start, and one series is left for a second batch.
    static let draws = 5600
    static let pressureSeries: [DrawSeries] = (1...2).flatMap { seed in
        SampleDraws.series(game: LotoGame.named("loto7")!, draws: draws, seed: UInt64(seed)).map { one in
            var renamed = one
            renamed.uniqueId = "S\(seed)\(one.uniqueId)"
            return renamed
        }
    }.dropLast()

    /// The pattern of the issue: an unbudgeted run gives start S and peak P; a run at
    /// S + (P − S)/3 must degrade, and either finish or stop with every finished batch kept; the
    /// command its stop line names is rerun until it finishes; the final store is compared in
    /// full with the unbudgeted run's.
    private func runUnderPressure(
        directory: String, unbudgeted: String, budgeted: String, open: () throws -> any FeatureStore,
        firstDifference: (inout [FeatureTable: Int]) throws -> String?
    ) throws {
        let series = Array(Self.pressureSeries)
        let csv = directory + "/draws.csv"
        try SampleDraws.csv(series).write(toFile: csv, atomically: true, encoding: .utf8)
        let tables = Self.tables.map(\.rawValue).joined(separator: ",")

        let freeReportPath = directory + "/free.json"
        let free = try Command.run(
            "loto-features",
            [
                "generate", "--pipelines", lightPipelineList, "--input", csv, "--store", unbudgeted, "--tables", tables,
                "--governor-report",
                freeReportPath,
            ])
        XCTAssertEqual(free.status, 0, free.standardError)
        let freeReport = try GovernorReport.read(from: freeReportPath)
        let start = freeReport.startBytes
        let peak = freeReport.peakBytes
        guard peak - start >= 40 << 20 else {
            return XCTFail(
                "the unbudgeted run peaked only \(MiB(peak - start)) MiB above its start (S \(MiB(start)) MiB, P \(MiB(peak)) MiB); the input must be larger for this test to mean anything"
            )
        }
        let budget = (start + (peak - start) / 3 + (1 << 20) - 1) >> 20

        let reportPath = directory + "/tight.json"
        var arguments = [
            "generate", "--pipelines", lightPipelineList, "--input", csv, "--store", budgeted, "--tables", tables,
            "--memory-budget", "\(budget)",
            "--governor-report", reportPath,
        ]
        var outcome = try Command.run("loto-features", arguments)
        let report = try GovernorReport.read(from: reportPath)
        let job = try XCTUnwrap(report.jobs.first { $0.name == "loto-features" })
        let figures =
            "S \(MiB(start)) MiB, P \(MiB(peak)) MiB, budget \(budget) MiB; batches \(job.firstBatchSize) first, \(job.smallestBatchSize) smallest, \(job.lightModeReads) light reads; actions: \(report.actions)"
        print("\(name): \(figures)")
        XCTAssertEqual(report.budgetBytes, budget << 20)
        XCTAssertTrue(
            report.actions.contains { ["throttle:", "refuse:", "emergency:"].contains(where: $0.hasPrefix) },
            "pressure reached throttle or above: \(figures)")
        XCTAssertTrue(
            job.smallestBatchSize < job.firstBatchSize || job.lightModeReads > 0,
            "batches shrank or the run went light: \(figures)")
        XCTAssertTrue(
            report.actions.contains { $0.contains("dropped caches loto-features store cache (") },
            "the store's cache was dropped: \(figures)")

        var runs = 1
        var kept = 0
        while outcome.status == 1 && runs <= 20 {
            let stop = try XCTUnwrap(
                StopLine(outcome.standardError), "exit 1 must end with the stop line: \(outcome.standardError)")
            XCTAssertEqual(stop.total, series.count)
            XCTAssertGreaterThan(stop.kept, kept, "run \(runs) made progress")
            XCTAssertTrue(
                try Self.completeSeries(series, in: open()) == stop.kept,
                "the store holds exactly the \(stop.kept) series the line says were kept")
            XCTAssertEqual(stop.command.first.map { ($0 as NSString).lastPathComponent }, "loto-features")
            XCTAssertEqual(
                Array(stop.command.dropFirst()), arguments + (arguments.contains("--resume") ? [] : ["--resume"]),
                "the command to type is the one run, with --resume")
            kept = stop.kept
            arguments = Array(stop.command.dropFirst())
            outcome = try Command.run("loto-features", arguments)
            runs += 1
        }
        XCTAssertEqual(outcome.status, 0, "run \(runs) at \(budget) MiB: \(outcome.standardError)")
        print("\(name): \(runs) run(s) at \(budget) MiB; kept after each stop: \(kept)")
        var rows: [FeatureTable: Int] = [:]
        XCTAssertNil(try firstDifference(&rows), "the budgeted store equals the unbudgeted one")
        XCTAssertEqual(rows[.hist], series.count * Self.draws, "every row was compared")
        XCTAssertEqual(rows[.futr], series.count * Self.draws)
    }

    private static func completeSeries(_ series: [DrawSeries], in store: any FeatureStore) throws -> Int {
        try FeatureGenerator(tables: tables, pipelines: lightPipelines).completeSeries(of: series, in: store).count
    }

    private func MiB(_ bytes: Int) -> String { String(format: "%.1f", Double(bytes) / 1_048_576) }

    // MARK: - Refusals before any work

    func testABudgetBelowWhatTheProcessAlreadyUsesIsRefusedWithTheSizeToGiveAndTouchesNothing() throws {
        let directory = try temporaryDirectory(self).path
        let csv = directory + "/draws.csv"
        try SampleDraws.csv(sampleSeries(draws: 40)).write(toFile: csv, atomically: true, encoding: .utf8)
        let refused = try Command.run(
            "loto-features",
            [
                "generate", "--pipelines", lightPipelineList, "--input", csv, "--store", "sqlite:\(directory)/f.sqlite",
                "--memory-budget", "16",
                "--governor-report", directory + "/r.json",
            ])
        XCTAssertEqual(refused.status, 2, refused.standardError)
        let lines = refused.standardError.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, refused.standardError)
        let line = String(lines.first ?? "")
        XCTAssertTrue(line.hasPrefix("loto-features: error: --memory-budget 16 MiB: "), line)
        let needed = try XCTUnwrap(line.split(separator: " ").suffix(2).first.flatMap { Int($0) }, line)
        XCTAssertTrue(line.hasSuffix("give at least \(needed) MiB"), line)
        XCTAssertGreaterThan(needed, 16)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: directory), ["draws.csv"], "no store, no report")
        // The size it names is enough to work in.
        let enough = try Command.run(
            "loto-features",
            [
                "generate", "--pipelines", lightPipelineList, "--input", csv, "--store", "sqlite:\(directory)/f.sqlite",
                "--memory-budget", "\(needed)",
            ])
        XCTAssertEqual(enough.status, 0, enough.standardError)
    }

    func testAGovernorReportThatNamesADirectoryIsRefusedBeforeAnyWork() throws {
        let directory = try temporaryDirectory(self).path
        let csv = directory + "/draws.csv"
        try SampleDraws.csv(sampleSeries(draws: 40)).write(toFile: csv, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: directory + "/reports", withIntermediateDirectories: false)
        let refused = try Command.run(
            "loto-features",
            [
                "generate", "--pipelines", lightPipelineList, "--input", csv, "--store", "sqlite:\(directory)/f.sqlite",
                "--governor-report",
                directory + "/reports",
            ])
        XCTAssertEqual(refused.status, 2)
        XCTAssertEqual(refused.standardError.split(separator: "\n").count, 1, refused.standardError)
        XCTAssertTrue(
            refused.standardError.contains("--governor-report \(directory)/reports: it is a directory"),
            refused.standardError)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: directory).sorted(), ["draws.csv", "reports"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory + "/reports"), [])
    }

    /// A run that fails still leaves the report of what the governor saw (the store's error is
    /// the one line, exit 1).
    func testTheGovernorReportIsWrittenWhenTheRunFails() throws {
        let directory = try temporaryDirectory(self).path
        let csv = directory + "/draws.csv"
        let garbage = directory + "/garbage.sqlite"
        try SampleDraws.csv(sampleSeries(draws: 40)).write(toFile: csv, atomically: true, encoding: .utf8)
        try String(repeating: "no database here; ", count: 300).write(
            toFile: garbage, atomically: true, encoding: .utf8)
        let failed = try Command.run(
            "loto-features",
            [
                "generate", "--pipelines", lightPipelineList, "--input", csv, "--store", "sqlite:\(garbage)",
                "--memory-budget", "4096",
                "--governor-report", directory + "/r.json",
            ])
        XCTAssertEqual(failed.status, 1, failed.standardError)
        XCTAssertTrue(
            failed.standardError.hasPrefix("loto-features: error: store sqlite:\(garbage):"), failed.standardError)
        let report = try GovernorReport.read(from: directory + "/r.json")
        XCTAssertEqual(report.budgetBytes, 4096 << 20)
        XCTAssertGreaterThan(report.startBytes, 0)
    }

    // MARK: - The generator's own contract, with a governor the test drives

    /// Under throttle every batch is light and smaller; at emergency the run stops after the
    /// batch it is writing, with every earlier batch committed and the store's cache dropped.
    func testUnderThrottleBatchesShrinkAndGoLightAndEmergencyStopsAfterACommittedBatch() async throws {
        let path = try temporaryDirectory(self).appendingPathComponent("f.sqlite").path
        let series = sampleSeries(draws: 80)
        let usage = ScriptedUsage()
        usage.set(0.92)
        let governor = try usage.governor()
        let store = try WatchedStore(SQLiteFeatureStore(path: path))
        var committed = 0
        do {
            _ = try await FeatureGenerator(pipelines: lightPipelines, workers: 2, governor: governor).run(
                series, into: store
            ) { _ in
                committed += 1
                if committed == 1 { usage.set(1.05) }
            }
            XCTFail("a run at emergency with series left must stop")
        } catch LotoFeaturesError.interrupted(let message) {
            // Throttle halves 8 to 4, then 2; emergency is seen before the second batch is written.
            XCTAssertTrue(
                message.hasPrefix(
                    "stopped by the memory governor after 2 batches: 6 of 11 series kept in sqlite:\(path) (6 written by this run); rerun with --resume"
                ), message)
        }
        XCTAssertEqual(committed, 2)
        XCTAssertEqual(
            try FeatureGenerator(pipelines: lightPipelines).completeSeries(of: series, in: store).count, 6,
            "both batches are kept whole")
        XCTAssertEqual(store.lightModes, [true, true, true], "every batch was planned light")
        XCTAssertGreaterThan(store.cacheReleases, 0, "the cache drop the governor asked for was done")
        let job = try XCTUnwrap(governor.report().jobs.last)
        XCTAssertEqual(job.lightModeReads, 3)
        XCTAssertEqual(job.smallestBatchSize, 1)
        XCTAssertTrue(job.stopRequested)
        XCTAssertTrue(
            governor.report().actions.contains {
                $0.hasPrefix("throttle: dropped caches loto-features store cache (sqlite:\(path))")
            }, "\(governor.report().actions)")
    }

    /// Light mode lasts while pressure does: once it falls, batches are planned normal again
    /// (computed by every worker, the next one while this one is written) and the run completes.
    func testLightModeEndsWhenPressureFalls() async throws {
        let path = try temporaryDirectory(self).appendingPathComponent("f.sqlite").path
        let series = sampleSeries(draws: 40)
        let usage = ScriptedUsage()
        usage.set(0.92)
        let governor = try usage.governor()
        let store = try WatchedStore(SQLiteFeatureStore(path: path))
        store.onPlan = { _ in usage.set(0.1) }
        let summary = try await FeatureGenerator(pipelines: lightPipelines, workers: 2, governor: governor).run(
            series, into: store)
        XCTAssertEqual(summary.series, series.count)
        XCTAssertEqual(store.lightModes.first, true)
        XCTAssertEqual(Array(store.lightModes.dropFirst()), Array(repeating: false, count: store.lightModes.count - 1))
        XCTAssertGreaterThan(store.lightModes.count, 1, "more than one batch was planned")
        XCTAssertEqual(governor.report().jobs.last?.lightModeReads, 1)
    }

    /// A stop asked for before this run kept anything still keeps one batch first, so reruns
    /// under the same pressure each make progress and together write what a free run writes.
    func testAStopAskedBeforeTheFirstBatchKeepsOneBatchAndResumedRerunsComplete() async throws {
        let directory = try temporaryDirectory(self)
        let series = sampleSeries(draws: 80)
        let path = directory.appendingPathComponent("tight.sqlite").path
        var keptAfterEach: [Int] = []
        for run in 1...10 {
            let usage = ScriptedUsage()
            usage.set(0.92)
            let store = try WatchedStore(SQLiteFeatureStore(path: path))
            // Emergency from the first batch's planning on: the stop is asked before anything is kept.
            store.onPlan = { _ in usage.set(1.05) }
            do {
                let summary = try await FeatureGenerator(
                    pipelines: lightPipelines, workers: 2, governor: try usage.governor()
                ).run(
                    series, into: store, resume: true)
                XCTAssertEqual(summary.seriesAlreadyComplete + summary.series, series.count)
                break
            } catch LotoFeaturesError.interrupted(let message) {
                XCTAssertTrue(message.contains("after 1 batch:"), message)
                keptAfterEach.append(
                    try FeatureGenerator(pipelines: lightPipelines).completeSeries(of: series, in: store).count)
                XCTAssertEqual(keptAfterEach.last, 4 * run, "run \(run) kept one batch of 4 more series")
            }
        }
        XCTAssertEqual(keptAfterEach, [4, 8])
        let freePath = directory.appendingPathComponent("free.sqlite").path
        _ = try await FeatureGenerator(pipelines: lightPipelines, workers: 2).run(
            series, into: SQLiteFeatureStore(path: freePath))
        var rows: [FeatureTable: Int] = [:]
        XCTAssertNil(
            try StoreContents.firstDifference(sqlite: freePath, path, tables: FeatureTable.allCases, rows: &rows))
        XCTAssertEqual(rows, [.hist: 11 * 80, .futr: 11 * 80, .stat: 11])
    }

    // MARK: - --resume

    func testResumeSkipsOnlySeriesTheSQLiteStoreHoldsCompletely() async throws {
        let directory = try temporaryDirectory(self)
        let path = directory.appendingPathComponent("f.sqlite").path
        let freePath = directory.appendingPathComponent("free.sqlite").path
        try await checkResume(
            open: { try SQLiteFeatureStore(path: path) },
            execute: { try SQLiteDatabase(path: path).execute($0) },
            freeStore: { try SQLiteFeatureStore(path: freePath) },
            firstDifference: { rows in
                try StoreContents.firstDifference(sqlite: freePath, path, tables: FeatureTable.allCases, rows: &rows)
            })
    }

    func testResumeSkipsOnlySeriesThePostgresStoreHoldsCompletely() async throws {
        let database = try testDatabaseURL()
        let schema = try TestSchema(self, databaseURL: database)
        let free = try TestSchema(self, databaseURL: database)
        try await checkResume(
            open: { try PostgresFeatureStore(connectionString: schema.url) },
            execute: { _ = try PostgresConnection(connectionString: schema.url).execute($0) },
            freeStore: { try PostgresFeatureStore(connectionString: free.url) },
            firstDifference: { rows in
                try StoreContents.firstDifference(
                    postgres: database, schemas: free.name, schema.name, tables: FeatureTable.allCases, rows: &rows)
            })
    }

    /// Four series made incomplete in four ways (a missing last hist row, a missing stat row,
    /// a missing first futr row, an input that grew): `--resume` redoes exactly those, a second
    /// resume does nothing, and a run without it upserts everything again and changes nothing.
    private func checkResume(
        open: () throws -> any FeatureStore, execute: (String) throws -> Void, freeStore: () throws -> any FeatureStore,
        firstDifference: (inout [FeatureTable: Int]) throws -> String?
    ) async throws {
        let full = sampleSeries(draws: 60)
        XCTAssertEqual(full.count, 11)
        var first = full
        first[3] = droppingLastDraws(5, of: [full[3]])[0]
        let generator = FeatureGenerator(pipelines: lightPipelines, workers: 2, fixedBatch: 4)
        _ = try await generator.run(first, into: open())
        func key(_ one: DrawSeries) -> String { "loto = '\(one.loto)' AND unique_id = '\(one.uniqueId)'" }
        try execute("DELETE FROM features_hist WHERE \(key(full[0])) AND ds = '\(full[0].days.last!)'")
        try execute("DELETE FROM features_stat WHERE \(key(full[1]))")
        try execute("DELETE FROM features_futr WHERE \(key(full[2])) AND ds = '\(full[2].days.first!)'")
        let incomplete = Set(full[0...3].map(\.key))
        XCTAssertEqual(try generator.completeSeries(of: full, in: open()), Set(full.map(\.key)).subtracting(incomplete))
        XCTAssertEqual(
            try FeatureGenerator(tables: [.stat], pipelines: lightPipelines).completeSeries(of: full, in: open()),
            Set(full.map(\.key)).subtracting([full[1].key]), "only the tables asked for count")

        let resumed = try await generator.run(full, into: open(), resume: true)
        XCTAssertEqual(resumed.seriesAlreadyComplete, 7)
        XCTAssertEqual(resumed.series, 4)
        XCTAssertEqual(resumed.rowsComputed, 4 * (60 + 60 + 1), "only the four incomplete series were computed")
        XCTAssertEqual(try generator.completeSeries(of: full, in: open()).count, 11)
        let again = try await generator.run(full, into: open(), resume: true)
        XCTAssertEqual(
            [again.series, again.batches, again.rowsComputed, again.rowsChanged, again.seriesAlreadyComplete],
            [0, 0, 0, 0, 11], "nothing left to do")
        let everything = try await generator.run(full, into: open())
        XCTAssertEqual(everything.series, 11, "without --resume every series is upserted")
        XCTAssertEqual(everything.rowsChanged, 0)

        _ = try await generator.run(full, into: freeStore())
        var rows: [FeatureTable: Int] = [:]
        XCTAssertNil(try firstDifference(&rows), "the resumed store equals a store written in one run")
        XCTAssertEqual(rows, [.hist: 11 * 60, .futr: 11 * 60, .stat: 11])
    }
}

/// The stop line: `loto-features: error: stopped by the memory governor after N batch(es): K of T
/// series kept in STORE (…); rerun with --resume to complete the rest: COMMAND`, the one line
/// of standard error (the governor's own lines are in its report, not on standard error).
struct StopLine {
    var kept: Int
    var total: Int
    var command: [String]

    init?(_ standardError: String) {
        let lines = standardError.split(separator: "\n").map(String.init)
        let prefix = "loto-features: error: stopped by the memory governor after "
        guard let line = lines.last, line.hasPrefix(prefix),
            lines.count == 1,
            let marker = line.range(of: "; rerun with --resume to complete the rest: "),
            let colon = line.range(
                of: ": ", range: line.index(line.startIndex, offsetBy: prefix.count)..<marker.lowerBound),
            let of = line.range(of: " of ", range: colon.upperBound..<marker.lowerBound),
            let series = line.range(of: " series kept in ", range: of.upperBound..<marker.lowerBound),
            let kept = Int(line[colon.upperBound..<of.lowerBound]),
            let total = Int(line[of.upperBound..<series.lowerBound])
        else { return nil }
        self.kept = kept
        self.total = total
        command = ShellWords.split(String(line[marker.upperBound...]))
    }
}

/// Usage as a fraction of a 1 GiB budget that the test sets; the governor reads it at each check.
final class ScriptedUsage: UsageSource {
    static let budget = 1 << 30
    private let fraction = Mutex<Double>(0.1)

    func set(_ value: Double) { fraction.withLock { $0 = value } }

    func currentUsage() -> MemoryUsage {
        let bytes = Int(Double(Self.budget) * fraction.withLock { $0 })
        return MemoryUsage(liveBytes: bytes, residentBytes: bytes)
    }

    /// A governor over this usage, with the default thresholds.
    func governor() throws -> MemoryGovernor {
        MemoryGovernor(
            budget: MemoryBudget(bytes: Self.budget, source: .configured), thresholds: try PressureThresholds(),
            usage: self)
    }
}

/// A store that passes everything to another and records what the generator asked of it:
/// the light mode planned for each batch (the generator sets it right after asking the
/// governor for the batch's size) and the cache drops.
final class WatchedStore: FeatureStore {
    private let store: any FeatureStore
    private(set) var lightModes: [Bool] = []
    private(set) var cacheReleases = 0
    /// Called with each batch's light mode as it is planned.
    var onPlan: (Bool) -> Void = { _ in }

    init(_ store: any FeatureStore) { self.store = store }

    var target: String { store.target }
    func prepare(_ layouts: [TableLayout]) throws { try store.prepare(layouts) }
    func migrationPlan() throws -> [TableMigration] { try store.migrationPlan() }
    func migrate() throws -> [TableMigration] { try store.migrate() }
    func info() throws -> [TableInfo] { try store.info() }
    func finish() throws { try store.finish() }
    func forEachRow(
        _ table: FeatureTable, loto: String?, uniqueId: String?, _ body: ([String]) throws -> Bool
    ) throws { try store.forEachRow(table, loto: loto, uniqueId: uniqueId, body) }
    func write(_ batch: FeatureBatch) throws -> Int { try store.write(batch) }
    func storedSeries(_ table: FeatureTable) throws -> [SeriesKey: StoredSeries] { try store.storedSeries(table) }
    var cacheBytes: Int { store.cacheBytes }

    func releaseCache() -> Int {
        cacheReleases += 1
        return store.releaseCache()
    }

    func setLightMode(_ light: Bool) {
        lightModes.append(light)
        store.setLightMode(light)
        onPlan(light)
    }
}
