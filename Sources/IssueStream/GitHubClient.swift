import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// A GET answer: its body (from the network or, after a 304 or within the TTL, the cache).
public struct FetchedResponse: Sendable {
    /// 200, or 304 when the cached body was confirmed, or 0 when served from cache unasked.
    public var status: Int
    /// The body.
    public var body: Data
    /// The `link` header, for the next page.
    public var link: String?
    /// The cache tier that supplied the body, if any.
    public var tier: CacheTier?
}

/// A pooled client for GitHub's REST API on AsyncHTTPClient: paced by the rate-limit headers,
/// retrying what can be retried, revalidating cached answers with `If-None-Match`, and keeping
/// writes serial and spaced.
public final class GitHubClient: Sendable {
    /// The configuration it was made with.
    public let configuration: GitHubClientConfiguration
    let http: HTTPClient
    let clock: any IssueStreamClock
    let pacer: RateLimitPacer
    let cache: ResponseCache
    let metrics: IssueStreamMetrics
    private let tokenIdentity: String
    private let jitter: Mutex<JitterSource>
    private let lastWrite = Mutex<Double?>(nil)
    private let writeLock = WriteQueue()

    /// A client; call `shutdown()` when done (the pool's connections are closed there).
    public init(
        configuration: GitHubClientConfiguration, clock: any IssueStreamClock = SystemClock(),
        cache: ResponseCache, metrics: IssueStreamMetrics = IssueStreamMetrics()
    ) throws {
        guard let url = URL(string: configuration.apiURL), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw IssueStreamError.badAPIURL(configuration.apiURL)
        }
        self.configuration = configuration
        self.clock = clock
        self.cache = cache
        self.metrics = metrics
        pacer = RateLimitPacer(clock: clock, requestsPerMinute: configuration.requestsPerMinute)
        tokenIdentity = configuration.token.map { String(Fingerprint.of("token:" + $0), radix: 16) } ?? "anonymous"
        jitter = Mutex(JitterSource(seed: configuration.jitterSeed))
        var http = HTTPClient.Configuration(
            timeout: .init(connect: .milliseconds(Int64(configuration.connectTimeout * 1000)), read: .milliseconds(Int64(configuration.readTimeout * 1000))),
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.maxConnections))
        http.httpVersion = .http1Only
        // A refused connection fails this attempt at once; our own retry loop (with its limit and
        // back-off) decides what happens next, instead of the pool retrying until the deadline.
        http.connectionPool.retryConnectionEstablishment = false
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
    }

    /// Closes the pool.
    public func shutdown() async throws { try await http.shutdown() }

    /// The last rate-limit headers seen.
    public var rateLimit: RateLimitSnapshot? { pacer.snapshot }

    /// GET `url` through the cache: fresh entries are served unasked, stale ones revalidated.
    public func get(_ url: String, bypassCache: Bool = false) async throws -> FetchedResponse {
        let key = tokenIdentity + " " + url
        let cached = bypassCache ? nil : cache.lookup(key)
        if case let (entry, tier)? = cached {
            metrics.cacheHit(tier: tier)
            if clock.now() - entry.storedAt < cache.ttl {
                return FetchedResponse(status: 0, body: entry.body, link: entry.link, tier: tier)
            }
        } else {
            metrics.cacheMiss()
        }
        var headers = [("accept", "application/vnd.github+json"), ("x-github-api-version", "2022-11-28")]
        if let etag = cached?.0.etag { headers.append(("if-none-match", etag)) }
        if let modified = cached?.0.lastModified { headers.append(("if-modified-since", modified)) }
        let answer = try await send(method: .GET, url: url, headers: headers, body: nil)
        if answer.status == 304, case let (entry, tier)? = cached {
            var refreshed = entry
            refreshed.storedAt = clock.now()
            cache.store(key, refreshed)
            return FetchedResponse(status: 304, body: entry.body, link: entry.link, tier: tier)
        }
        let link = answer.headers.first(name: "link")
        let etag = answer.headers.first(name: "etag")
        let modified = answer.headers.first(name: "last-modified")
        if etag != nil || modified != nil {
            cache.store(key, CachedResponse(etag: etag, lastModified: modified, link: link, storedAt: clock.now(), body: answer.body))
        }
        return FetchedResponse(status: answer.status, body: answer.body, link: link, tier: nil)
    }

    /// POST JSON, one write at a time and `writeSpacing` seconds apart.
    public func post(_ url: String, json: Data) async throws -> (status: Int, body: Data) {
        try await writeLock.run {
            if let last = lastWrite.withLock({ $0 }) {
                let wait = last + configuration.writeSpacing - clock.now()
                if wait > 0 { try await clock.sleep(seconds: wait) }
            }
            defer { lastWrite.withLock { $0 = clock.now() } }
            let answer = try await send(
                method: .POST, url: url, headers: [("accept", "application/vnd.github+json"), ("content-type", "application/json")], body: json)
            return (answer.status, answer.body)
        }
    }

    /// One logical request with pacing and retries; returns 2xx and 304 answers, throws the rest.
    func send(method: HTTPMethod, url: String, headers: [(String, String)], body: Data?) async throws -> (status: Int, headers: HTTPHeaders, body: Data) {
        var attempt = 0
        var lastProblem = ""
        while true {
            try await pacer.waitForSlot()
            var request = HTTPClientRequest(url: url)
            request.method = method
            request.headers.add(name: "user-agent", value: "issue-stream")
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let token = configuration.token { request.headers.add(name: "authorization", value: "Bearer " + token) }
            if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
            let status: Int
            let responseHeaders: HTTPHeaders
            var bytes: Data
            do {
                let response = try await http.execute(request, timeout: .milliseconds(Int64(configuration.requestTimeout * 1000)))
                status = Int(response.status.code)
                responseHeaders = response.headers
                let buffer = try await response.body.collect(upTo: configuration.maxBodyBytes)
                bytes = Data(buffer.readableBytesView)
            } catch is NIOTooManyBytesError {
                throw IssueStreamError.bodyTooLarge(url: url, limit: configuration.maxBodyBytes)
            } catch let error as CancellationError {
                throw error
            } catch {
                metrics.request(status: "error")
                lastProblem = Self.describe(error)
                attempt += 1
                guard attempt <= configuration.maxRetries else {
                    throw IssueStreamError.unreachable(url: url, attempts: attempt, lastError: lastProblem)
                }
                try await clock.sleep(seconds: backoff(base: configuration.transientBackoff, attempt: attempt))
                continue
            }
            metrics.request(status: "\(status)")
            if let snapshot = Self.snapshot(responseHeaders) {
                pacer.update(snapshot)
                metrics.rateLimitRemaining(snapshot.remaining)
            }
            if status == 304 { metrics.notModified() }
            if (200..<300).contains(status) || status == 304 {
                return (status, responseHeaders, bytes)
            }
            let message = Self.message(bytes)
            attempt += 1
            switch status {
            case 401:
                throw IssueStreamError.badCredentials(apiURL: configuration.apiURL, tokenSource: configuration.tokenSource)
            case 404:
                throw IssueStreamError.unexpectedStatus(url: url, status: 404, message: message)
            case 403, 429:
                let remaining = responseHeaders.first(name: "x-ratelimit-remaining").flatMap(Int.init)
                let isLimit = status == 429 || remaining == 0 || message.lowercased().contains("rate limit")
                guard isLimit else { throw IssueStreamError.forbidden(url: url, message: message) }
                metrics.limitError(primary: remaining == 0)
                guard attempt <= configuration.maxRetries else { throw IssueStreamError.rateLimited(url: url, attempts: attempt) }
                if let retryAfter = responseHeaders.first(name: "retry-after").flatMap(Double.init) {
                    try await clock.sleep(seconds: retryAfter)
                } else if remaining == 0, let reset = responseHeaders.first(name: "x-ratelimit-reset").flatMap(Double.init) {
                    try await clock.sleep(seconds: max(1, reset - clock.now() + 1))
                } else {
                    try await clock.sleep(seconds: backoff(base: configuration.limitBackoff, attempt: attempt))
                }
            case 500...599:
                lastProblem = "HTTP \(status)"
                guard attempt <= configuration.maxRetries else {
                    throw IssueStreamError.unreachable(url: url, attempts: attempt, lastError: lastProblem)
                }
                try await clock.sleep(seconds: backoff(base: configuration.transientBackoff, attempt: attempt))
            default:
                throw IssueStreamError.unexpectedStatus(url: url, status: status, message: message)
            }
            bytes = Data()
        }
    }

    /// `base · 2^(attempt-1)`, scaled by a jitter in [0.5, 1).
    func backoff(base: Double, attempt: Int) -> Double {
        let factor = jitter.withLock { $0.nextUnit() }
        return base * pow(2, Double(max(0, attempt - 1))) * (0.5 + factor / 2)
    }

    static func snapshot(_ headers: HTTPHeaders) -> RateLimitSnapshot? {
        guard let limit = headers.first(name: "x-ratelimit-limit").flatMap(Int.init),
              let remaining = headers.first(name: "x-ratelimit-remaining").flatMap(Int.init),
              let reset = headers.first(name: "x-ratelimit-reset").flatMap(Double.init) else { return nil }
        return RateLimitSnapshot(
            limit: limit, remaining: remaining, used: headers.first(name: "x-ratelimit-used").flatMap(Int.init) ?? limit - remaining,
            reset: reset, resource: headers.first(name: "x-ratelimit-resource") ?? "core")
    }

    static func message(_ body: Data) -> String {
        if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any], let message = object["message"] as? String {
            return message
        }
        return String(decoding: body.prefix(200), as: UTF8.self)
    }

    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        return text.count > 160 ? String(text.prefix(160)) + "…" : text
    }
}

/// Runs writes one at a time, in arrival order.
actor WriteQueue {
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        while busy { await withCheckedContinuation { waiters.append($0) } }
        busy = true
        defer {
            busy = false
            if !waiters.isEmpty { waiters.removeFirst().resume() }
        }
        return try await body()
    }
}

/// A seeded generator for back-off jitter.
struct JitterSource {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func nextUnit() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }
}
