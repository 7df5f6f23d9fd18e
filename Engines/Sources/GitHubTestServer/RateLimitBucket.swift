/// GitHub's primary limit: a per-token budget of requests that refills every hour.
struct RateLimitBucket: Sendable {
    var limit: Int
    var used = 0
    var resetAt: Int

    init(limit: Int, now: Double) {
        self.limit = limit
        resetAt = Int(now) + 3600
    }

    /// Starts a new hour when the old one has passed.
    mutating func roll(now: Double) {
        if now >= Double(resetAt) {
            used = 0
            resetAt = Int(now) + 3600
        }
    }

    var remaining: Int { max(0, limit - used) }
}

/// GitHub's secondary limits as this server applies them: a cap on concurrent requests and on
/// requests per minute, per token.
public struct SecondaryLimits: Sendable {
    /// Requests in flight at once per token; more are answered 403.
    public var concurrentRequests: Int
    /// Requests per clock minute per token; more are answered 429 (or 403).
    public var requestsPerMinute: Int
    /// Every n-th secondary-limit answer carries no `retry-after` (as GitHub sometimes does).
    public var omitRetryAfterEvery: Int

    /// Limits loose enough that a polite client never meets them.
    public init(concurrentRequests: Int = 100, requestsPerMinute: Int = 900, omitRetryAfterEvery: Int = 2) {
        self.concurrentRequests = concurrentRequests
        self.requestsPerMinute = requestsPerMinute
        self.omitRetryAfterEvery = omitRetryAfterEvery
    }
}
