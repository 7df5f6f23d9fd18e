import Foundation
import SoakGate
import SoakGateXCTest
import XCTest

// The block the leaking closures below lose; overwritten each iteration.
// nonisolated(unsafe): only the one measuring task writes it.
nonisolated(unsafe) private var lostBlock: UnsafeMutableRawPointer?

final class XCTestHelperTests: XCTestCase {
    func testCleanClosurePasses() {
        XCTAssertNoLeak {
            let scratch = [UInt32](repeating: 3, count: 50)
            precondition(scratch.count == 50)
        }
    }

    func testLeakingClosureFailsWithVerdictAndSlope() throws {
        // The helper is XCTFail over LeakCheck; corelibs XCTest cannot expect a failure, so the
        // check underneath is asserted directly.
        let result = try LeakCheck.run("leaky", plan: try MeasurementPlan()) {
            let block = malloc(32)
            block?.storeBytes(of: 7, as: Int.self)
            lostBlock = block
        }
        let message = try XCTUnwrap(LeakCheck.failureMessage(result))
        XCTAssertTrue(message.hasPrefix("leaky leaks: linear, 32.0 B/iter;"), message)
    }
}
