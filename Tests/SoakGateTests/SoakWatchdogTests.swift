import Foundation
import XCTest

@testable import SoakGate

/// When the supervisor gives up on a soaking process.
final class SoakWatchdogTests: XCTestCase {
    private let plan = SoakProcessPlan(
        workload: "w", segment: 0, intervalSeconds: 5, checkpointSeconds: 180, settleSeconds: 5,
        runSeconds: 720, startElapsedSeconds: 0, startIterations: 0, warmupIterations: 1000)
    private let spawned = Date(timeIntervalSince1970: 1_000_000)

    /// A slow warm-up (here 150 s, as a thousand 150 ms batches into PostgreSQL took) does not
    /// eat into the soak's own time: the plan's time starts at the first reading.
    func testTheRunTimeCountsFromTheFirstReadingNotTheSpawn() {
        let firstReading = spawned.addingTimeInterval(150)
        let kill = SoakSupervisor.killTime(plan: plan, spawned: spawned, firstReading: firstReading, stopped: nil)
        XCTAssertEqual(kill.timeIntervalSince(firstReading), 720 + 5 + SoakSupervisor.graceSeconds)
        // The soaking process itself stops 720 s after its first reading, well before that.
        XCTAssertGreaterThan(kill, firstReading.addingTimeInterval(720))
    }

    /// A set-up or warm-up that hangs is still ended: before any reading the limit runs from the spawn.
    func testASetUpThatNeverReadsIsKilledAfterThePlansTimeAndTheGrace() {
        let kill = SoakSupervisor.killTime(plan: plan, spawned: spawned, firstReading: nil, stopped: nil)
        XCTAssertEqual(kill.timeIntervalSince(spawned), 720 + 5 + SoakSupervisor.graceSeconds)
    }

    /// After a stop (Ctrl-C, SIGTERM, an alert) a process has the grace to end, not the rest of its plan.
    func testAStopLeavesOnlyTheGrace() {
        let stopped = spawned.addingTimeInterval(200)
        let kill = SoakSupervisor.killTime(
            plan: plan, spawned: spawned, firstReading: spawned.addingTimeInterval(10), stopped: stopped)
        XCTAssertEqual(kill.timeIntervalSince(stopped), SoakSupervisor.graceSeconds)
    }
}
