import Foundation

/// The pages of a repository's issue list, fetched by following `link: rel="next"` (never by
/// building page URLs), one page ahead of the consumer: a page is prefetched while the current
/// one is processed, and no further, so memory stays at two pages however long the list is
/// (one, while the consumer turns prefetching off under memory pressure).
public struct IssuePages: AsyncSequence, Sendable {
    /// Pages.
    public typealias Element = IssuePage
    let client: GitHubClient
    let firstURL: String
    let repo: String

    /// The pages starting at `firstURL` (the list URL with its query).
    public init(client: GitHubClient, firstURL: String, repo: String) {
        self.client = client
        self.firstURL = firstURL
        self.repo = repo
    }

    /// An iterator; dropping it cancels its prefetch.
    public func makeAsyncIterator() -> Iterator { Iterator(pages: self) }

    /// Yields pages in order; a page that cannot be fetched ends the sequence with its error, and
    /// so does a `link` that must not be followed (see ``NextLinks``), after the page that sent it.
    public final class Iterator: AsyncIteratorProtocol {
        private let pages: IssuePages
        private var pending: Task<IssuePage, any Error>?
        /// The page to fetch on the next call when it was not prefetched.
        private var upcoming: (url: String, index: Int)?
        private var links: NextLinks
        private var stop: IssueStreamError?
        private var done = false

        /// Whether the page after the one returned is fetched while the caller works on it (the
        /// default). Set to false under memory pressure: only one page is held at a time, and
        /// the next is fetched when asked for. Read at each ``next()``.
        public var prefetchNext = true

        init(pages: IssuePages) {
            self.pages = pages
            links = NextLinks(origin: pages.client.origin, first: pages.firstURL)
            upcoming = (pages.firstURL, 1)
        }

        deinit { pending?.cancel() }

        /// The next page, or nil after the last.
        public func next() async throws -> IssuePage? {
            if let stop {
                done = true
                self.stop = nil
                throw stop
            }
            guard !done else { return nil }
            let task: Task<IssuePage, any Error>
            if let pending {
                task = pending
            } else if let upcoming {
                task = Self.fetch(pages, url: upcoming.url, index: upcoming.index)
            } else {
                done = true
                return nil
            }
            pending = nil
            upcoming = nil
            var page: IssuePage
            do {
                page = try await withTaskCancellationHandler {
                    try await task.value
                } onCancel: {
                    task.cancel()
                }
            } catch {
                done = true
                throw error
            }
            do {
                page.next = try links.next(
                    after: page.url, page: page.index, header: page.linkHeader, elements: page.elements.count)
            } catch {
                // This page is good; the refusal ends the list after it.
                page.next = nil
                stop = error
                return page
            }
            if let next = page.next {
                if prefetchNext {
                    pending = Self.fetch(pages, url: next, index: page.index + 1)
                } else {
                    upcoming = (next, page.index + 1)
                }
            } else {
                done = true
            }
            return page
        }

        private static func fetch(_ pages: IssuePages, url: String, index: Int) -> Task<IssuePage, any Error> {
            Task { try await PageFetcher(client: pages.client, repo: pages.repo).fetch(url: url, index: index) }
        }
    }
}

/// Fetches and decodes one page; retries a cut-off body with the cache bypassed.
struct PageFetcher {
    let client: GitHubClient
    let repo: String

    func fetch(url: String, index: Int) async throws -> IssuePage {
        let started = DispatchTime.now().uptimeNanoseconds
        var attempts = 0
        var bypass = false
        while true {
            attempts += 1
            let answer: FetchedResponse
            do {
                answer = try await client.get(url, bypassCache: bypass)
            } catch IssueStreamError.unexpectedStatus(_, 404, _) {
                throw IssueStreamError.repositoryNotFound(repo: repo, apiURL: client.configuration.apiURL)
            }
            do {
                let elements = try Self.decode(answer.body, url: url)
                return IssuePage(
                    url: url, index: index, elements: elements, status: answer.status, tier: answer.tier,
                    requestedAt: started, bytes: answer.body.count, next: nil, linkHeader: answer.link)
            } catch let error as IssueStreamError {
                throw error
            } catch {
                // Cut-off or garbled JSON: ask again (not from the cache) a few times.
                guard attempts <= client.configuration.maxRetries else {
                    throw IssueStreamError.unreadableBody(url: url, attempts: attempts)
                }
                bypass = true
                try await client.clock.sleep(
                    seconds: client.backoff(base: client.configuration.transientBackoff, attempt: attempts))
            }
        }
    }

    /// Decodes a page: a JSON array whose elements are decoded one by one, so one odd element is
    /// a recorded failure, not a lost page. JSON that is not an array is not GitHub's answer.
    static func decode(_ body: Data, url: String) throws -> [PageItem] {
        let trimmed = body.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
        if let first = trimmed, first != UInt8(ascii: "[") {
            if first == UInt8(ascii: "{"), (try? JSONSerialization.jsonObject(with: body)) != nil {
                let keys =
                    ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any]).map {
                        $0.keys.sorted().prefix(5).joined(separator: ", ")
                    } ?? ""
                throw IssueStreamError.notGitHubJSON(
                    url: url,
                    detail:
                        "expected a JSON array of issues, got an object with keys \(ServerText.shown(keys, hiding: nil))"
                )
            }
            if (try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])) != nil {
                throw IssueStreamError.notGitHubJSON(url: url, detail: "expected a JSON array of issues")
            }
        }
        let elements = try JSONDecoder().decode([PageElement].self, from: body)
        return elements.enumerated().map { position, element in
            switch element.content {
            case .issue(let issue): return .issue(issue)
            case .unreadable(let number, let id, let reason):
                return .unreadable(number: number, id: id, position: position, reason: reason)
            }
        }
    }

    /// The `rel="next"` URL of a `link` header, as written (``NextLinks`` decides whether to follow it).
    static func nextLink(_ header: String?) -> String? { NextLinks.parse(header)["next"] }
}
