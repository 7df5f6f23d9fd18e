/// Why a triage run could not go on. Each prints as one line naming the input.
public enum IssueStreamError: Error, CustomStringConvertible, Equatable {
    /// The API answered 404 for the repository.
    case repositoryNotFound(repo: String, apiURL: String)
    /// The API answered 401: the token is wrong or expired (the token itself is never shown).
    case badCredentials(apiURL: String, tokenSource: String)
    /// The API answered 403 for a reason that is not a rate limit.
    case forbidden(url: String, message: String)
    /// A status the client does not retry.
    case unexpectedStatus(url: String, status: Int, message: String)
    /// The answer is JSON, but not the list of issues GitHub sends.
    case notGitHubJSON(url: String, detail: String)
    /// The answer stayed unreadable (cut-off JSON, bad encoding) after every retry.
    case unreadableBody(url: String, attempts: Int)
    /// A response body over the size limit.
    case bodyTooLarge(url: String, limit: Int)
    /// No answer (timeout, refused, reset) after every retry.
    case unreachable(url: String, attempts: Int, lastError: String)
    /// Rate limited after every retry.
    case rateLimited(url: String, attempts: Int)
    /// The `--api-url` is not an http(s) URL.
    case badAPIURL(String)
    /// A rules file that cannot be read or decoded.
    case badRules(path: String, detail: String)
    /// The output file could not be written.
    case outputFailed(path: String, detail: String)
    /// The memory governor asked the run to stop.
    case memoryStop(detail: String)

    public var description: String {
        switch self {
        case .repositoryNotFound(let repo, let api):
            return "repository \(repo) not found at \(api) (404): check --repo OWNER/NAME, or the token cannot see a private repository"
        case .badCredentials(let api, let source):
            return "\(api) rejected the token from \(source) (401 Bad credentials): set a valid token in that variable"
        case .forbidden(let url, let message): return "\(url): 403 Forbidden: \(message)"
        case .unexpectedStatus(let url, let status, let message): return "\(url): unexpected HTTP \(status): \(message)"
        case .notGitHubJSON(let url, let detail): return "\(url) did not answer with GitHub's list of issues: \(detail)"
        case .unreadableBody(let url, let attempts): return "\(url): the body was not complete JSON after \(attempts) attempts"
        case .bodyTooLarge(let url, let limit): return "\(url): body larger than \(limit) bytes; not read"
        case .unreachable(let url, let attempts, let last): return "\(url): no answer after \(attempts) attempts (last: \(last))"
        case .rateLimited(let url, let attempts): return "\(url): still rate limited after \(attempts) attempts"
        case .badAPIURL(let text): return "--api-url \(text) is not an http:// or https:// URL; try --api-url https://api.github.com"
        case .badRules(let path, let detail): return "rules file \(path): \(detail)"
        case .outputFailed(let path, let detail): return "cannot write \(path): \(detail)"
        case .memoryStop(let detail): return "stopped by the memory governor: \(detail)"
        }
    }
}
