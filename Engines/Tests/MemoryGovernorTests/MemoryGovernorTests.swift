import Foundation
import Logging
import MemoryGovernor
import MetricsTestKit
import Synchronization
import XCTest

/// Usage and time the tests set by hand.
final class FakeUsage: UsageSource, Sendable {
    let bytes = Mutex(0)
    func currentUsage() -> MemoryUsage {
        let value = bytes.withLock { $0 }
        return MemoryUsage(liveBytes: value, residentBytes: value / 2)
    }
    func set(_ value: Int) { bytes.withLock { $0 = value } }
}

final class FakeClock: Sendable {
    let now = Mutex(0.0)
    func advance(_ seconds: Double) { now.withLock { $0 += seconds } }
    func read() -> Double { now.withLock { $0 } }
}

final class Recorder<Value: Sendable>: Sendable {
    let values = Mutex<[Value]>([])
    func append(_ value: Value) { values.withLock { $0.append(value) } }
    var all: [Value] { values.withLock { $0 } }
}

/// Keeps what a logger was told.
struct RecordingLogHandler: LogHandler {
    let lines: Recorder<String>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        lines.append("\(event.level): \(event.message)")
    }
}

final class MemoryGovernorTests: XCTestCase {
    private func governor(
        _ usage: FakeUsage, clock: FakeClock = FakeClock(), alerts: Recorder<MemoryAlert>? = nil,
        purges: Recorder<Int>? = nil
    ) throws -> MemoryGovernor {
        MemoryGovernor(
            budget: MemoryBudget(bytes: 1000, source: .configured), thresholds: try PressureThresholds(), usage: usage,
            purge: { purges?.append(1) }, onAlert: { alerts?.append($0) }, clock: { clock.read() })
    }

    func testEveryLevelTakesItsAction() throws {
        let usage = FakeUsage()
        let alerts = Recorder<MemoryAlert>()
        let purges = Recorder<Int>()
        let dropped = Recorder<String>()
        let governor = try governor(usage, alerts: alerts, purges: purges)
        governor.registerCache("parsed-files") {
            dropped.append("parsed-files")
            return 4096
        }
        usage.set(500)
        let job = try governor.admit(job: "features", batch: AdaptiveBatchSize(initial: 64, floor: 4, ceiling: 256))
        XCTAssertEqual(job.nextBatchSize(), 65, "normal: grows by one")

        usage.set(850)
        XCTAssertEqual(governor.check(), .warn)
        XCTAssertEqual(job.nextBatchSize(), 65, "warn: holds")

        XCTAssertFalse(job.lightMode)
        usage.set(920)
        XCTAssertEqual(job.nextBatchSize(), 32, "throttle: halves")
        XCTAssertTrue(job.lightMode, "throttle: go light")
        XCTAssertEqual(dropped.all, ["parsed-files"], "throttle: caches dropped once, on the way up")
        XCTAssertEqual(purges.all.count, 1)
        XCTAssertEqual(job.nextBatchSize(), 16)

        usage.set(960)
        XCTAssertThrowsError(try governor.admit(job: "second", batch: AdaptiveBatchSize(initial: 8, ceiling: 8))) {
            error in
            XCTAssertEqual(
                String(describing: error),
                "job 'second' refused: memory is at 96.0 % of the 1000 B budget (960 B in use, level refuse); wait for running jobs to finish or raise the budget"
            )
        }
        XCTAssertFalse(job.shouldStop)

        usage.set(1000)
        XCTAssertEqual(governor.check(), .emergency)
        XCTAssertTrue(job.shouldStop, "a running job is asked to stop at its next safe point")
        XCTAssertEqual(dropped.all, ["parsed-files", "parsed-files"], "emergency: dropped again")
        XCTAssertEqual(purges.all.count, 2)
        // The purge at throttle may bring usage just under the line for a moment (warn, then
        // throttle again); the levels still rise in order, and caches go once.
        var risen: [PressureLevel] = []
        for alert in alerts.all where alert.level > alert.previous && !risen.contains(alert.level) {
            risen.append(alert.level)
        }
        XCTAssertEqual(risen, [.warn, .throttle, .refuse, .emergency], "\(alerts.all.map(\.level))")
        XCTAssertEqual(alerts.all.last?.level, .emergency)
        XCTAssertTrue(alerts.all.allSatisfy { $0.level >= .warn }, "\(alerts.all.map(\.level))")
        XCTAssertEqual(governor.report().actions.filter { $0.hasPrefix("throttle: dropped caches") }.count, 1)

        let report = governor.report()
        XCTAssertTrue(
            report.actions.contains("emergency: asked features to stop at the next safe point"), "\(report.actions)")
        XCTAssertTrue(
            report.actions.contains { $0.contains("dropped caches parsed-files (4.0 KiB)") }, "\(report.actions)")
        XCTAssertTrue(report.actions.contains("refuse: refused job 'second'"))
        XCTAssertEqual(report.peakBytes, 1000)
        XCTAssertEqual(report.startBytes, 0, "the fake read 0 when the governor was made")
        XCTAssertEqual(report.jobs.first?.firstBatchSize, 64)
        XCTAssertEqual(report.jobs.first?.smallestBatchSize, 16)
        XCTAssertEqual(report.jobs.first?.lightModeReads, 1)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: report.jsonData()) as? [String: Any])
        XCTAssertEqual(json["budgetBytes"] as? Int, 1000)
        XCTAssertEqual((json["jobs"] as? [[String: Any]])?.first?["name"] as? String, "features")
    }

    func testAStopRequestReachesEveryJobRunningAtEmergencyAndOutlivesIt() throws {
        let usage = FakeUsage()
        let governor = try governor(usage)
        usage.set(100)
        let early = try governor.admit(job: "early", batch: AdaptiveBatchSize(initial: 4, ceiling: 4))
        usage.set(1200)
        governor.check()
        XCTAssertTrue(early.shouldStop)
        // Pressure stays at emergency without a change of level: a job that got in before the
        // next check (as a single command's job does) is asked too.
        usage.set(100)
        let late = try governor.admit(job: "late", batch: AdaptiveBatchSize(initial: 4, ceiling: 4))
        XCTAssertFalse(late.shouldStop, "admitted after the emergency passed")
        XCTAssertTrue(early.shouldStop, "the request outlives the emergency")
        usage.set(1100)
        governor.check()
        governor.check()
        XCTAssertTrue(late.shouldStop)
        let asked = governor.report().actions.filter { $0.hasPrefix("emergency: asked") }
        XCTAssertEqual(
            asked,
            [
                "emergency: asked early to stop at the next safe point",
                "emergency: asked late to stop at the next safe point",
            ])
    }

    func testABudgetBelowWhatTheProcessAlreadyUsesIsRefusedWithTheSizeToGive() throws {
        XCTAssertThrowsError(try MemoryGovernor.forThisProcess(budgetBytes: 1 << 20)) { error in
            guard case .belowStartingUsage(let budget, let start, let needed) = error as? MemoryBudget.BudgetError
            else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(budget, 1 << 20)
            XCTAssertGreaterThan(start, 1 << 20)
            XCTAssertGreaterThanOrEqual(needed << 20, start + (16 << 20))
            XCTAssertTrue(String(describing: error).hasSuffix("give at least \(needed) MiB"), "\(error)")
        }
        let path = NSTemporaryDirectory() + "governor-\(getpid()).json"
        defer { unlink(path) }
        let governor = try MemoryGovernor.forThisProcess(budgetBytes: 4 << 30)
        try governor.report().write(to: path)
        let back = try GovernorReport.read(from: path)
        XCTAssertEqual(back.budgetBytes, 4 << 30)
        XCTAssertGreaterThan(back.startBytes, 0)
    }

    func testCachesAreDroppedOnceAtThrottleUntilPressureIsNormalAgain() throws {
        let usage = FakeUsage()
        let dropped = Recorder<String>()
        let governor = try governor(usage)
        governor.registerCache("c") {
            dropped.append("c")
            return 0
        }
        for value in [920, 850, 930, 850, 100, 910] {
            usage.set(value)
            governor.check()
        }
        XCTAssertEqual(dropped.all.count, 2, "once for throttle, dipping to warn and back; again after normal")
    }

    func testAnUnregisteredCacheIsNoLongerDropped() throws {
        let usage = FakeUsage()
        let dropped = Recorder<String>()
        let governor = try governor(usage)
        let first = governor.registerCache("first run") {
            dropped.append("first run")
            return 0
        }
        governor.registerCache("process") {
            dropped.append("process")
            return 0
        }
        governor.unregisterCache(first)
        usage.set(950)
        governor.check()
        XCTAssertEqual(dropped.all, ["process"])
    }

    func testWarningIsRaisedOncePerCrossing() throws {
        let usage = FakeUsage()
        let alerts = Recorder<MemoryAlert>()
        let governor = try governor(usage, alerts: alerts)
        usage.set(820)
        for _ in 0..<5 { governor.check() }
        usage.set(100)
        governor.check()
        usage.set(830)
        governor.check()
        XCTAssertEqual(alerts.all.map(\.level), [.warn, .normal, .warn])
    }

    func testBatchSizesStayBetweenFloorAndCeiling() {
        var batch = AdaptiveBatchSize(initial: 3, floor: 2, ceiling: 5, increase: 1, decrease: 0.5)
        XCTAssertEqual((0..<4).map { _ in batch.next(at: .normal) }, [4, 5, 5, 5])
        XCTAssertEqual((0..<3).map { _ in batch.next(at: .throttle) }, [2, 2, 2])
    }

    func testTwoJobsAreAccountedSeparately() throws {
        let usage = FakeUsage()
        let clock = FakeClock()
        let governor = try governor(usage, clock: clock)
        usage.set(100)
        let a = try governor.admit(job: "a", batch: AdaptiveBatchSize(initial: 1, ceiling: 10))
        a.recordOwnBytes(300)
        clock.advance(2)
        usage.set(850)
        let b = try governor.admit(job: "b", batch: AdaptiveBatchSize(initial: 1, ceiling: 10))
        b.recordOwnBytes(50)
        clock.advance(3)
        _ = a.nextBatchSize()
        a.finish()
        clock.advance(1)
        b.finish()
        let report = governor.report()
        XCTAssertEqual(report.jobs.map(\.name), ["a", "b"])
        XCTAssertEqual(report.jobs.map(\.peakOwnBytes), [300, 50])
        XCTAssertEqual(report.jobs[0].secondsAtLevel.first { $0.level == .normal }?.seconds, 2)
        XCTAssertEqual(report.jobs[0].secondsAtLevel.first { $0.level == .warn }?.seconds, 3)
        XCTAssertEqual(report.jobs[1].secondsAtLevel.first { $0.level == .warn }?.seconds, 4)
        XCTAssertEqual(report.jobs[0].grownBytes, 750)
        XCTAssertTrue(report.jobs.allSatisfy(\.finished))
    }

    func testThresholdsOutOfOrderOrRangeAreRefused() {
        XCTAssertThrowsError(try PressureThresholds(warn: 0.9, throttle: 0.8)) { error in
            XCTAssertTrue(String(describing: error).contains("must rise"), "\(error)")
        }
        XCTAssertThrowsError(try PressureThresholds(emergency: 1.2)) { error in
            XCTAssertTrue(String(describing: error).contains("at most 100 %"), "\(error)")
        }
        XCTAssertThrowsError(try PressureThresholds(warn: 0))
    }

    func testBudgetComesFromConfigurationThenCgroupThenMachine() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cgroup-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/memory", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let machine = 8 << 30
        XCTAssertEqual(
            try MemoryBudget.resolve(configured: 1 << 30, cgroupRoot: root, physicalMemory: machine),
            MemoryBudget(bytes: 1 << 30, source: .configured))
        XCTAssertEqual(
            try MemoryBudget.resolve(configured: nil, cgroupRoot: root, physicalMemory: machine),
            MemoryBudget(bytes: machine, source: .systemMemory))
        try "9223372036854771712\n".write(
            toFile: root + "/memory/memory.limit_in_bytes", atomically: true, encoding: .utf8)
        XCTAssertEqual(
            try MemoryBudget.resolve(configured: nil, cgroupRoot: root, physicalMemory: machine).source, .systemMemory,
            "v1's 'no limit'")
        try "2147483648\n".write(toFile: root + "/memory/memory.limit_in_bytes", atomically: true, encoding: .utf8)
        XCTAssertEqual(
            try MemoryBudget.resolve(configured: nil, cgroupRoot: root, physicalMemory: machine),
            MemoryBudget(bytes: 2 << 30, source: .cgroupV1))
        try "max\n".write(toFile: root + "/memory.max", atomically: true, encoding: .utf8)
        XCTAssertEqual(
            try MemoryBudget.resolve(configured: nil, cgroupRoot: root, physicalMemory: machine).source, .cgroupV1)
        try "1073741824\n".write(toFile: root + "/memory.max", atomically: true, encoding: .utf8)
        XCTAssertEqual(
            try MemoryBudget.resolve(configured: nil, cgroupRoot: root, physicalMemory: machine),
            MemoryBudget(bytes: 1 << 30, source: .cgroupV2))
        try "lots\n".write(toFile: root + "/memory.max", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try MemoryBudget.resolve(configured: nil, cgroupRoot: root, physicalMemory: machine)) {
            error in
            XCTAssertTrue(String(describing: error).contains("memory.max' holds 'lots'"), "\(error)")
        }
        XCTAssertThrowsError(try MemoryBudget.resolve(configured: 0, cgroupRoot: root, physicalMemory: machine))
        XCTAssertThrowsError(
            try MemoryBudget.resolve(configured: machine + 1, cgroupRoot: root, physicalMemory: machine)
        ) { error in
            XCTAssertTrue(String(describing: error).contains("larger than this machine"), "\(error)")
        }
    }

    /// The real process: allocate toward a small budget and watch every level, then free and
    /// see usage return within 4 MiB of the start within 5 s.
    func testRealAllocationsWalkThroughTheLevelsAndMemoryComesBack() throws {
        let probe = try ProcessUsageSource()
        let start = probe.currentUsage().governingBytes
        // 4 MiB steps toward a budget 160 MiB above the start: each band (5 % = 8 MiB and up)
        // holds at least one step.
        let chunk = 4 << 20
        let budget = MemoryBudget(bytes: start + 40 * chunk, source: .configured)
        let alerts = Recorder<MemoryAlert>()
        let governor = MemoryGovernor(
            budget: budget, thresholds: try PressureThresholds(), usage: probe, purge: { probe.purge() },
            onAlert: { alerts.append($0) })
        let job = try governor.admit(job: "filler", batch: AdaptiveBatchSize(initial: 8, floor: 1, ceiling: 64))
        var blocks: [UnsafeMutableRawPointer] = []
        var sizes: [Int] = []
        var refusedAtSomePoint = false
        while !job.shouldStop && blocks.count < 80 {
            let block = try XCTUnwrap(malloc(chunk))
            memset(block, 1, chunk)
            blocks.append(block)
            sizes.append(job.nextBatchSize())
            if governor.level >= .refuse, !refusedAtSomePoint {
                XCTAssertThrowsError(try governor.admit(job: "late", batch: AdaptiveBatchSize(initial: 1, ceiling: 1)))
                refusedAtSomePoint = true
            }
        }
        XCTAssertTrue(job.shouldStop, "the emergency asked the job to stop")
        XCTAssertTrue(refusedAtSomePoint)
        // The purge at throttle may bring usage just under the line for a moment (warn, then
        // throttle again); the levels still rise in order, and caches go once.
        var risen: [PressureLevel] = []
        for alert in alerts.all where alert.level > alert.previous && !risen.contains(alert.level) {
            risen.append(alert.level)
        }
        XCTAssertEqual(risen, [.warn, .throttle, .refuse, .emergency], "\(alerts.all.map(\.level))")
        XCTAssertEqual(alerts.all.last?.level, .emergency)
        XCTAssertTrue(alerts.all.allSatisfy { $0.level >= .warn }, "\(alerts.all.map(\.level))")
        XCTAssertEqual(governor.report().actions.filter { $0.hasPrefix("throttle: dropped caches") }.count, 1)
        XCTAssertLessThan(sizes.last!, sizes.max()!, "batches shrank under pressure")
        job.finish()
        for block in blocks { free(block) }
        let deadline = Date().addingTimeInterval(5)
        var now = probe.currentUsage().governingBytes
        while now > start + chunk && Date() < deadline {
            probe.purge()
            usleep(100_000)
            now = probe.currentUsage().governingBytes
        }
        XCTAssertLessThanOrEqual(now, start + chunk, "usage \(now) did not return near the start \(start) within 5 s")
    }

    func testAlertsGoToTheLogAndToMetrics() throws {
        let usage = FakeUsage()
        let lines = Recorder<String>()
        let metrics = TestMetrics()
        let governor = MemoryGovernor(
            budget: MemoryBudget(bytes: 1000, source: .configured), thresholds: try PressureThresholds(), usage: usage,
            logger: Logger(label: "test") { _ in RecordingLogHandler(lines: lines) }, metrics: metrics)
        usage.set(850)
        governor.check()
        governor.check()
        usage.set(970)
        XCTAssertThrowsError(try governor.admit(job: "late", batch: AdaptiveBatchSize(initial: 1, ceiling: 1)))
        usage.set(1200)
        governor.check()
        usage.set(100)
        governor.check()
        XCTAssertEqual(
            lines.all.filter { $0.contains("memory rose to warn") }.count, 1, "once per crossing: \(lines.all)")
        XCTAssertTrue(lines.all.contains { $0.hasPrefix("warning: job 'late' refused") }, "\(lines.all)")
        XCTAssertTrue(lines.all.contains { $0.hasPrefix("critical: memory rose to emergency") }, "\(lines.all)")
        XCTAssertTrue(lines.all.contains { $0.hasPrefix("info: memory fell to normal") }, "\(lines.all)")
        XCTAssertEqual(try metrics.expectCounter("memory_governor_alerts_total", [("level", "warn")]).totalValue, 1)
        XCTAssertEqual(
            try metrics.expectCounter("memory_governor_alerts_total", [("level", "emergency")]).totalValue, 1)
        XCTAssertEqual(try metrics.expectCounter("memory_governor_refused_jobs_total").totalValue, 1)
        XCTAssertEqual(try metrics.expectGauge("memory_governor_level").lastValue, 0)
        XCTAssertEqual(try metrics.expectGauge("memory_governor_budget_bytes").lastValue, 1000)
    }
}
