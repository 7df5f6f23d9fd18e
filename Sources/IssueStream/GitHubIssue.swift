import Foundation

/// The fields of a GitHub issue the triage reads.
public struct GitHubIssue: Sendable, Decodable, Equatable {
    /// A label's name.
    public struct Label: Sendable, Decodable, Equatable {
        /// The name.
        public var name: String
        /// A label called `name`.
        public init(name: String) { self.name = name }
    }
    /// Present on pull requests only.
    public struct PullRequestMarker: Sendable, Decodable, Equatable {
        /// The marker.
        public init() {}
    }

    /// The issue number.
    public var number: Int
    /// Its title.
    public var title: String
    /// Its body (GitHub sends null for an empty one).
    public var body: String?
    /// `open` or `closed`.
    public var state: String
    /// Its labels.
    public var labels: [Label]
    /// How many comments it has.
    public var comments: Int
    /// Set when the item is a pull request.
    public var pull_request: PullRequestMarker?

    /// An issue as GitHub would list it.
    public init(number: Int, title: String, body: String?, state: String, labels: [Label], comments: Int, pull_request: PullRequestMarker?) {
        self.number = number
        self.title = title
        self.body = body
        self.state = state
        self.labels = labels
        self.comments = comments
        self.pull_request = pull_request
    }

    /// Whether GitHub sent this as a pull request.
    public var isPullRequest: Bool { pull_request != nil }
}

/// One element of a page: an issue, or why it could not be read (with whatever identifies it).
struct PageElement: Decodable {
    enum Content {
        case issue(GitHubIssue)
        case unreadable(number: Int?, id: Int?, reason: String)
    }
    let content: Content

    private enum Keys: String, CodingKey { case number, id }

    init(from decoder: any Decoder) throws {
        do {
            content = .issue(try GitHubIssue(from: decoder))
        } catch {
            let container = try? decoder.container(keyedBy: Keys.self)
            let number = try? container?.decodeIfPresent(Int.self, forKey: .number)
            let id = try? container?.decodeIfPresent(Int.self, forKey: .id)
            content = .unreadable(number: number ?? nil, id: id ?? nil, reason: PageElement.explain(error))
        }
    }

    static func explain(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, _)?: return "not a GitHub issue: field '\(key.stringValue)' missing"
        case .typeMismatch(_, let context)?:
            return "not a GitHub issue: field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type"
        case .valueNotFound(_, let context)?:
            return "not a GitHub issue: field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' is null"
        default: return "not a GitHub issue: \(error)"
        }
    }
}

/// One page of issues as listed, in the server's order.
public struct IssuePage: Sendable {
    /// The page's URL.
    public var url: String
    /// Its position, from 1.
    public var index: Int
    /// The issues that could be read, and the ones that could not, in page order.
    public var elements: [PageItem]
    /// How the page arrived (status 200/304/0 and cache tier).
    public var status: Int
    /// The cache tier that supplied it.
    public var tier: CacheTier?
    /// When fetching it started (clock-independent monotonic nanoseconds), for latency.
    public var requestedAt: UInt64
    /// Its body size.
    public var bytes: Int
    /// The next page's URL from the `link` header, if any.
    public var next: String?
}

/// An element of a page.
public enum PageItem: Sendable {
    /// A readable issue.
    case issue(GitHubIssue)
    /// An element that is not a GitHub issue, and why.
    case unreadable(number: Int?, id: Int?, position: Int, reason: String)
}
