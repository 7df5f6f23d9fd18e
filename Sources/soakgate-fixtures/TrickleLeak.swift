import Foundation
import SoakGate

/// Keeps 16 bytes whenever its process has run long enough to owe them at
/// `SOAKGATE_TRICKLE_BYTES_PER_HOUR` (default 0: clean), pacing itself at 10 ms per
/// iteration: the slowest leaks a soak is asked to see (Benchmarks/soak-benchmarks.sh).
struct TrickleLeak: Workload {
    private let bytesPerHour = Double(ProcessInfo.processInfo.environment["SOAKGATE_TRICKLE_BYTES_PER_HOUR"] ?? "") ?? 0
    private var started: UInt64 = 0
    private var kept: Double = 0
    private var newest: UnsafeMutableRawPointer?

    mutating func run() async throws {
        usleep(10_000)
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let nanoseconds = UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
        if started == 0 { started = nanoseconds }
        let owed = Double(nanoseconds - started) / 3.6e12 * bytesPerHour
        while kept + 16 <= owed {
            // Each block holds the one before: all stay reachable, none is ever freed.
            let block = malloc(16)!
            block.storeBytes(of: newest, as: UnsafeMutableRawPointer?.self)
            newest = block
            kept += 16
        }
    }
}
