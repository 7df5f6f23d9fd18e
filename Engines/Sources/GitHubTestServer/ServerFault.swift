/// Something the server does wrong on purpose, so the client's recovery can be tested.
public enum ServerFault: Sendable, Equatable {
    /// Answers with this status (500, 502, 503, 504) and a GitHub-style error body.
    case status(Int)
    /// Sends the body in small pieces with this many milliseconds between them.
    case slowBody(millisecondsPerChunk: Int)
    /// Sends half the body, then nothing more (the client's read timeout must fire).
    case stalledBody
    /// Sends a complete HTTP answer whose JSON is cut off halfway.
    case truncatedJSON
    /// Closes the connection in the middle of the body.
    case connectionReset
    /// Sends nothing at all (not even a status line) for the server's stall time.
    case noAnswer
    /// A secondary limit answered with 403 (or 429), with `retry-after` seconds or without it.
    case secondaryLimit(status: Int, retryAfter: Int?)
}

/// When faults happen: on given request numbers (1-based, counting GET requests for issue
/// lists) and/or at random with a seeded generator.
public struct FaultPlan: Sendable {
    /// Faults on exact list-request numbers.
    public var scheduled: [Int: ServerFault]
    /// Share (0...1) of list requests that get a random fault from `randomFaults`.
    public var randomRate: Double
    /// The faults random ones are drawn from.
    public var randomFaults: [ServerFault]
    /// Seed for the random draws.
    public var seed: UInt64

    /// No faults.
    public static let none = FaultPlan()

    /// A plan of scheduled and random faults.
    public init(
        scheduled: [Int: ServerFault] = [:], randomRate: Double = 0, randomFaults: [ServerFault] = [], seed: UInt64 = 7
    ) {
        self.scheduled = scheduled
        self.randomRate = randomRate
        self.randomFaults = randomFaults
        self.seed = seed
    }
}
