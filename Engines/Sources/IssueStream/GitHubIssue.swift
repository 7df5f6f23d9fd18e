import Foundation
import SoakGateBasics

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
    public init(
        number: Int, title: String, body: String?, state: String, labels: [Label], comments: Int,
        pull_request: PullRequestMarker?
    ) {
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

    /// Issue numbers accepted from a server (GitHub's are positive and far below this).
    public static let numberRange: ClosedRange<Int> = 1...(1 << 40)
    /// Comment counts accepted from a server: enough for any issue, small enough that the
    /// triage's arithmetic on them cannot overflow.
    public static let commentsRange: ClosedRange<Int> = 0...100_000_000

    private enum CodingKeys: String, CodingKey { case number, title, body, state, labels, comments, pull_request }

    /// Decodes an issue, refusing numbers no GitHub sends (`comments: 9223372036854775807`, a
    /// negative number) so they never reach arithmetic; the page records such an element as not
    /// processed, naming the field.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        number = try CheckedNumber.checked(
            container.decode(Int.self, forKey: .number), in: Self.numberRange, source: "field 'number'")
        title = try container.decode(String.self, forKey: .title)
        body = try container.decodeIfPresent(String.self, forKey: .body)
        state = try container.decode(String.self, forKey: .state)
        labels = try container.decode([Label].self, forKey: .labels)
        comments = try CheckedNumber.checked(
            container.decode(Int.self, forKey: .comments), in: Self.commentsRange, source: "field 'comments'")
        pull_request = try container.decodeIfPresent(PullRequestMarker.self, forKey: .pull_request)
    }
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

    /// One line saying why an element is not an issue; the field names come from the server,
    /// so the line is made fit to show (no control characters, bounded).
    static func explain(_ error: any Error) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map(\.stringValue).joined(separator: ".")
        }
        let text: String
        switch error as? DecodingError {
        case .keyNotFound(let key, _)?: text = "field '\(key.stringValue)' missing"
        case .typeMismatch(_, let context)?: text = "field '\(path(context))' has the wrong type"
        case .valueNotFound(_, let context)?: text = "field '\(path(context))' is null"
        case .dataCorrupted(let context)?:
            text =
                context.codingPath.isEmpty
                ? context.debugDescription : "field '\(path(context))': \(context.debugDescription)"
        default: text = "\(error)"
        }
        return "not a GitHub issue: " + ServerText.shown(text, hiding: nil)
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
    /// The next page's URL from the `link` header, if any, once checked to be safe to follow.
    public var next: String?
    /// The `link` header as the server sent it.
    var linkHeader: String?
}

/// An element of a page.
public enum PageItem: Sendable {
    /// A readable issue.
    case issue(GitHubIssue)
    /// An element that is not a GitHub issue, and why.
    case unreadable(number: Int?, id: Int?, position: Int, reason: String)
}
