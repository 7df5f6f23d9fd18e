import Synchronization

/// What the last answer said about the primary budget (`x-ratelimit-*`).
public struct RateLimitSnapshot: Sendable, Equatable {
    /// Requests per window.
    public var limit: Int
    /// Requests left in this window.
    public var remaining: Int
    /// Requests used in this window.
    public var used: Int
    /// When the window ends, seconds since 1970.
    public var reset: Double
    /// Which budget (`core`, `search`...).
    public var resource: String
}

/// Spreads the remaining budget evenly over the time left before the reset, so a long run uses
/// the whole budget and never meets the primary limit; waits for the reset when none is left.
/// A burst (a tenth of the budget) may go ahead of the even line, so a small repository is not
/// slowed down, but never faster than GitHub's secondary limit of requests per minute.
final class RateLimitPacer: Sendable {
    private struct State {
        var snapshot: RateLimitSnapshot?
        var nextSlot: Double = 0
        var sentSinceSnapshot = 0
    }
    private let state = Mutex(State())
    private let clock: any IssueStreamClock

    private let minimumSpacing: Double

    init(clock: any IssueStreamClock, requestsPerMinute: Int) {
        self.clock = clock
        // A twentieth below the limit, so clock-minute boundaries never let one request too many in.
        minimumSpacing = requestsPerMinute > 0 ? 60 / (Double(requestsPerMinute) * 0.95) : 0
    }

    var snapshot: RateLimitSnapshot? { state.withLock { $0.snapshot } }

    /// Records the headers of an answer; older answers arriving late do not undo newer ones.
    func update(_ snapshot: RateLimitSnapshot) {
        state.withLock { state in
            if let old = state.snapshot, old.reset == snapshot.reset, old.used > snapshot.used { return }
            state.snapshot = snapshot
            state.sentSinceSnapshot = 0
        }
    }

    /// Reserves the next slot for a request under the lock and returns the seconds to wait for
    /// it; the caller sleeps outside the lock (and refuses a wait longer than it will sit through).
    func reserveSlot() -> Double {
        let now = clock.now()
        return state.withLock { state in
            guard let snapshot = state.snapshot else { return 0 }
            let left = snapshot.remaining - state.sentSinceSnapshot
            if now >= snapshot.reset {
                return 0
            }
            if left <= 0 {
                // Nothing left: the next window starts one second after the reset.
                let start = max(now, snapshot.reset + 1)
                state.nextSlot = start
                return start - now
            }
            let timeLeft = snapshot.reset - now
            let window = 3600.0
            let line = Double(snapshot.limit) * min(1, timeLeft / window)
            let burst = Double(snapshot.limit) / 10
            let interval = Double(left) > line - burst ? minimumSpacing : max(minimumSpacing, timeLeft / Double(left))
            let slot = max(now, state.nextSlot)
            state.nextSlot = slot + interval
            state.sentSinceSnapshot += 1
            return slot - now
        }
    }
}
