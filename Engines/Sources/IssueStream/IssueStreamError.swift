import Foundation
import SoakGateBasics

/// Why a triage run could not go on. Each prints as one line naming the input; every URL in it
/// is shown through `Redaction.url`, so a user or password in it never reaches a terminal or file.
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
    /// The server asked for a wait (`retry-after`, a rate-limit reset) longer than the client waits.
    case waitTooLong(url: String, what: String, seconds: Double, limit: Double)
    /// The server sent a number that is no number or absurd (a header, a field); `detail` names it.
    case absurdValue(url: String, detail: String)
    /// A `link: rel="next"` the client will not follow (another origin, credentials in it).
    case refusedLink(url: String, reason: String)
    /// A `link: rel="next"` that leads back to a page already read.
    case pageLoop(url: String, page: Int)
    /// More pages than the server announced, or pages that cannot be the end of a list.
    case tooManyPages(url: String, detail: String)
    /// The `--api-url` is not usable, and why.
    case badAPIURL(String, reason: String)
    /// A client setting out of range (the detail names it).
    case badConfiguration(String)
    /// A rules file that cannot be read or decoded.
    case badRules(path: String, detail: String)
    /// The output file cannot be created, so the run does not start.
    case cannotCreateOutput(path: String, detail: String)
    /// The output file could not be written.
    case outputFailed(path: String, detail: String)
    /// The memory governor asked the run to stop.
    case memoryStop(detail: String)
    /// `--resume` cannot use the file a stopped run left (`detail` says why); nothing was requested.
    case cannotResume(path: String, detail: String)
    /// The listing no longer matches the lines `--resume` kept: `line` of `path` holds another item.
    case resumeMismatch(path: String, line: Int, detail: String)

    public var description: String {
        let shown = Redaction.url
        switch self {
        case .repositoryNotFound(let repo, let api):
            return
                "repository \(repo) not found at \(shown(api)) (404): check --repo OWNER/NAME, or the token cannot see a private repository"
        case .badCredentials(let api, let source):
            return "\(shown(api)) rejected the token from \(source) (401 Bad credentials): set a valid token there"
        case .forbidden(let url, let message): return "\(shown(url)): 403 Forbidden: \(message)"
        case .unexpectedStatus(let url, let status, let message):
            return "\(shown(url)): unexpected HTTP \(status): \(message)"
        case .notGitHubJSON(let url, let detail):
            return "\(shown(url)) did not answer with GitHub's list of issues: \(detail)"
        case .unreadableBody(let url, let attempts):
            return "\(shown(url)): the body was not complete JSON after \(attempts) attempts"
        case .bodyTooLarge(let url, let limit): return "\(shown(url)): body larger than \(limit) bytes; not read"
        case .unreachable(let url, let attempts, let last):
            return "\(shown(url)): no answer after \(attempts) attempts (last: \(last))"
        case .rateLimited(let url, let attempts): return "\(shown(url)): still rate limited after \(attempts) attempts"
        case .waitTooLong(let url, let what, let seconds, let limit):
            return
                "\(shown(url)): \(what) asks for a wait of \(Self.seconds(seconds)) s, more than the \(Self.seconds(limit)) s this client waits (--max-wait); stopped"
        case .absurdValue(let url, let detail): return "\(shown(url)) sent a value that cannot be right: \(detail)"
        case .refusedLink(let url, let reason):
            return "refused to follow the link rel=\"next\" to \(shown(url)): \(reason)"
        case .pageLoop(let url, let page):
            return
                "the link rel=\"next\" of page \(page) leads back to \(shown(url)), already read: the server's pages loop; stopped"
        case .tooManyPages(let url, let detail): return "\(shown(url)): \(detail); stopped"
        case .badAPIURL(let text, let reason): return "--api-url '\(shown(text))' \(reason)"
        case .badConfiguration(let detail): return detail
        case .badRules(let path, let detail): return "rules file \(path): \(detail)"
        case .cannotCreateOutput(let path, let detail): return "--out \(path): \(detail)"
        case .outputFailed(let path, let detail): return "cannot write \(path): \(detail)"
        case .memoryStop(let detail): return "stopped by the memory governor: \(detail)"
        case .cannotResume(let path, let detail): return "--resume: \(path) \(detail)"
        case .resumeMismatch(let path, let line, let detail):
            return
                "--resume: line \(line) of \(path) \(detail): the repository's list changed since that run (issues deleted or moved) or --since or --include-pull-requests differ; run again without --resume"
        }
    }

    /// Seconds for a message: whole when whole, never in exponent form below a billion.
    static func seconds(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e9 else { return String(value) }
        return value == value.rounded() ? String(Int64(value)) : String(format: "%.3f", value)
    }
}

/// Text that came from a server (an error message, a header) made fit for one line of a
/// message: control characters (newlines, escapes that would drive a terminal) become spaces,
/// it is cut to `limit` characters, and the token, should the server echo it, becomes `***`.
enum ServerText {
    static func shown(_ text: some StringProtocol, hiding token: String?, limit: Int = 200) -> String {
        var source = String(text)
        // The token first, so cutting the text cannot leave part of it behind.
        if let token, !token.isEmpty { source = source.replacing(token, with: Redaction.mask) }
        var result = ""
        var count = 0
        for scalar in source.unicodeScalars {
            if count == limit {
                result += "…"
                break
            }
            let control =
                scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028
                || scalar.value == 0x2029
            result.unicodeScalars.append(control ? " " : scalar)
            count += 1
        }
        return result
    }
}
