/// How the client talks to a GitHub REST API: where, as whom, and how patient it is.
public struct GitHubClientConfiguration: Sendable {
    /// `https://api.github.com` or a compatible server.
    public var apiURL: String
    /// The token sent as `Authorization: Bearer`; never logged, printed or put in a file name.
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
    /// Seed for back-off jitter, so a test run is repeatable.
    public var jitterSeed: UInt64

    /// Defaults for api.github.com.
    public init(
        apiURL: String, token: String? = nil, tokenSource: String = "no token", maxConnections: Int = 4,
        connectTimeout: Double = 10, readTimeout: Double = 30, requestTimeout: Double = 120, maxRetries: Int = 5,
        transientBackoff: Double = 1, limitBackoff: Double = 60, maxBodyBytes: Int = 64 << 20, writeSpacing: Double = 1,
        requestsPerMinute: Int = 900, jitterSeed: UInt64 = 1
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
        self.jitterSeed = jitterSeed
    }
}
