import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// A GitHub-compatible REST server on 127.0.0.1 (port chosen by the system), for tests, for
/// `issue-stream demo` and for the harness workloads. It serves the issue endpoints the triage
/// uses, with GitHub's pagination, ETags, rate-limit headers and error answers, plus faults.
public final class GitHubTestServer: Sendable {
    /// The port it listens on.
    public let port: Int
    /// `http://127.0.0.1:PORT`, the `--api-url` to give the client.
    public let baseURL: String
    let state: GitHubServerState
    private let task: Task<Void, any Error>

    private init(port: Int, state: GitHubServerState, task: Task<Void, any Error>) {
        self.port = port
        baseURL = "http://127.0.0.1:\(port)"
        self.state = state
        self.task = task
    }

    /// Starts a server and returns once it accepts connections.
    public static func start(_ configuration: GitHubServerConfiguration) async throws -> GitHubTestServer {
        let state = GitHubServerState(configuration: configuration, baseURL: "")
        let router = Router()
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            try await respond(request, state: state, stallSeconds: configuration.stallSeconds)
        }
        router.get("/rate_limit", use: handler)
        router.get("/repos/:owner/:repo/issues", use: handler)
        router.get("/repos/:owner/:repo/issues/:number", use: handler)
        router.get("/repos/:owner/:repo/issues/:number/comments", use: handler)
        router.post("/repos/:owner/:repo/issues/:number/labels", use: handler)
        router.post("/repos/:owner/:repo/issues/:number/comments", use: handler)
        let (portStream, portContinuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "github-test-server")
        logger.logLevel = .critical
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "GitHubTestServer"),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            }, logger: logger)
        let task = Task {
            defer { portContinuation.finish() }
            try await app.run()
        }
        var port = 0
        for await value in portStream { port = value }
        guard port > 0 else {
            task.cancel()
            _ = try? await task.value
            throw GitHubTestServerError.couldNotBind
        }
        await state.setBaseURL("http://127.0.0.1:\(port)")
        return GitHubTestServer(port: port, state: state, task: task)
    }

    /// Stops accepting, ends open connections and waits until the server has stopped.
    public func stop() async {
        task.cancel()
        _ = try? await task.value
    }

    /// Every request seen (up to the configured limit), oldest first.
    public func requestLog() async -> [LoggedRequest] { await state.requestLog().entries }

    /// Labels now on an issue.
    public func labels(repo: String, number: Int) async -> [String] {
        await state.currentLabels(repo: repo, number: number)
    }

    /// Comments added to an issue through the API, oldest first.
    public func comments(repo: String, number: Int) async -> [String] {
        await state.addedComments(repo: repo, number: number)
    }

    /// The primary budget of a token: limit, used and reset time.
    public func budget(token: String) async -> (limit: Int, used: Int, resetAt: Int)? {
        await state.budget(token: token)
    }

    /// Changes an issue as a person on github.com would: its `updated_at` moves and ETags change.
    public func touch(repo: String, number: Int) async { await state.touch(repo: repo, number: number) }
}

/// Why the local server could not start.
public enum GitHubTestServerError: Error, CustomStringConvertible {
    /// No port was bound on 127.0.0.1.
    case couldNotBind

    public var description: String { "GitHubTestServer: could not listen on 127.0.0.1" }
}

/// The error a body writer throws to cut a connection mid-body.
struct InjectedConnectionReset: Error {}

private func respond(_ request: Request, state: GitHubServerState, stallSeconds: Double) async throws -> Response {
    let target = request.uri.description
    var query: [String: String] = [:]
    for item in URLComponents(string: "http://h" + target)?.queryItems ?? [] { query[item.name] = item.value ?? "" }
    var body = Data()
    if request.method == .post {
        var buffer = try await request.body.collect(upTo: 1 << 20)
        body = Data(buffer.readBytes(length: buffer.readableBytes) ?? [])
    }
    let serverRequest = ServerRequest(
        method: request.method.rawValue, path: request.uri.path, target: target, query: query,
        authorization: request.headers[.authorization], ifNoneMatch: request.headers[.ifNoneMatch], body: body)
    let (reply, tokenKey) = await state.handle(serverRequest)
    var fields = HTTPFields()
    for (name, value) in reply.headers {
        if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
    }
    let bytes = reply.body
    let status = HTTPResponse.Status(code: reply.status)
    switch reply.fault {
    case .noAnswer:
        try await Task.sleep(for: .milliseconds(Int64(stallSeconds * 1000)))
        await state.finished(token: tokenKey)
        throw InjectedConnectionReset()
    case .truncatedJSON:
        let half = ByteBuffer(bytes: bytes.prefix(bytes.count / 2))
        await state.finished(token: tokenKey)
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: half))
    case .slowBody(let milliseconds):
        return Response(
            status: status, headers: fields,
            body: ResponseBody(contentLength: bytes.count) { writer in
                var offset = 0
                while offset < bytes.count {
                    let end = min(bytes.count, offset + max(1, bytes.count / 8))
                    try await writer.write(ByteBuffer(bytes: bytes[offset..<end]))
                    offset = end
                    try await Task.sleep(for: .milliseconds(milliseconds))
                }
                await state.finished(token: tokenKey)
                try await writer.finish(nil)
            })
    case .stalledBody, .connectionReset:
        let stall = reply.fault == .stalledBody
        return Response(
            status: status, headers: fields,
            body: ResponseBody(contentLength: bytes.count) { writer in
                try await writer.write(ByteBuffer(bytes: bytes.prefix(bytes.count / 2)))
                await state.finished(token: tokenKey)
                if stall { try await Task.sleep(for: .seconds(stallSeconds)) }
                throw InjectedConnectionReset()
            })
    default:
        return Response(
            status: status, headers: fields,
            body: ResponseBody(contentLength: bytes.count) { writer in
                try await writer.write(ByteBuffer(bytes: bytes))
                await state.finished(token: tokenKey)
                try await writer.finish(nil)
            })
    }
}
