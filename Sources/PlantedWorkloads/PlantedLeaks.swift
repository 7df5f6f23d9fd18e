import SoakGate

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// The last block of the C-heap leak. Overwriting it each iteration loses the previous block for
// good, and being a global the optimiser cannot drop the malloc that feeds it.
// nonisolated(unsafe): only the one measuring task of the one process that runs
// planted.leak.c-heap ever touches it.
nonisolated(unsafe) private var lastCHeapBlock: UnsafeMutableRawPointer?

// The growing global array of planted.leak.global-array; same single-task reasoning.
nonisolated(unsafe) private var plantedGrowingArray: [Int] = []

/// 16 bytes from `malloc` per iteration, never freed.
struct CHeapLeak: Workload {
    mutating func run() async throws {
        let block = malloc(16)
        block?.storeBytes(of: 0x5eed, as: Int.self)
        lastCHeapBlock = block
    }
}

/// Two objects that hold each other per iteration: Swift's reference counts never reach zero.
struct RetainCycleLeak: Workload {
    final class Node {
        var partner: Node?
        let payload: Int
        init(payload: Int) { self.payload = payload }
    }

    private var latest: Node?
    private var count = 0

    mutating func run() async throws {
        count += 1
        let first = Node(payload: count)
        let second = Node(payload: -count)
        first.partner = second
        second.partner = first
        latest = first // the previous pair is now unreachable, and alive
    }
}

/// Appends one element per iteration to a global array that nothing ever shrinks: malloc and
/// free counts balance (the array reallocates), but live bytes climb.
struct GlobalArrayLeak: Workload {
    private var count = 0
    mutating func run() async throws {
        count += 1
        plantedGrowingArray.append(count)
    }
}

/// Iteration n keeps n more bytes: retained bytes grow with the square of the iteration count.
struct QuadraticLeak: Workload {
    private var kept: [[UInt8]] = []
    mutating func run() async throws {
        kept.append([UInt8](repeating: UInt8(truncatingIfNeeded: kept.count), count: kept.count + 1))
    }
}
