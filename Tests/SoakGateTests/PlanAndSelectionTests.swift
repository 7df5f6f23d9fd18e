import XCTest

@testable import SoakGate

final class PlanAndSelectionTests: XCTestCase {
    func testLadderParses() throws {
        XCTAssertEqual(try MeasurementPlan.parseLadder("1,10,100,1000"), [1, 10, 100, 1000])
        XCTAssertEqual(try MeasurementPlan.parseLadder("1, 5, 50"), [1, 5, 50])
    }

    func testMalformedLaddersAreRefusedByName() {
        for text in ["", "1", "1,x,100", "10,1", "1,1", "0,10", "-1,10", "1,,10", "1,10,1e3"] {
            XCTAssertThrowsError(try MeasurementPlan.parseLadder(text), text) { error in
                XCTAssertTrue(String(describing: error).contains("1,10,100,1000"), "\(text): \(error)")
            }
        }
    }

    func testCheckpointsAreDenseAndSorted() throws {
        let plan = try MeasurementPlan()
        XCTAssertEqual(plan.ladderCheckpoints, [1, 2, 3, 5, 7, 10, 20, 30, 50, 70, 100, 200, 300, 500, 700, 1000])
        XCTAssertEqual(plan.window(0), WindowBounds(start: 1000, end: 2000))
        XCTAssertEqual(plan.window(4), WindowBounds(start: 16000, end: 32000))
        XCTAssertEqual(plan.windowCheckpoints(1), [2500, 3000, 3500, 4000])
        var cursor = CheckpointCursor(plan: plan)
        var readings: [Int] = []
        while readings.count < 36, let next = cursor.next() { readings.append(next) }
        XCTAssertEqual(Array(readings.prefix(20)), plan.ladderCheckpoints + [1250, 1500, 1750, 2000])
        XCTAssertEqual(readings, readings.sorted())
        XCTAssertEqual(Set(readings).count, readings.count)
        XCTAssertEqual(plan.windowEnding(at: 4000), 1)
        XCTAssertNil(plan.windowEnding(at: 3000))
    }

    func testGlobPatternsSelectInRegistrationOrder() throws {
        let all = ["planted.leak.a", "planted.clean.b", "engine.c"].map { WorkloadDefinition($0) {} }
        let chosen = try WorkloadSelection(patterns: ["engine.*", "planted.*"]).select(from: all)
        XCTAssertEqual(chosen.map(\.name), ["planted.leak.a", "planted.clean.b", "engine.c"])
        XCTAssertEqual(try WorkloadSelection(patterns: ["*.b"]).select(from: all).map(\.name), ["planted.clean.b"])
        XCTAssertTrue(WorkloadSelection.matches("planted.leak.a", pattern: "planted*a"))
        XCTAssertFalse(WorkloadSelection.matches("planted.leak.a", pattern: "planted"))
    }

    func testUnknownNameIsRefusedWithAHint() {
        let all = ["planted.leak.a"].map { WorkloadDefinition($0) {} }
        XCTAssertThrowsError(try WorkloadSelection(patterns: ["planted.leek"]).select(from: all)) { error in
            XCTAssertEqual(
                String(describing: error),
                "no workload matches 'planted.leek' (did you mean planted.leak.a?); run 'soakgate list' to see the names"
            )
        }
    }
}
