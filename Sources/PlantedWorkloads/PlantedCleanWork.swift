import Dispatch
import Foundation
import SoakGate

/// The first iteration builds a 512 KiB table the rest reuse: a one-off start-up cost.
struct OneOffInitialisation: Workload {
    private var table: [Int]?
    private var checksum = 0
    mutating func run() async throws {
        if table == nil { table = (0..<65_536).map { $0 &* 31 } }
        let scratch = [Int](repeating: checksum & 0xff, count: 64)
        checksum &+= table![checksum & 0xffff] &+ scratch[7]
    }
}

/// A least-recently-used cache bounded at 64 entries of 200 bytes: fills, then stays.
struct BoundedCache: Workload {
    private var entries: [Int: [UInt8]] = [:]
    private var order: [Int] = []
    private var count = 0
    mutating func run() async throws {
        count += 1
        entries[count] = [UInt8](repeating: UInt8(truncatingIfNeeded: count), count: 200)
        order.append(count)
        if order.count > 64 {
            entries[order.removeFirst()] = nil
        }
    }
}

/// The first iteration starts a helper thread that lives until tear-down.
struct ThreadStartedOnce: Workload {
    private final class Helper: @unchecked Sendable {
        // @unchecked Sendable: `stop` is a semaphore (thread-safe); nothing else is stored.
        let stop = DispatchSemaphore(value: 0)
    }

    private var helper: Helper?
    private var checksum = 0

    mutating func run() async throws {
        if helper == nil {
            let helper = Helper()
            let thread = Thread { helper.stop.wait() }
            thread.start()
            self.helper = helper
        }
        let scratch = [Int](repeating: checksum, count: 32)
        checksum &+= scratch.count
    }

    mutating func tearDown() async throws {
        helper?.stop.signal()
    }
}

/// A registry built on first use and kept for the life of the process.
final class PlantedRegistry: Sendable {
    static let shared = PlantedRegistry()
    let names: [String: Int]
    private init() {
        var names: [String: Int] = [:]
        for index in 0..<256 { names["entry-\(index)"] = index }
        self.names = names
    }
}

/// Each iteration reads a lazily created singleton.
struct LazySingleton: Workload {
    private var checksum = 0
    mutating func run() async throws {
        checksum &+= PlantedRegistry.shared.names["entry-\(checksum & 0xff)"] ?? 0
    }
}

/// Each iteration spreads clean work over 8 child tasks of a task group.
struct TaskGroupWork: Workload {
    private var checksum = 0
    mutating func run() async throws {
        checksum &+= await withTaskGroup(of: Int.self) { group in
            for task in 0..<8 {
                group.addTask {
                    let buffer = [UInt8](repeating: UInt8(task), count: 256)
                    return buffer.reduce(0) { $0 &+ Int($1) }
                }
            }
            var sum = 0
            for await value in group { sum &+= value }
            return sum
        }
    }
}

/// Each iteration runs 8 pieces of clean work through `DispatchQueue.concurrentPerform`, whose
/// runtime caches fill over the first few thousand iterations and then stay.
struct ConcurrentPerformWork: Workload {
    private var checksum = 0
    mutating func run() async throws {
        // nonisolated(unsafe): each concurrent index writes only its own slot, and the buffer is
        // read after concurrentPerform has returned.
        nonisolated(unsafe) let sums = UnsafeMutableBufferPointer<Int>.allocate(capacity: 8)
        defer { sums.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            let buffer = [UInt8](repeating: UInt8(index), count: 256)
            sums[index] = buffer.reduce(0) { $0 &+ Int($1) }
        }
        checksum &+= sums.reduce(0, &+)
    }
}
