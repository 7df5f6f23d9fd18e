import SoakGateBasics

/// How the client talks to a GitHub REST API: where, as whom, and how patient it is.
public struct GitHubClientConfiguration: Sendable {
    /// `https://api.github.com` or a compatible server.
    public var apiURL: String
    /// The token sent as `Authorization: Bearer`, only to the origin of `apiURL`; never logged,
    /// printed or put in a file name.
    public var token: String?
    /// Where the token came from (`$GITHUB_TOKEN`), for error messages instead of the token.
    public var tokenSource: String
    /// Connections per host in the pool.
    public var maxConnections: Int
    /// Seconds to open a connection.
    public var connectTimeout: Double
    /// Seconds without a byte before an answer counts as stalled.
    public var readTimeout: Double
    /// Seconds for one whole request, body included.
    public var requestTimeout: Double
    /// Retries after the first attempt, for 5xx, connection errors, cut-off bodies and limits.
    public var maxRetries: Int
    /// First back-off for 5xx and connection errors, doubled per retry, with jitter.
    public var transientBackoff: Double
    /// First back-off for a secondary limit that gives no hint (GitHub says: wait a minute).
    public var limitBackoff: Double
    /// Largest body read; a bigger one is refused, not buffered.
    public var maxBodyBytes: Int
    /// Seconds between two writes (GitHub asks for at least one).
    public var writeSpacing: Double
    /// GitHub's secondary limit on requests per minute, never exceeded by the pacer (0: none).
    public var requestsPerMinute: Int
    /// The longest single wait the server may ask for (`retry-after`, a rate-limit reset); a
    /// longer one stops the run with an error instead of sleeping for days. GitHub's primary
    /// window is an hour, so an hour and a minute covers every honest answer.
    public var maxWait: Double
    /// Seed for back-off jitter, so a test run is repeatable.
    public var jitterSeed: UInt64

    /// Seconds accepted for the connect, read and request timeouts.
    public static let timeoutRange: ClosedRange<Double> = 0.001...86_400
    /// Connections accepted per host.
    public static let connectionsRange: ClosedRange<Int> = 1...256
    /// Retries accepted.
    public static let retriesRange: ClosedRange<Int> = 0...100
    /// Body limits accepted, in bytes.
    public static let bodyBytesRange: ClosedRange<Int> = 1024...(4 << 30)
    /// Requests per minute accepted (0: no pacing by this limit).
    public static let requestsPerMinuteRange: ClosedRange<Int> = 0...1_000_000
    /// Seconds accepted for back-offs, write spacing and `maxWait`.
    public static let waitRange: ClosedRange<Double> = 0...86_400

    /// Defaults for api.github.com.
    public init(
        apiURL: String, token: String? = nil, tokenSource: String = "no token", maxConnections: Int = 4,
        connectTimeout: Double = 10, readTimeout: Double = 30, requestTimeout: Double = 120, maxRetries: Int = 5,
        transientBackoff: Double = 1, limitBackoff: Double = 60, maxBodyBytes: Int = 64 << 20, writeSpacing: Double = 1,
        requestsPerMinute: Int = 900, maxWait: Double = 3660, jitterSeed: UInt64 = 1
    ) {
        self.apiURL = apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL
        self.token = token
        self.tokenSource = tokenSource
        self.maxConnections = maxConnections
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.requestTimeout = requestTimeout
        self.maxRetries = maxRetries
        self.transientBackoff = transientBackoff
        self.limitBackoff = limitBackoff
        self.maxBodyBytes = maxBodyBytes
        self.writeSpacing = writeSpacing
        self.requestsPerMinute = requestsPerMinute
        self.maxWait = maxWait
        self.jitterSeed = jitterSeed
    }

    /// Every number checked against its range before the client converts or multiplies it
    /// (a timeout of 1e17 s would trap when made milliseconds), and the token checked to be
    /// something an HTTP header can carry.
    func check() throws(IssueStreamError) {
        do {
            try CheckedNumber.checked(maxConnections, in: Self.connectionsRange, source: "maxConnections")
            try CheckedNumber.checked(connectTimeout, in: Self.timeoutRange, source: "connectTimeout", unit: "seconds")
            try CheckedNumber.checked(readTimeout, in: Self.timeoutRange, source: "readTimeout", unit: "seconds")
            try CheckedNumber.checked(requestTimeout, in: Self.timeoutRange, source: "requestTimeout", unit: "seconds")
            try CheckedNumber.checked(maxRetries, in: Self.retriesRange, source: "maxRetries")
            try CheckedNumber.checked(transientBackoff, in: Self.waitRange, source: "transientBackoff", unit: "seconds")
            try CheckedNumber.checked(limitBackoff, in: Self.waitRange, source: "limitBackoff", unit: "seconds")
            try CheckedNumber.checked(maxBodyBytes, in: Self.bodyBytesRange, source: "maxBodyBytes", unit: "bytes")
            try CheckedNumber.checked(writeSpacing, in: Self.waitRange, source: "writeSpacing", unit: "seconds")
            try CheckedNumber.checked(requestsPerMinute, in: Self.requestsPerMinuteRange, source: "requestsPerMinute")
            try CheckedNumber.checked(maxWait, in: Self.waitRange, source: "maxWait", unit: "seconds")
        } catch {
            throw IssueStreamError.badConfiguration(error.description)
        }
        if let token, let problem = Self.tokenProblem(token) {
            throw IssueStreamError.badConfiguration("the token from \(tokenSource) \(problem) (the token is not shown)")
        }
    }

    /// Why `token` cannot be sent in an `Authorization` header, or nil: it must be 1 to 4096
    /// visible ASCII characters (a newline in it would end the header and start another).
    public static func tokenProblem(_ token: String) -> String? {
        guard !token.isEmpty else { return "is empty" }
        guard token.utf8.count <= 4096 else { return "is longer than 4096 bytes" }
        guard token.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            return "holds spaces, control characters or non-ASCII characters, which a token cannot have"
        }
        return nil
    }
}
