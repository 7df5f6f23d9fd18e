import Foundation
import Synchronization

/// Where the client reads the time and waits: the wall clock in real runs, a virtual clock in
/// tests and the budget benchmark, so an hour of GitHub's rate limit passes in seconds.
public protocol IssueStreamClock: Sendable {
    /// Seconds since 1970 (GitHub's `x-ratelimit-reset` is in the same unit).
    func now() -> Double
    /// Waits `seconds` (or lets virtual time pass by that much).
    func sleep(seconds: Double) async throws
}

/// The wall clock.
public struct SystemClock: IssueStreamClock {
    /// The wall clock.
    public init() {}
    /// Seconds since 1970.
    public func now() -> Double { Date().timeIntervalSince1970 }
    /// Sleeps for real. The client checks every wait it takes from a server against its
    /// `maxWait`; the cap here only keeps a caller's mistake from trapping in the conversion.
    public func sleep(seconds: Double) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(for: .milliseconds(Int64(min(seconds, 1e9) * 1000)))
    }
}

/// Time that moves only when someone sleeps: a sleep returns at once and moves the clock on.
/// Concurrent sleepers each move it by their own amount, so waits are never shorter than asked.
public final class VirtualClock: IssueStreamClock {
    private let current: Mutex<Double>

    /// A clock that starts at `start` seconds since 1970.
    public init(start: Double = 1_800_000_000) { current = Mutex(start) }

    /// The virtual time.
    public func now() -> Double { current.withLock { $0 } }

    /// Moves the time on by `seconds` and returns at once (yielding so other tasks run).
    public func sleep(seconds: Double) async throws {
        try Task.checkCancellation()
        if seconds > 0 { current.withLock { $0 += seconds } }
        await Task.yield()
    }
}
