import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SoakGateBasics
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

    /// The origin of `configuration.apiURL`: the only one that gets the token.
    public let origin: APIOrigin

    /// A client; call `shutdown()` when done (the pool's connections are closed there). Throws
    /// for an `apiURL` that is not usable (see ``APIOrigin/ofAPIURL(_:)``), a setting out of range
    /// or a token no header can carry, before any connection is made.
    public init(
        configuration: GitHubClientConfiguration, clock: any IssueStreamClock = SystemClock(),
        cache: ResponseCache, metrics: IssueStreamMetrics = IssueStreamMetrics()
    ) throws {
        origin = try APIOrigin.ofAPIURL(configuration.apiURL)
        try configuration.check()
        self.configuration = configuration
        self.clock = clock
        self.cache = cache
        self.metrics = metrics
        pacer = RateLimitPacer(clock: clock, requestsPerMinute: configuration.requestsPerMinute)
        tokenIdentity = configuration.token.map { String(Fingerprint.of("token:" + $0), radix: 16) } ?? "anonymous"
        jitter = Mutex(JitterSource(seed: configuration.jitterSeed))
        // The timeouts were range-checked above, so these conversions cannot overflow.
        var http = HTTPClient.Configuration(
            timeout: .init(
                connect: .milliseconds(Int64(configuration.connectTimeout * 1000)),
                read: .milliseconds(Int64(configuration.readTimeout * 1000))),
            connectionPool: .init(
                idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.maxConnections))
        http.httpVersion = .http1Only
        // A refused connection fails this attempt at once; our own retry loop (with its limit and
        // back-off) decides what happens next, instead of the pool retrying until the deadline.
        http.connectionPool.retryConnectionEstablishment = false
        // Redirects are not followed: GitHub's list and write endpoints do not redirect, and a
        // redirect is one more way for a request to end up at a host the user did not name.
        http.redirectConfiguration = .disallow
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
    }

    /// Whether `url` is of the API's own origin, the only one the token is sent to.
    public func isSameOrigin(_ url: String) -> Bool { APIOrigin(url: url) == origin }

    /// Server text (an error message) fit for one line, with the token hidden should it echo it.
    func shown(_ text: some StringProtocol) -> String { ServerText.shown(text, hiding: configuration.token) }

    /// Closes the pool.
    public func shutdown() async throws { try await http.shutdown() }

    /// The last rate-limit headers seen.
    public var rateLimit: RateLimitSnapshot? { pacer.snapshot }

    /// GET `url` through the cache: fresh entries are served unasked, stale ones revalidated.
    public func get(_ url: String, bypassCache: Bool = false) async throws -> FetchedResponse {
        let key = tokenIdentity + " " + url
        let cached = bypassCache ? nil : cache.lookup(key)
        if case (let entry, let tier)? = cached {
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
        if answer.status == 304, case (let entry, let tier)? = cached {
            var refreshed = entry
            refreshed.storedAt = clock.now()
            cache.store(key, refreshed)
            return FetchedResponse(status: 304, body: entry.body, link: entry.link, tier: tier)
        }
        let link = answer.headers.first(name: "link")
        let etag = answer.headers.first(name: "etag")
        let modified = answer.headers.first(name: "last-modified")
        if etag != nil || modified != nil {
            cache.store(
                key,
                CachedResponse(etag: etag, lastModified: modified, link: link, storedAt: clock.now(), body: answer.body)
            )
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
                method: .POST, url: url,
                headers: [("accept", "application/vnd.github+json"), ("content-type", "application/json")], body: json)
            return (answer.status, answer.body)
        }
    }

    /// One logical request with pacing and retries; returns 2xx and 304 answers, throws the rest.
    func send(method: HTTPMethod, url: String, headers: [(String, String)], body: Data?) async throws -> (
        status: Int, headers: HTTPHeaders, body: Data
    ) {
        var attempt = 0
        var lastProblem = ""
        // The token goes only to the origin of --api-url: a URL of another origin (which the
        // page links refuse before this point) is sent without it, never with it.
        let authorization = isSameOrigin(url) ? configuration.token.map { "Bearer " + $0 } : nil
        while true {
            let slot = pacer.reserveSlot()
            try await wait(slot, for: "the rate-limit pacing (x-ratelimit-reset)", url: url)
            var request = HTTPClientRequest(url: url)
            request.method = method
            request.headers.add(name: "user-agent", value: "issue-stream")
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let authorization { request.headers.add(name: "authorization", value: authorization) }
            if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
            let status: Int
            let responseHeaders: HTTPHeaders
            var bytes: Data
            do {
                let started = ContinuousClock.now
                let response = try await http.execute(
                    request, timeout: .milliseconds(Int64(configuration.requestTimeout * 1000)))
                status = Int(response.status.code)
                responseHeaders = response.headers
                // AsyncHTTPClient's deadline ends with the response head; a body sent a byte at a
                // time would outlive it (and never trip the read timeout), so the rest of the
                // request's time bounds the body here.
                let left = configuration.requestTimeout - Self.seconds(ContinuousClock.now - started)
                let limit = configuration.maxBodyBytes
                let buffer = try await Self.within(
                    seconds: left, timeout: configuration.requestTimeout, on: http.eventLoopGroup.any()
                ) {
                    try await response.body.collect(upTo: limit)
                }
                bytes = Data(buffer.readableBytesView)
            } catch is NIOTooManyBytesError {
                throw IssueStreamError.bodyTooLarge(url: url, limit: configuration.maxBodyBytes)
            } catch let error as CancellationError {
                throw error
            } catch {
                metrics.request(status: "error")
                lastProblem = shown(Self.describe(error))
                attempt += 1
                guard attempt <= configuration.maxRetries else {
                    throw IssueStreamError.unreachable(url: url, attempts: attempt, lastError: lastProblem)
                }
                try await clock.sleep(seconds: backoff(base: configuration.transientBackoff, attempt: attempt))
                continue
            }
            metrics.request(status: "\(status)")
            if let snapshot = try Self.snapshot(responseHeaders, url: url) {
                pacer.update(snapshot)
                metrics.rateLimitRemaining(snapshot.remaining)
            }
            if status == 304 { metrics.notModified() }
            if (200..<300).contains(status) || status == 304 {
                return (status, responseHeaders, bytes)
            }
            let message = shown(Self.message(bytes))
            attempt += 1
            switch status {
            case 401:
                throw IssueStreamError.badCredentials(
                    apiURL: configuration.apiURL, tokenSource: configuration.tokenSource)
            case 404:
                throw IssueStreamError.unexpectedStatus(url: url, status: 404, message: message)
            case 403, 429:
                let remaining = try Self.header(
                    "x-ratelimit-remaining", in: responseHeaders, url: url, range: 0...1_000_000_000)
                let isLimit = status == 429 || remaining == 0 || message.lowercased().contains("rate limit")
                guard isLimit else { throw IssueStreamError.forbidden(url: url, message: message) }
                metrics.limitError(primary: remaining == 0)
                guard attempt <= configuration.maxRetries else {
                    throw IssueStreamError.rateLimited(url: url, attempts: attempt)
                }
                if let retryAfter = try Self.retryAfter(responseHeaders, url: url) {
                    try await wait(retryAfter, for: "retry-after", url: url)
                } else if remaining == 0, let reset = try Self.resetTime(responseHeaders, url: url) {
                    try await wait(
                        max(1, reset - clock.now() + 1), for: "the rate-limit reset (x-ratelimit-reset)", url: url)
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

    /// The result of `body` if it finishes within `seconds`; otherwise `body` is cancelled and
    /// ``RequestTimeout`` thrown.
    ///
    /// The deadline is a task scheduled on `eventLoop`, cancelled (and so freed at once) when
    /// `body` ends first. A `Task.sleep` raced against `body` would not do: once cancelled it
    /// still holds its memory until its deadline, so every request of a long run kept a few
    /// hundred bytes for the whole request timeout and the issue-stream workloads read as leaks.
    static func within<T: Sendable>(
        seconds: Double, timeout: Double, on eventLoop: any EventLoop,
        _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        guard seconds > 0 else { throw RequestTimeout(seconds: timeout) }
        let work = Task { try await body() }
        let deadline = Deadline()
        let timer = eventLoop.scheduleTask(in: .milliseconds(Int64(min(seconds, 1e9) * 1000))) {
            deadline.passed.store(true, ordering: .releasing)
            work.cancel()
        }
        defer { timer.cancel() }
        do {
            return try await withTaskCancellationHandler {
                try await work.value
            } onCancel: {
                work.cancel()
            }
        } catch {
            if deadline.passed.load(ordering: .acquiring) && !Task.isCancelled {
                throw RequestTimeout(seconds: timeout)
            }
            throw error
        }
    }

    /// Whether a request's deadline has passed; set on the event loop, read by the request.
    private final class Deadline: Sendable {
        let passed = Atomic<Bool>(false)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Sleeps `seconds` the server asked for, or stops the run when that is longer than
    /// `maxWait`: a `retry-after` of a year is an error to show, not a wait to sit through.
    private func wait(_ seconds: Double, for what: String, url: String) async throws {
        guard seconds > 0 else { return }
        guard seconds <= configuration.maxWait else {
            throw IssueStreamError.waitTooLong(url: url, what: what, seconds: seconds, limit: configuration.maxWait)
        }
        try await clock.sleep(seconds: seconds)
    }

    /// `base · 2^(attempt-1)`, scaled by a jitter in [0.5, 1), and never longer than `maxWait`
    /// (many retries would otherwise double it past any sane wait).
    func backoff(base: Double, attempt: Int) -> Double {
        let factor = jitter.withLock { $0.nextUnit() }
        let exponent = Double(min(max(0, attempt - 1), 60))
        return min(configuration.maxWait, base * pow(2, exponent) * (0.5 + factor / 2))
    }

    /// The primary budget from `x-ratelimit-*`, each value checked: a number no GitHub sends
    /// (negative, past 10^9, a reset centuries away, not a number) stops the run naming the
    /// header, instead of reaching the pacer's arithmetic.
    static func snapshot(_ headers: HTTPHeaders, url: String) throws(IssueStreamError) -> RateLimitSnapshot? {
        let budget: ClosedRange<Int> = 0...1_000_000_000
        guard let limit = try header("x-ratelimit-limit", in: headers, url: url, range: budget),
            let remaining = try header("x-ratelimit-remaining", in: headers, url: url, range: budget),
            let reset = try resetTime(headers, url: url)
        else { return nil }
        let used = try header("x-ratelimit-used", in: headers, url: url, range: budget) ?? max(0, limit - remaining)
        let resource =
            headers.first(name: "x-ratelimit-resource").map { ServerText.shown($0, hiding: nil, limit: 40) } ?? "core"
        return RateLimitSnapshot(limit: limit, remaining: remaining, used: used, reset: reset, resource: resource)
    }

    /// A whole-number header in `range`, nil when absent.
    static func header(_ name: String, in headers: HTTPHeaders, url: String, range: ClosedRange<Int>)
        throws(IssueStreamError) -> Int?
    {
        guard let text = headers.first(name: name) else { return nil }
        do { return try CheckedNumber.integer(text, in: range, source: "header \(name)") } catch {
            throw IssueStreamError.absurdValue(url: url, detail: ServerText.shown(error.description, hiding: nil))
        }
    }

    /// `x-ratelimit-reset`: seconds since 1970, up to the year 5138.
    static func resetTime(_ headers: HTTPHeaders, url: String) throws(IssueStreamError) -> Double? {
        guard let text = headers.first(name: "x-ratelimit-reset") else { return nil }
        do {
            return try CheckedNumber.real(
                text, in: 0...1e11, source: "header x-ratelimit-reset", unit: "seconds since 1970")
        } catch {
            throw IssueStreamError.absurdValue(url: url, detail: ServerText.shown(error.description, hiding: nil))
        }
    }

    /// `retry-after` in seconds; an HTTP date (which GitHub does not send) counts as absent, a
    /// negative or non-finite number is refused.
    static func retryAfter(_ headers: HTTPHeaders, url: String) throws(IssueStreamError) -> Double? {
        guard let text = headers.first(name: "retry-after") else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.contains(",") || trimmed.hasSuffix("GMT") { return nil }
        do { return try CheckedNumber.real(trimmed, in: 0...1e9, source: "header retry-after", unit: "seconds") } catch
        {
            throw IssueStreamError.absurdValue(url: url, detail: ServerText.shown(error.description, hiding: nil))
        }
    }

    static func message(_ body: Data) -> String {
        if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
            let message = object["message"] as? String
        {
            return message
        }
        return String(decoding: body.prefix(200), as: UTF8.self)
    }

    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        return text.count > 160 ? String(text.prefix(160)) + "…" : text
    }
}

/// A whole request (body included) that took longer than `--request-timeout`.
struct RequestTimeout: Error, CustomStringConvertible {
    var seconds: Double
    var description: String {
        "the whole request took longer than --request-timeout \(IssueStreamError.seconds(seconds)) s"
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
