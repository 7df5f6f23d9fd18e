import SoakGate
import Synchronization

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

// MARK: Leaks that "who holds it" must explain: the object is allocated in one place and kept
// alive by something elsewhere (issue #20). Each has one expected growing type and root.

/// A notification centre that keeps every observer ever registered with it.
final class PlantedNotificationCenter: @unchecked Sendable {
    // @unchecked Sendable: only the one measuring task of planted.leak.observer-list touches it.
    static let shared = PlantedNotificationCenter()
    var observers: [PlantedObserver] = []
}

final class PlantedObserver {
    let id: Int
    var notifications = 0
    init(id: Int) { self.id = id }
}

/// Registers a new observer per iteration and never removes one.
struct ObserverListLeak: Workload {
    private var count = 0
    mutating func run() async throws {
        count += 1
        PlantedNotificationCenter.shared.observers.append(PlantedObserver(id: count))
    }
}

/// A download whose completion handler captures the download itself.
final class PlantedDownload {
    var onFinish: (() -> Void)?
    var received = 0
    func start() {
        onFinish = { self.received += 1 }
    }
}

/// Starts one download per iteration and drops it: the closure keeps its owner, and the owner
/// the closure.
struct ClosureCapturesOwnerLeak: Workload {
    mutating func run() async throws {
        let download = PlantedDownload()
        download.start()
        download.onFinish?()
    }
}

/// A response cache keyed by request, where no request repeats: it only grows.
final class PlantedResponseCache: @unchecked Sendable {
    // @unchecked Sendable: only the one measuring task of planted.leak.ever-new-keys-cache touches it.
    static let shared = PlantedResponseCache()
    var entries: [String: PlantedCachedResponse] = [:]
}

final class PlantedCachedResponse {
    let body: [UInt8]
    init(body: [UInt8]) { self.body = body }
}

/// Caches one response per iteration under a key that is never asked for again.
struct EverNewKeysCacheLeak: Workload {
    private var count = 0
    mutating func run() async throws {
        count += 1
        PlantedResponseCache.shared.entries["req-\(count)"] = PlantedCachedResponse(
            body: [UInt8](repeating: UInt8(truncatingIfNeeded: count), count: 24))
    }
}

final class PlantedParent {
    var children: [PlantedChild] = []
}

final class PlantedChild {
    var parent: PlantedParent?
}

/// A parent and a child that point at each other strongly, one pair per iteration.
struct ParentChildCycleLeak: Workload {
    mutating func run() async throws {
        let parent = PlantedParent()
        let child = PlantedChild()
        child.parent = parent
        parent.children.append(child)
    }
}

/// A wait list nobody ever signals.
final class PlantedWaitList: Sendable {
    static let shared = PlantedWaitList()
    let waiting = Mutex<[CheckedContinuation<Void, Never>]>([])
}

/// Starts one unstructured task per iteration that parks itself on the wait list forever.
struct ParkedTaskLeak: Workload {
    mutating func run() async throws {
        Task {
            await withCheckedContinuation { continuation in
                PlantedWaitList.shared.waiting.withLock { $0.append(continuation) }
            }
        }
    }
}
