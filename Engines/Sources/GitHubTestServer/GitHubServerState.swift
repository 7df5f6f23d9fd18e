import Foundation

/// A request reduced to what the server's rules read.
struct ServerRequest: Sendable {
    var method: String
    var path: String
    var target: String
    var query: [String: String]
    var authorization: String?
    var ifNoneMatch: String?
    var body: Data
}

/// An answer before it is turned into HTTP; `fault` says how to spoil the body.
struct ServerReply: Sendable {
    var status: Int
    var headers: [(String, String)] = []
    var body: Data = Data()
    var fault: ServerFault?
}

/// The server's data and rules: repositories with their changes, per-token budgets, ETags,
/// faults and the request log. One actor, so concurrent requests see one consistent state.
actor GitHubServerState {
    let configuration: GitHubServerConfiguration
    private(set) var baseURL: String
    private var repositories: [String: SeededRepository]
    var versions: [String: Int] = [:]
    var labels: [String: [Int: [String]]] = [:]
    var comments: [String: [Int: [CommentJSON]]] = [:]
    var touched: [String: [Int: Int]] = [:]
    private var buckets: [String: RateLimitBucket] = [:]
    private var inFlight: [String: Int] = [:]
    private var minuteCounts: [String: (minute: Int, count: Int)] = [:]
    private var secondaryAnswers = 0
    private var listRequests = 0
    private var rng: SplitMix64
    private var nextCommentID = 1
    private(set) var log: [LoggedRequest] = []
    var filteredLists: [String: [Int]] = [:]
    /// List pages' JSON by repository version and page (``GitHubServerConfiguration/keepsPageBodies``).
    var pageBodies: [String: Data] = [:]
    var pageBodyBytes = 0
    private var logDropped = 0

    init(configuration: GitHubServerConfiguration, baseURL: String) {
        self.configuration = configuration
        self.baseURL = baseURL
        repositories = Dictionary(configuration.repositories.map { ($0.fullName, $0) }, uniquingKeysWith: { a, _ in a })
        rng = SplitMix64(seed: configuration.faults.seed)
    }

    func setBaseURL(_ url: String) { baseURL = url }

    /// The request log, oldest first, and how many older entries were dropped.
    func requestLog() -> (entries: [LoggedRequest], dropped: Int) { (log, logDropped) }

    /// Labels currently on an issue (seeded plus added).
    func currentLabels(repo: String, number: Int) -> [String] {
        guard let repository = repositories[repo] else { return [] }
        return labels[repo]?[number] ?? repository.base(number).labels
    }

    /// Comments added to an issue through the API.
    func addedComments(repo: String, number: Int) -> [String] { (comments[repo]?[number] ?? []).map(\.body) }

    /// Primary-limit state for a token: (limit, used, reset).
    func budget(token: String) -> (limit: Int, used: Int, resetAt: Int)? {
        buckets[Self.identity(token)].map { ($0.limit, $0.used, $0.resetAt) }
    }

    /// Changes an issue as someone on github.com would (new ETag, later `updated_at`).
    func touch(repo: String, number: Int) {
        versions[repo, default: 0] += 1
        touched[repo, default: [:]][number] = Int(configuration.now())
    }

    static func identity(_ token: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in token.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return String(hash, radix: 16)
    }

    /// Called when an answer is complete, so the concurrency cap counts only live requests.
    func finished(token: String) { inFlight[token, default: 1] -= 1 }

    func handle(_ request: ServerRequest) -> (reply: ServerReply, tokenKey: String) {
        let tokenKey = Self.identity(Self.token(from: request.authorization) ?? "")
        inFlight[tokenKey, default: 0] += 1
        var reply = decide(request)
        if reply.status == 200 || reply.status == 201 || reply.status == 304
            || reply.status == 403 && reply.headers.contains(where: { $0.0 == "x-ratelimit-remaining" })
        {
            if let bucket = buckets[tokenKey] { reply.headers += Self.rateHeaders(bucket) }
        }
        record(request, reply, spent: reply.headers.contains { $0.0 == "x-spent" })
        reply.headers.removeAll { $0.0 == "x-spent" }
        return (reply, tokenKey)
    }

    private func record(_ request: ServerRequest, _ reply: ServerReply, spent: Bool) {
        guard configuration.requestLogLimit > 0 else { return }
        if log.count >= configuration.requestLogLimit {
            log.removeFirst(max(1, log.count / 2))
            logDropped += configuration.requestLogLimit / 2
        }
        log.append(
            LoggedRequest(
                method: request.method, target: request.target, status: reply.status,
                conditional: request.ifNoneMatch != nil, spentBudget: spent, fault: reply.fault,
                time: configuration.now()))
    }

    static func token(from authorization: String?) -> String? {
        guard let authorization else { return nil }
        for prefix in ["Bearer ", "bearer ", "token ", "Token "] where authorization.hasPrefix(prefix) {
            return String(authorization.dropFirst(prefix.count))
        }
        return authorization
    }

    static func rateHeaders(_ bucket: RateLimitBucket) -> [(String, String)] {
        [
            ("x-ratelimit-limit", "\(bucket.limit)"), ("x-ratelimit-remaining", "\(bucket.remaining)"),
            ("x-ratelimit-used", "\(bucket.used)"), ("x-ratelimit-reset", "\(bucket.resetAt)"),
            ("x-ratelimit-resource", "core"),
        ]
    }

    static func error(_ status: Int, _ message: String, _ headers: [(String, String)] = []) -> ServerReply {
        let body = try! JSONSerialization.data(
            withJSONObject: ["message": message, "documentation_url": "https://docs.github.com/rest"],
            options: [.sortedKeys])
        return ServerReply(
            status: status, headers: headers + [("content-type", "application/json; charset=utf-8")], body: body)
    }

    private func decide(_ request: ServerRequest) -> ServerReply {
        let token = Self.token(from: request.authorization)
        if let token, !configuration.tokens.isEmpty, !configuration.tokens.contains(token) {
            return Self.error(401, "Bad credentials")
        }
        let key = Self.identity(token ?? "")
        let now = configuration.now()
        if let limit = configuration.hourlyLimit {
            var bucket = buckets[key] ?? RateLimitBucket(limit: token == nil ? min(60, limit) : limit, now: now)
            bucket.roll(now: now)
            buckets[key] = bucket
            if request.path == "/rate_limit" {
                let body =
                    "{\"resources\":{\"core\":{\"limit\":\(bucket.limit),\"remaining\":\(bucket.remaining),\"reset\":\(bucket.resetAt),\"used\":\(bucket.used)}}}"
                return ServerReply(status: 200, headers: [("content-type", "application/json")], body: Data(body.utf8))
            }
            if bucket.remaining == 0 {
                return Self.error(403, "API rate limit exceeded for this token.", Self.rateHeaders(bucket))
            }
        }
        if let limits = configuration.secondaryLimits, let answer = secondary(limits, key: key, now: now) {
            return answer
        }
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.count >= 4, parts[0] == "repos", let repository = repositories["\(parts[1])/\(parts[2])"],
            parts[3] == "issues"
        else {
            return Self.error(404, "Not Found")
        }
        let repo = repository.fullName
        switch (request.method, parts.count) {
        case ("GET", 4):
            listRequests += 1
            if let fault = fault(for: listRequests) {
                if case .status(let code) = fault {
                    var reply = Self.error(code, "Server Error")
                    reply.fault = fault
                    return reply
                }
                if case .secondaryLimit(let status, let retryAfter) = fault {
                    var reply = Self.error(
                        status, "You have exceeded a secondary rate limit.",
                        retryAfter.map { [("retry-after", "\($0)")] } ?? [])
                    reply.fault = fault
                    return reply
                }
                var reply = list(repository, request, key: key)
                reply.fault = fault
                return reply
            }
            return list(repository, request, key: key)
        case ("GET", 5):
            guard let number = Int(parts[4]), (1...repository.issueCount).contains(number) else {
                return Self.error(404, "Not Found")
            }
            return spend(key, json(repository, [number]), request, key: key, wrapSingle: true)
        case ("GET", 6) where parts[5] == "comments":
            guard let number = Int(parts[4]), (1...repository.issueCount).contains(number) else {
                return Self.error(404, "Not Found")
            }
            let list = comments[repo]?[number] ?? []
            let body = try! JSONEncoder().encode(list)
            return spend(key, body, request, key: key)
        case ("POST", 6) where parts[5] == "labels" || parts[5] == "comments":
            guard let number = Int(parts[4]), (1...repository.issueCount).contains(number) else {
                return Self.error(404, "Not Found")
            }
            guard let object = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any] else {
                return Self.error(400, "Problems parsing JSON")
            }
            touch(repo: repo, number: number)
            if parts[5] == "labels" {
                guard let names = object["labels"] as? [String] else { return Self.error(422, "Validation Failed") }
                var current = labels[repo]?[number] ?? repository.base(number).labels
                for name in names where !current.contains(name) { current.append(name) }
                labels[repo, default: [:]][number] = current
                let body = try! JSONEncoder().encode(current.map { IssueJSON.Label(name: $0) })
                return withSpent(
                    ServerReply(status: 200, headers: [("content-type", "application/json")], body: body), key)
            }
            guard let text = object["body"] as? String else { return Self.error(422, "Validation Failed") }
            let comment = CommentJSON(id: nextCommentID, body: text)
            nextCommentID += 1
            comments[repo, default: [:]][number, default: []].append(comment)
            return withSpent(
                ServerReply(
                    status: 201, headers: [("content-type", "application/json")],
                    body: try! JSONEncoder().encode(comment)), key)
        default:
            return Self.error(404, "Not Found")
        }
    }

    private func secondary(_ limits: SecondaryLimits, key: String, now: Double) -> ServerReply? {
        let minute = Int(now / 60)
        var count = minuteCounts[key] ?? (minute, 0)
        if count.minute != minute { count = (minute, 0) }
        count.count += 1
        minuteCounts[key] = count
        let overConcurrency = inFlight[key, default: 0] > limits.concurrentRequests
        guard overConcurrency || count.count > limits.requestsPerMinute else { return nil }
        secondaryAnswers += 1
        let omit = limits.omitRetryAfterEvery > 0 && secondaryAnswers % limits.omitRetryAfterEvery == 0
        let wait = overConcurrency ? 1 : max(1, (minute + 1) * 60 - Int(now))
        return Self.error(
            overConcurrency ? 403 : 429, "You have exceeded a secondary rate limit.",
            omit ? [] : [("retry-after", "\(wait)")])
    }

    private func fault(for number: Int) -> ServerFault? {
        if let scheduled = configuration.faults.scheduled[number] { return scheduled }
        let plan = configuration.faults
        guard plan.randomRate > 0, !plan.randomFaults.isEmpty else { return nil }
        let draw = Double(rng.next() % 1_000_000) / 1_000_000
        let pick = Int(rng.next() % UInt64(plan.randomFaults.count))
        return draw < plan.randomRate ? plan.randomFaults[pick] : nil
    }

    private func withSpent(_ reply: ServerReply, _ key: String) -> ServerReply {
        guard configuration.hourlyLimit != nil else { return reply }
        buckets[key]?.used += 1
        var reply = reply
        reply.headers.append(("x-spent", "1"))
        return reply
    }

    /// Answers 304 when the client's ETag matches (free), else spends one unit and sends `body`.
    func spend(
        _ key: String, _ body: Data, _ request: ServerRequest, key tokenKey: String, link: String? = nil,
        wrapSingle: Bool = false
    ) -> ServerReply {
        let repoVersion = versions[
            request.path.split(separator: "/").prefix(3).dropFirst().joined(separator: "/"), default: 0]
        let etag = "W/\"\(Self.identity("\(tokenKey)|\(repoVersion)|\(request.target)"))\""
        if request.ifNoneMatch == etag { return ServerReply(status: 304, headers: [("etag", etag)]) }
        var payload = body
        if wrapSingle, payload.first == UInt8(ascii: "["), payload.last == UInt8(ascii: "]") {
            payload = payload.dropFirst().dropLast()
        }
        var headers = [("content-type", "application/json; charset=utf-8"), ("etag", etag)]
        if let link { headers.append(("link", link)) }
        return withSpent(ServerReply(status: 200, headers: headers, body: payload), key)
    }
}
