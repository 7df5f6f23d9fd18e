import Foundation

/// What the local GitHub-compatible server serves and how strict it is.
public struct GitHubServerConfiguration: Sendable {
    /// The repositories it knows; any other `/repos/...` is 404.
    public var repositories: [SeededRepository]
    /// Accepted tokens; any other token is 401. Empty: every token is accepted.
    public var tokens: [String]
    /// Requests per token per hour (GitHub's 5,000), or nil for no primary limit and no
    /// rate-limit headers.
    public var hourlyLimit: Int?
    /// Secondary limits, or nil for none.
    public var secondaryLimits: SecondaryLimits?
    /// Faults to inject into issue-list requests.
    public var faults: FaultPlan
    /// How many requests the log keeps (the oldest are dropped), so a long run stays bounded.
    public var requestLogLimit: Int
    /// Seconds a stalled body waits before the server gives up on it.
    public var stallSeconds: Double
    /// The clock the rate-limit buckets read, in seconds; a test injects a virtual one so an
    /// "hour" of rate limit passes in seconds.
    public var now: @Sendable () -> Double
    /// Keeps each issue-list page's JSON once made, until the repository changes (at most
    /// 1 GiB of it), so pages are served about as fast as loopback allows: a peer for
    /// benchmarks, where building the issues' JSON would otherwise set the pace.
    public var keepsPageBodies = false

    /// A server with the given repositories and defaults: no limits, no faults.
    public init(
        repositories: [SeededRepository], tokens: [String] = [], hourlyLimit: Int? = nil,
        secondaryLimits: SecondaryLimits? = nil, faults: FaultPlan = .none, requestLogLimit: Int = 100_000,
        stallSeconds: Double = 30, now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) {
        self.repositories = repositories
        self.tokens = tokens
        self.hourlyLimit = hourlyLimit
        self.secondaryLimits = secondaryLimits
        self.faults = faults
        self.requestLogLimit = requestLogLimit
        self.stallSeconds = stallSeconds
        self.now = now
    }
}

/// One request as the server saw it; tests read these.
public struct LoggedRequest: Sendable, Equatable {
    /// GET or POST.
    public var method: String
    /// Path and query, as sent.
    public var target: String
    /// The status answered.
    public var status: Int
    /// Whether the request carried `If-None-Match`.
    public var conditional: Bool
    /// Whether this request spent one unit of the primary budget.
    public var spentBudget: Bool
    /// The fault injected into the answer, if any.
    public var fault: ServerFault?
    /// The server clock when it arrived.
    public var time: Double
}
