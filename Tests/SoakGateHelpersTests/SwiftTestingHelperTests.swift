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
            issue.comments.contains { Self.isPlantedLeak($0.rawValue) }
        }
    }

    /// Whether `message` says "leaky" leaks linearly at about 32 bytes an iteration. The slope is
    /// fitted, so it is read as a number: an allocation elsewhere in the process (Swift Testing's
    /// own, between two readings) can make a 32-byte leak read 31.9 B/iter, and an exact text
    /// match then failed the test although the leak was found.
    static func isPlantedLeak(_ message: String) -> Bool {
        let prefix = "leaky leaks: linear, "
        guard message.hasPrefix(prefix) else { return false }
        let rest = message.dropFirst(prefix.count)
        guard let end = rest.range(of: " B/iter"), let slope = Double(rest[..<end.lowerBound]) else { return false }
        return (28...36).contains(slope)
    }
}
