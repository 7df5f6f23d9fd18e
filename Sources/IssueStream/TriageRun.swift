import Foundation
import MemoryGovernor
import SoakGateBasics

/// What a triage run should do.
public struct TriageOptions: Sendable {
    /// `owner/name`.
    public var repo: String
    /// Triage pull requests too (otherwise each is listed as skipped).
    public var includePullRequests: Bool
    /// Add labels and the triage comment.
    public var apply: Bool
    /// Only issues updated at or after this ISO 8601 time (GitHub's `since`).
    public var since: String?
    /// `open`, `closed` or `all`.
    public var state: String
    /// Issues per page (GitHub's maximum is 100).
    public var perPage: Int
    /// The triage rules.
    public var rules: TriageRules
    /// Where the JSON lines go; nil: standard output.
    public var outputPath: String?

    /// Options for triaging `repo` with the default rules.
    public init(repo: String, includePullRequests: Bool = false, apply: Bool = false, since: String? = nil, state: String = "all",
                perPage: Int = 100, rules: TriageRules = .defaults, outputPath: String? = nil) {
        self.repo = repo
        self.includePullRequests = includePullRequests
        self.apply = apply
        self.since = since
        self.state = state
        self.perPage = min(100, max(1, perPage))
        self.rules = rules
        self.outputPath = outputPath
    }
}

/// What a run did.
public struct TriageSummary: Sendable {
    /// Pages read.
    public var pages = 0
    /// Pages answered 304 (free) or from cache.
    public var pagesNotModified = 0
    /// Issues with a decision.
    public var triaged = 0
    /// Pull requests listed as skipped.
    public var skipped = 0
    /// Items that could not be processed (each has a line saying why).
    public var failed = 0
    /// Labels added by `--apply`.
    public var labelsAdded = 0
    /// Comments posted by `--apply`.
    public var commentsAdded = 0
    /// Issues whose apply step failed.
    public var applyFailed = 0
    /// Per-issue latency: from the start of fetching its page to its line being written.
    public var latency = LatencyHistogram()
    /// Why the run stopped before the end of the list, if it did.
    public var stoppedBy: IssueStreamError?
    /// Whether a stopped run left an earlier output file as it was (and wrote nothing).
    public var earlierOutputKept = false
}

/// Progress for a progress bar.
public struct TriageProgress: Sendable {
    /// Pages read so far.
    public var pages: Int
    /// Items written so far.
    public var items: Int
    /// The primary budget left, if the server sends rate-limit headers.
    public var rateLimitRemaining: Int?
}

/// Lists a repository's issues page by page, triages each, writes one line per item, and with
/// `apply` labels and comments. Memory holds two pages and the bounded duplicate index.
public enum TriageRun {
    /// Runs to the end of the list or to the first error that stops it; the output then ends
    /// with a `run_error` line, and `stoppedBy` says why. A stopped run does not replace an
    /// output file that already exists (`earlierOutputKept`). Throws before any request for
    /// rules out of range or an output that cannot be created.
    public static func run(
        client: GitHubClient, options: TriageOptions, governor: MemoryGovernor? = nil,
        progress: (@Sendable (TriageProgress) -> Void)? = nil
    ) async throws -> TriageSummary {
        if let problem = RepositoryName.problem(options.repo) {
            throw IssueStreamError.badConfiguration("--repo '\(options.repo)' \(problem); try --repo apple/swift-nio")
        }
        do { try options.rules.checkNumbers() } catch {
            throw IssueStreamError.badConfiguration("rules: \(error.description)")
        }
        let writer = try DecisionWriter(path: options.outputPath, hiding: client.configuration.token.map { [$0] } ?? [])
        var summary = TriageSummary()
        var triager = Triager(rules: options.rules)
        let applier = IssueApplier(client: client, repo: options.repo)
        let job = try governor?.admit(job: "issue-stream.triage", batch: AdaptiveBatchSize(initial: 100, floor: 1, ceiling: 100))
        defer { job?.finish() }
        var query = "state=\(options.state)&per_page=\(options.perPage)&sort=created&direction=asc"
        if let since = options.since {
            query += "&since=" + (since.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~:"))) ?? since)
        }
        let first = "\(client.configuration.apiURL)/repos/\(options.repo)/issues?\(query)"
        var items = 0
        do {
            for try await page in IssuePages(client: client, firstURL: first, repo: options.repo) {
                summary.pages += 1
                if page.status != 200 { summary.pagesNotModified += 1 }
                if let job {
                    job.recordOwnBytes(page.bytes * 2)
                    if job.shouldStop { throw IssueStreamError.memoryStop(detail: "after page \(page.index) (\(Redaction.url(page.url)))") }
                }
                for item in page.elements {
                    let line = try await process(item, page: page, options: options, triager: &triager, applier: applier, client: client, summary: &summary)
                    try writer.write(line)
                    items += 1
                    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - page.requestedAt) / 1e9
                    summary.latency.record(seconds: elapsed)
                    client.metrics.issueLatency(nanoseconds: Int64(elapsed * 1e9))
                }
                progress?(TriageProgress(pages: summary.pages, items: items, rateLimitRemaining: client.rateLimit?.remaining))
            }
        } catch let error as IssueStreamError {
            summary.stoppedBy = error
            try writer.write(TriageLine(runError: error.description))
        }
        let written = try writer.finish(keepingEarlier: summary.stoppedBy != nil)
        summary.earlierOutputKept = !written
        return summary
    }

    private static func process(
        _ item: PageItem, page: IssuePage, options: TriageOptions, triager: inout Triager, applier: IssueApplier,
        client: GitHubClient, summary: inout TriageSummary
    ) async throws -> TriageLine {
        switch item {
        case .unreadable(let number, let id, let position, let reason):
            summary.failed += 1
            client.metrics.issueProcessed(outcome: "failed")
            return TriageLine(number: number, id: number == nil ? id : nil, error: "\(reason) (element \(position) of the page)", page: Redaction.url(page.url))
        case .issue(let issue):
            if issue.isPullRequest && !options.includePullRequests {
                summary.skipped += 1
                client.metrics.issueProcessed(outcome: "skipped")
                return TriageLine(number: issue.number, state: issue.state, skipped: "pull request (pass --include-pull-requests to triage it)")
            }
            var line = triager.decide(issue)
            guard line.error == nil else {
                summary.failed += 1
                client.metrics.issueProcessed(outcome: "failed")
                return line
            }
            summary.triaged += 1
            client.metrics.issueProcessed(outcome: "triaged")
            guard options.apply, issue.state == "open" else { return line }
            do {
                let (added, commented) = try await applier.apply(issue, line)
                line.labelsAdded = added
                line.commented = commented
                summary.labelsAdded += added.count
                summary.commentsAdded += commented ? 1 : 0
            } catch let error as IssueStreamError {
                switch error {
                case .badCredentials, .forbidden, .memoryStop: throw error
                default:
                    summary.applyFailed += 1
                    line.applyError = error.description
                }
            }
            return line
        }
    }
}
