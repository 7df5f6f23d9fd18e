import CommandTestSupport
import Foundation
import XCTest

/// The governor's own workloads, run by this repository's `soakgate-engines` as CI's default
/// check runs them: a governor that admits, sizes and finishes jobs over and over keeps nothing.
final class GovernorWorkloadTests: XCTestCase {
    func testGovernorCyclesDoNotGrow() throws {
        let out = try Command.temporaryDirectory(self)
        let outcome = try Command.run("soakgate-engines", ["check", "--workload", "governor.*", "--out", out])
        XCTAssertEqual(outcome.status, 0, outcome.standardOutput + outcome.standardError)
        XCTAssertTrue(outcome.standardOutput.contains("governor.admit-batch-release  pass"), outcome.standardOutput)
    }
}
