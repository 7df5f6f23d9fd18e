import Foundation
import SoakGate
import SoakGateTesting
import Testing

// nonisolated(unsafe): only the one measuring task writes it.
nonisolated(unsafe) private var lostTestingBlock: UnsafeMutableRawPointer?

/// Serialized, as the helper's documentation asks: the heap is the whole process's.
@Suite(.serialized)
struct SwiftTestingHelperTests {
    @Test func cleanClosurePasses() async {
        await expectNoLeak("clean") {
            let scratch = [UInt64](repeating: 9, count: 40)
            precondition(scratch.count == 40)
        }
    }

    @Test func leakingClosureRecordsAnIssue() async {
        await withKnownIssue("a planted 32-byte leak") {
            await expectNoLeak("leaky") {
                let block = malloc(32)
                block?.storeBytes(of: 5, as: Int.self)
                lostTestingBlock = block
            }
        } matching: { issue in
            issue.comments.contains { $0.rawValue.hasPrefix("leaky leaks: linear, 32.0 B/iter") }
        }
    }
}
