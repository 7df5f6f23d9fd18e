import Foundation
import HeapProbe
import SoakGateBasics
import XCTest

@testable import SoakGate

final class SoakAnalysisTests: XCTestCase {
    private let manifest = SoakManifest(
        workloads: ["w"], durationSeconds: 7200, intervalSeconds: 10, checkpointSeconds: 600, settleSeconds: 5,
        warmupIterations: 0, alerts: SoakAlertPolicy(), stepThresholdBytes: 1_048_576, toleratedBytesPerHour: 0,
        mallocConf: "tcache:false", startedAt: "2026-11-22T00:00:00Z", sizeClasses: [])

    private func samples(count: Int, every seconds: Double = 10, segmentAt: Int? = nil, live: (Int) -> Int)
        -> [SoakSample]
    {
        (0..<count).map { index in
            SoakSample(
                workload: "w", segment: segmentAt.map { index >= $0 ? 1 : 0 } ?? 0,
                kind: index == 0 ? .start : .interval,
                elapsedSeconds: Double(index) * seconds, iterations: index * 100, liveBytes: live(index),
                activeBytes: 0,
                residentBytes: 0, processResidentBytes: 0, meanIterationSeconds: 0.01, maxIterationSeconds: 0.02,
                sizeClassCounts: nil)
        }
    }

    private func analyze(_ samples: [SoakSample]) -> SoakWorkloadResult {
        SoakAnalysis.analyze("w", samples: samples, events: [], manifest: manifest)
    }

    func testSteadyGrowthIsALeakWithItsRatePerHour() {
        // 16 B every 10 s reading is 5,760 B/h.
        let result = analyze(samples(count: 120) { 100_000 + 16 * $0 })
        XCTAssertEqual(result.verdict, .leak, result.evidence)
        XCTAssertEqual(result.growth, .linear)
        XCTAssertEqual(try XCTUnwrap(result.bytesPerHour), 5760, accuracy: 1e-6)
        XCTAssertEqual(try XCTUnwrap(result.bytesPerIteration), 0.16, accuracy: 1e-9)
        XCTAssertEqual(result.fitsVersusHours?.chosenDegree, 1)
        XCTAssertTrue(result.steps.isEmpty, "a steady leak is not a step: \(result.steps)")
    }

    func testACacheThatFillsAndStopsIsNotALeak() {
        let result = analyze(samples(count: 120) { 100_000 + 512 * min($0, 70) })
        XCTAssertEqual(result.verdict, .pass, result.evidence)
        XCTAssertGreaterThan(try XCTUnwrap(result.bytesPerHourLowerBound), 0, "it grew over the whole soak")
        XCTAssertLessThanOrEqual(try XCTUnwrap(result.lateBytesPerHourLowerBound), 0, "but not over its second half")
    }

    func testFlatLiveBytesPass() {
        let result = analyze(samples(count: 60) { $0 == 0 ? 90_000 : 90_272 })
        XCTAssertEqual(result.verdict, .pass, result.evidence)
    }

    func testAccelerationIsSuperlinear() {
        let result = analyze(samples(count: 120) { 100_000 + $0 * $0 * 8 })
        XCTAssertEqual(result.verdict, .leak)
        XCTAssertEqual(result.growth, .superlinear)
    }

    func testTooFewReadingsAreInconclusive() {
        let result = analyze(samples(count: 5) { 100_000 + 1000 * $0 })
        XCTAssertEqual(result.verdict, .inconclusive)
    }

    func testASuddenJumpIsAStepAtTheRightTime() {
        let result = analyze(samples(count: 60) { $0 < 37 ? 2_500_000 : 5_800_000 })
        let step = try? XCTUnwrap(result.steps.first)
        XCTAssertEqual(step?.bytes, 3_300_000)
        XCTAssertEqual(step?.fromSeconds, 360)
        XCTAssertEqual(step?.toSeconds, 370)
        XCTAssertEqual(result.verdict, .pass, "one jump, flat on both sides, is not a leak")
        XCTAssertTrue(result.evidence.contains("a step of"), result.evidence)
    }

    func testAResumedSegmentContinuesFromTheLastReading() {
        // The second process starts lower (a fresh heap) but the leak goes on at the same rate.
        let joined = samples(count: 100, segmentAt: 50) { $0 < 50 ? 100_000 + 64 * $0 : 80_000 + 64 * ($0 - 50) }
        let (retained, segments) = SoakAnalysis.joined(joined)
        XCTAssertEqual(segments.map(\.segment), [0, 1])
        XCTAssertEqual(retained[49], 64 * 49)
        XCTAssertEqual(retained[50], 64 * 49, "the first reading of a resumed process continues the last")
        XCTAssertEqual(retained[99], 64 * 98)
        XCTAssertEqual(analyze(joined).verdict, .leak)
    }

    func testTheAlertWarnsOnceWhenRecentGrowthCrossesItsThreshold() {
        var monitor = SoakAlertMonitor(policy: SoakAlertPolicy(bytesPerHour: 1_000_000, windowSeconds: 300))
        var alerts: [SoakAlertMonitor.Alert] = []
        for sample in samples(count: 80) { $0 < 40 ? 50_000 : 50_000 + 10_000 * ($0 - 40) } {
            alerts += monitor.observe(sample)
        }
        XCTAssertEqual(alerts.map(\.kind), [.bytesPerHour], "\(alerts)")
        XCTAssertTrue(alerts[0].message.contains("above the alert at"), alerts[0].message)
    }

    func testTheLiveBytesAlertRearmsAfterFallingBack() {
        var monitor = SoakAlertMonitor(policy: SoakAlertPolicy(liveBytes: 1000))
        let figures = [500, 1500, 1600, 800, 1200]
        let raised = samples(count: figures.count) { figures[$0] }.map { monitor.observe($0).count }
        XCTAssertEqual(raised, [0, 1, 0, 0, 1])
    }
}

final class SoakFilesTests: XCTestCase {
    func testDurationsParseAsPeopleWriteThem() throws {
        XCTAssertEqual(try SoakDuration.parse("24h").seconds, 86400)
        XCTAssertEqual(try SoakDuration.parse("1h30m").seconds, 5400)
        XCTAssertEqual(try SoakDuration.parse("500ms").seconds, 0.5)
        XCTAssertEqual(try SoakDuration.parse("90").seconds, 90)
        XCTAssertEqual(SoakDuration.format(5405), "1h30m5s")
        XCTAssertEqual(SoakDuration.clock(90061), "25:01:01")
        for bad in ["", "h", "10x", "-5s", "0s", "1h 2"] {
            XCTAssertThrowsError(try SoakDuration.parse(bad), bad)
        }
    }

    func testSizesParseWithBinaryAndDecimalUnits() throws {
        XCTAssertEqual(try ByteCount.parse("64MiB"), 67_108_864)
        XCTAssertEqual(try ByteCount.parse("10MB"), 10_000_000)
        XCTAssertEqual(try ByteCount.parse("4096"), 4096)
        XCTAssertThrowsError(try ByteCount.parse("lots"))
    }

    func testNumbersThatDoNotFitAreRefusedNamingTheirSource() {
        for bad in ["99999999999999999999", "inf", "400d", "1e30s"] {
            XCTAssertThrowsError(try SoakDuration.parse(bad, source: "--duration"), bad)
        }
        for bad in ["1e300B", "-5MiB", "nan", "inf", "2048TiB"] {
            XCTAssertThrowsError(try ByteCount.parse(bad, source: "--alert-live-bytes"), bad) { error in
                XCTAssertTrue(String(describing: error).contains("--alert-live-bytes"), "\(error)")
            }
        }
        XCTAssertEqual(SoakDuration.clock(.infinity), "--:--:--")
        XCTAssertEqual(ByteCount.format(Double.nan), "nan B")
    }

    func testAnEditedManifestGetsTheChecksOfANewSoak() {
        func manifest(interval: Double = 1, settle: Double = 1, live: Int? = nil) -> SoakManifest {
            SoakManifest(
                workloads: ["w"], durationSeconds: 60, intervalSeconds: interval, checkpointSeconds: 15,
                settleSeconds: settle,
                warmupIterations: 0, alerts: SoakAlertPolicy(liveBytes: live), stepThresholdBytes: 1,
                toleratedBytesPerHour: 0,
                mallocConf: "", startedAt: "", sizeClasses: [])
        }
        XCTAssertNoThrow(try manifest().validate { $0.rawValue })
        for (bad, field) in [
            (manifest(interval: 1e-10), "intervalSeconds"), (manifest(settle: 20), "settleSeconds"),
            (manifest(live: -5), "alerts.liveBytes"),
        ] {
            XCTAssertThrowsError(try bad.validate { "soak.json: \($0.rawValue)" }) { error in
                XCTAssertTrue(String(describing: error).contains("soak.json: \(field)"), "\(error)")
            }
        }
    }

    func testASampleWithAnOutOfRangeNumberIsNamedByLineAndField() {
        let sample = SoakSample(
            workload: "w", segment: 0, kind: .interval, elapsedSeconds: 1e300, iterations: 1, liveBytes: 1,
            activeBytes: 1,
            residentBytes: 1, processResidentBytes: 1, meanIterationSeconds: nil, maxIterationSeconds: nil,
            sizeClassCounts: nil)
        XCTAssertThrowsError(try sample.check(source: "samples.jsonl:7:", sizeClassCount: 10)) { error in
            XCTAssertTrue(String(describing: error).contains("samples.jsonl:7: elapsedSeconds"), "\(error)")
        }
    }

    func testAWireLineBecomesASample() throws {
        let line = "@@soak s 1500000000 42 1000 2000 3000 4000 10000 20000 3:7 11:2"
        let sample = try XCTUnwrap(SoakWireLine.parse(Substring(line), workload: "w", segment: 2))
        XCTAssertEqual(sample.kind, .settled)
        XCTAssertEqual(sample.elapsedSeconds, 1.5)
        XCTAssertEqual(sample.iterations, 42)
        XCTAssertEqual(sample.liveBytes, 1000)
        XCTAssertEqual(sample.processResidentBytes, 4000)
        XCTAssertEqual(sample.meanIterationSeconds, 1e-5)
        XCTAssertEqual(sample.sizeClassCounts, [3: 7, 11: 2])
        XCTAssertNil(SoakWireLine.parse("@@soak x 1 2 3 4 5 6 7 8", workload: "w", segment: 0))
        XCTAssertNil(SoakWireLine.parse("hello", workload: "w", segment: 0))
    }

    func testATornLastLineIsIgnoredWhenReadAndCutBeforeAResume() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("soak-files-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let directory = SoakDirectory(path: path)
        let manifest = SoakManifest(
            workloads: ["w"], durationSeconds: 60, intervalSeconds: 1, checkpointSeconds: 15, settleSeconds: 1,
            warmupIterations: 0, alerts: SoakAlertPolicy(), stepThresholdBytes: 1024, toleratedBytesPerHour: 0,
            mallocConf: "tcache:false", startedAt: "2026-11-22T00:00:00Z", sizeClasses: [])
        try AtomicFile.write(try JSONEncoder().encode(manifest), to: directory.manifestPath)
        let sample = SoakSample(
            workload: "w", segment: 0, kind: .interval, elapsedSeconds: 1, iterations: 10, liveBytes: 5, activeBytes: 6,
            residentBytes: 7, processResidentBytes: 8, meanIterationSeconds: nil, maxIterationSeconds: nil,
            sizeClassCounts: nil)
        let log = try DurableLog(path: directory.samplesPath)
        try log.append(try sample.jsonLine())
        try log.append(try sample.jsonLine())
        try log.append(Data(#"{"activeBytes":6,"elapsedSec"#.utf8))

        let contents = try directory.read()
        XCTAssertEqual(contents.samples, [sample, sample])
        XCTAssertEqual(contents.unreadableLines.count, 1)
        XCTAssertTrue(contents.unreadableLines[0].contains("samples.jsonl line 3: torn"), contents.unreadableLines[0])

        XCTAssertEqual(try directory.dropTornTails().count, 1)
        try log.append(try sample.jsonLine())
        let repaired = try directory.read()
        XCTAssertEqual(repaired.samples.count, 3)
        XCTAssertTrue(repaired.unreadableLines.isEmpty)
    }
}

final class SoakGateDecisionTests: XCTestCase {
    private func report(_ series: [String: (Int) -> Int], readings: Int = 60) -> SoakReport {
        let manifest = SoakManifest(
            workloads: Array(series.keys), durationSeconds: 600, intervalSeconds: 10, checkpointSeconds: 600,
            settleSeconds: 0, warmupIterations: 0, alerts: SoakAlertPolicy(), stepThresholdBytes: 1_048_576,
            toleratedBytesPerHour: 0, mallocConf: "tcache:false", startedAt: "2026-11-22T00:00:00Z", sizeClasses: [])
        let samples = series.keys.sorted().flatMap { name in
            (0..<readings).map { index in
                SoakSample(
                    workload: name, segment: 0, kind: .interval, elapsedSeconds: Double(index) * 10, iterations: index,
                    liveBytes: series[name]!(index), activeBytes: 0, residentBytes: 0, processResidentBytes: 0,
                    meanIterationSeconds: nil, maxIterationSeconds: nil, sizeClassCounts: nil)
            }
        }
        return SoakAnalysis.report(
            SoakDirectory.Contents(manifest: manifest, samples: samples, events: [], unreadableLines: []),
            tool: .init(name: "soakgate", version: "test"), state: "finished")
    }

    func testTheGateRejectsAnUnexpectedSoakLeakAndAcceptsAnExpectedOne() throws {
        let soak = report([
            "app.cache": { 1000 + 64 * $0 }, "app.clean": { _ in 1000 }, "canary.leak": { 1000 + 64 * $0 },
        ])
        var policy = GatePolicy()
        policy.workloads = [GatePolicy.WorkloadRule(match: "canary.*", expect: .leak)]
        let decisions = Dictionary(
            uniqueKeysWithValues: Gate.evaluate(soak, policy: policy).map { ($0.workload, $0.outcome) })
        XCTAssertEqual(decisions, ["app.cache": .rejected, "app.clean": .accepted, "canary.leak": .expectedLeak])

        policy.toleratedBytesPerHour = 64 * 360 * 2 // twice the 23 KiB/h it grows by
        XCTAssertEqual(Gate.evaluate(soak, policy: policy).first { $0.workload == "app.cache" }?.outcome, .accepted)
    }

    func testTheGateRejectsAnInconclusiveSoak() {
        let soak = report(["short": { _ in 1000 }], readings: 3)
        let decision = Gate.evaluate(soak, policy: GatePolicy()).first
        XCTAssertEqual(decision?.outcome, .rejected)
        XCTAssertTrue(decision?.reason.hasPrefix("inconclusive") == true, decision?.reason ?? "")
    }
}
