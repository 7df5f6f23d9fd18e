import CSoakGateTCacheOff
import Foundation
import XCTest

@testable import SoakGate

// The planted block of the in-process leak test; overwritten each iteration, so every block but
// the last is lost. nonisolated(unsafe): only the one measuring task touches it.
nonisolated(unsafe) private var lostBlock: UnsafeMutableRawPointer?

final class InProcessMeasurementTests: XCTestCase {
    override func setUp() {
        // This bundle links CSoakGateTCacheOff, which turns jemalloc's thread cache off.
        XCTAssertEqual(String(cString: soakgate_compiled_malloc_conf()), "tcache:false")
    }

    func testMeasuresAPlantedLeakExactly() throws {
        let leak = WorkloadDefinition("test.leak") {
            let block = malloc(48)
            block?.storeBytes(of: 1, as: Int.self)
            lostBlock = block
        }
        let plan = try MeasurementPlan(ladder: [1, 10, 100], budgetSeconds: 5)
        let record = try InProcessMeasurement.measureBlocking(leak, plan: plan)
        let result = WorkloadAnalysis.analyze(record, summary: "", plan: plan)
        XCTAssertEqual(result.verdict, .leak)
        XCTAssertEqual(result.bytesPerIteration ?? 0, 48, accuracy: 0.01)
        // In-process figures include the test runner's other threads; the robust slope and the
        // size class still name the leak.
        let grown = try XCTUnwrap(result.sizeClasses.first)
        XCTAssertEqual(grown.size, 48)
        XCTAssertEqual(Double(grown.countDelta), Double(record.iterationsRun), accuracy: 8)
    }

    func testCleanWorkPassesOnTheLadder() throws {
        let clean = WorkloadDefinition("test.clean") {
            let scratch = [UInt64](repeating: 7, count: 100)
            precondition(scratch.count == 100)
        }
        let plan = try MeasurementPlan()
        let record = try InProcessMeasurement.measureBlocking(clean, plan: plan)
        let result = WorkloadAnalysis.analyze(record, summary: "", plan: plan)
        XCTAssertEqual(result.verdict, .pass, result.evidenceSummary ?? "")
        XCTAssertEqual(result.evidence?.kind, .ladderFlat)
        XCTAssertEqual(record.iterationsRun, 1000)
    }

    func testReportEncodingIsDeterministicAndRoundTrips() throws {
        let clean = WorkloadDefinition("test.clean") {}
        let plan = try MeasurementPlan(ladder: [1, 10, 100])
        let record = try InProcessMeasurement.measureBlocking(clean, plan: plan)
        let report = LeakReport(
            tool: .init(name: "soakgate", version: "test"), startedAt: "2026-11-22T00:00:00Z",
            host: .init(operatingSystem: "Linux", processorCount: 2, physicalMemoryBytes: 1),
            mallocConf: "tcache:false", plan: plan,
            workloads: [WorkloadAnalysis.analyze(record, summary: "s", plan: plan)])
        let first = try report.jsonData()
        XCTAssertEqual(first, try report.jsonData())
        XCTAssertEqual(try LeakReport.read(from: first, path: "r.json"), report)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: first) as? [String: Any])
        XCTAssertEqual(object["schemaVersion"] as? Int, 2)
        let workload = try XCTUnwrap((object["workloads"] as? [[String: Any]])?.first)
        for key in ["name", "verdict", "growth", "bytesPerIteration", "samples"] {
            XCTAssertNotNil(workload[key], key)
        }
        let sample = try XCTUnwrap((workload["samples"] as? [[String: Any]])?.last)
        XCTAssertNotNil(sample["iterations"])
        XCTAssertNotNil(sample["retainedBytes"])
    }
}
