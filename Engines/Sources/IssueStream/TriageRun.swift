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
    /// Continue the lines a stopped run left (see ``ResumePoint``): keep them, read the list
    /// again from the start (the items they cover only rebuild the duplicate index), and write
    /// the rest.
    public var resume: Bool
    /// With `apply` and `resume`: apply again to the items the kept lines cover (for a server
    /// that starts afresh each time, as the demo's does); otherwise they are not applied again.
    public var reapplyKept: Bool
    /// Whether the governor's request to stop is honoured (after a page was written). Only a run
    /// that keeps nothing, whose stop no rerun could complete, sets this to false; it still goes
    /// light under pressure.
    public var stopsForMemory: Bool
    /// Threads that analyse a page's issues at once (1 analyses them one by one on the run's
    /// own task). The decisions, duplicates included, are the same for any number: the
    /// duplicate index is filled in list order after the analyses.
    public var workers: Int

    /// Options for triaging `repo` with the default rules.
    public init(
        repo: String, includePullRequests: Bool = false, apply: Bool = false, since: String? = nil,
        state: String = "all",
        perPage: Int = 100, rules: TriageRules = .defaults, outputPath: String? = nil, resume: Bool = false,
        reapplyKept: Bool = false, stopsForMemory: Bool = true, workers: Int = TriageOptions.defaultWorkers
    ) {
        self.repo = repo
        self.includePullRequests = includePullRequests
        self.apply = apply
        self.since = since
        self.state = state
        self.perPage = min(100, max(1, perPage))
        self.rules = rules
        self.outputPath = outputPath
        self.resume = resume
        self.reapplyKept = reapplyKept
        self.stopsForMemory = stopsForMemory
        self.workers = min(64, max(1, workers))
    }

    /// The cores this process may use (at most 64).
    public static var defaultWorkers: Int { min(64, max(1, ProcessInfo.processInfo.activeProcessorCount)) }
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
    /// Whether a stopped run left `--out` (or the file it resumed) as it was.
    public var earlierOutputKept = false
    /// The file that holds the lines now (`--out`, or `OUT.stopped` for a stopped run that must
    /// not replace an earlier `--out`); nil for standard output or when nothing was written.
    public var linesFile: String?
    /// With `--resume`: the file continued and how many of its lines were kept.
    public var resumedFrom: String?
    public var linesKept = 0
    /// Item lines this run wrote (not counting kept ones).
    public var linesWritten = 0
    /// Pages of which this run wrote lines to the end.
    public var pagesWritten = 0
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
/// `apply` labels and comments. Memory holds two pages and the bounded duplicate index; with a
/// governor, each batch of items re-reads memory and under pressure the run goes light (one page
/// held, the response cache's memory tier not filled, lines written out per batch), and stops at
/// the governor's request once it has written a page, so a `--resume` always gets further.
public enum TriageRun {
    /// Runs to the end of the list or to the first error that stops it; the output then ends
    /// with a `run_error` line, and `stoppedBy` says why. A stopped run does not replace an
    /// output file that already exists (`earlierOutputKept`): its lines go to `OUT.stopped`
    /// (`linesFile`), where `--resume` finds them. Throws before any request for rules out of
    /// range, an output that cannot be created or a file `--resume` cannot continue.
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
        var resume = options.resume ? try ResumePoint.load(output: options.outputPath) : nil
        let writer = try DecisionWriter(
            path: options.outputPath, hiding: client.configuration.token.map { [$0] } ?? [],
            startingWith: resume?.lines ?? [])
        resume?.lines = []
        var summary = TriageSummary()
        summary.resumedFrom = resume?.path
        summary.linesKept = resume?.lineCount ?? 0
        var triager = Triager(rules: options.rules)
        let applier = IssueApplier(client: client, repo: options.repo)
        // The duplicate index is not registered with the governor: it is bounded by the rules
        // (duplicateMemory), and forgetting issues under pressure would change later lines'
        // `duplicates`, so a budgeted run would no longer write what an unbudgeted one writes.
        let job = try governor?.admit(
            job: "issue-stream.triage", batch: AdaptiveBatchSize(initial: 100, floor: 1, ceiling: 100))
        defer {
            job?.finish()
            client.cache.isMemoryTierPaused = false
        }
        var query = "state=\(options.state)&per_page=\(options.perPage)&sort=created&direction=asc"
        if let since = options.since {
            query +=
                "&since="
                + (since.addingPercentEncoding(
                    withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~:"))) ?? since)
        }
        let first = "\(client.configuration.apiURL)/repos/\(options.repo)/issues?\(query)"
        let pages = IssuePages(client: client, firstURL: first, repo: options.repo).makeAsyncIterator()
        var listed = 0
        // Already light when admitted under pressure: the first page is then neither kept in
        // the memory tier nor followed by a prefetch.
        var light = job?.lightMode ?? false
        client.cache.isMemoryTierPaused = light
        do {
            while true {
                // Under pressure the next page is not fetched while this one is worked on.
                pages.prefetchNext = !light
                guard var page = try await pages.next() else { break }
                summary.pages += 1
                if page.status != 200 { summary.pagesNotModified += 1 }
                // Items are let go one by one as they are done, so a page of big bodies shrinks
                // while it is worked on instead of being held whole to its end.
                var items = page.elements.map(Optional.some)
                page.elements = []
                job?.recordOwnBytes(page.bytes * (light ? 1 : 2))
                var done = 0
                var wroteOnPage = false
                while done < items.count {
                    // Each batch re-reads memory (the governor drops caches when it first reaches
                    // throttle) and says how many items to take and whether to go light.
                    let size = job?.nextBatchSize() ?? items.count
                    light = job?.lightMode ?? false
                    client.cache.isMemoryTierPaused = light
                    let end = min(items.count, done + max(1, size))
                    var analyses = await analyze(
                        items[done..<end], triager: triager, options: options,
                        skipping: resume.map { max(0, $0.lineCount - listed) } ?? 0)
                    for index in done..<end {
                        guard let item = items[index] else { continue }
                        items[index] = nil
                        if let resume, listed < resume.lineCount {
                            try resume.check(item, at: listed)
                            listed += 1
                            try await replay(item, options: options, triager: &triager, applier: applier)
                            continue
                        }
                        let line = try await process(
                            item, analysis: analyses.removeValue(forKey: index), page: page, options: options,
                            triager: &triager, applier: applier, client: client, summary: &summary)
                        try writer.write(line)
                        listed += 1
                        wroteOnPage = true
                        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - page.requestedAt) / 1e9
                        summary.latency.record(seconds: elapsed)
                        client.metrics.issueLatency(nanoseconds: Int64(elapsed * 1e9))
                    }
                    done = end
                    if light { try writer.flush() }
                    if done == items.count, wroteOnPage { summary.pagesWritten += 1 }
                    // A safe point: every line so far is written. The governor's stop is honoured
                    // only once this run wrote a page's lines to its end, so every rerun gets further.
                    if let job, options.stopsForMemory, summary.pagesWritten > 0,
                        done < items.count || page.next != nil, job.shouldStop
                    {
                        throw IssueStreamError.memoryStop(
                            detail:
                                "memory reached the budget; stopped after item \(done) of \(items.count) on page \(page.index) (\(Redaction.url(page.url)))"
                        )
                    }
                }
                progress?(
                    TriageProgress(
                        pages: summary.pages, items: writer.itemLines, rateLimitRemaining: client.rateLimit?.remaining))
            }
        } catch let error as IssueStreamError {
            summary.stoppedBy = error
            try writer.write(TriageLine(runError: error.description))
        }
        summary.linesWritten = writer.itemLines
        let placement = try writer.finish(stopped: summary.stoppedBy != nil, resumedFrom: resume?.path)
        summary.earlierOutputKept = placement.earlierKept
        summary.linesFile = placement.file
        return summary
    }

    /// An item the kept lines already cover: decided again only so the duplicate index holds
    /// what it held when the stopped run wrote its line (and applied again with `reapplyKept`).
    private static func replay(_ item: PageItem, options: TriageOptions, triager: inout Triager, applier: IssueApplier)
        async throws
    {
        guard case .issue(let issue) = item, !issue.isPullRequest || options.includePullRequests else { return }
        let line = triager.decide(issue)
        guard options.reapplyKept, options.apply, line.error == nil, issue.state == "open" else { return }
        do { _ = try await applier.apply(issue, line) } catch let error as IssueStreamError {
            switch error {
            case .badCredentials, .forbidden: throw error
            default: break
            }
        }
    }

    /// The analyses of the issues among `items` that will be triaged, by index, computed by
    /// `options.workers` tasks over contiguous slices; empty with one worker or few issues
    /// (``process`` then decides each itself). The first `skipping` items are covered by kept
    /// lines and only replayed.
    private static func analyze(
        _ items: ArraySlice<PageItem?>, triager: Triager, options: TriageOptions, skipping: Int
    ) async -> [Int: Triager.Analysis] {
        var work: [(index: Int, issue: GitHubIssue)] = []
        for (index, item) in zip(items.indices, items).dropFirst(skipping) {
            guard case .issue(let issue)? = item, !issue.isPullRequest || options.includePullRequests else { continue }
            work.append((index, issue))
        }
        let workers = min(options.workers, work.count / 4)
        guard workers > 1 else { return [:] }
        let slice = (work.count + workers - 1) / workers
        return await withTaskGroup(of: [(Int, Triager.Analysis)].self) { group in
            for start in stride(from: 0, to: work.count, by: slice) {
                let part = work[start..<min(work.count, start + slice)]
                group.addTask { part.map { ($0.index, triager.analyze($0.issue)) } }
            }
            var analyses: [Int: Triager.Analysis] = [:]
            analyses.reserveCapacity(work.count)
            for await part in group {
                for (index, analysis) in part { analyses[index] = analysis }
            }
            return analyses
        }
    }

    private static func process(
        _ item: PageItem, analysis: Triager.Analysis?, page: IssuePage, options: TriageOptions,
        triager: inout Triager, applier: IssueApplier, client: GitHubClient, summary: inout TriageSummary
    ) async throws -> TriageLine {
        switch item {
        case .unreadable(let number, let id, let position, let reason):
            summary.failed += 1
            client.metrics.issueProcessed(outcome: "failed")
            return TriageLine(
                number: number, id: number == nil ? id : nil, error: "\(reason) (element \(position) of the page)",
                page: Redaction.url(page.url))
        case .issue(let issue):
            if issue.isPullRequest && !options.includePullRequests {
                summary.skipped += 1
                client.metrics.issueProcessed(outcome: "skipped")
                return TriageLine(
                    number: issue.number, state: issue.state,
                    skipped: "pull request (pass --include-pull-requests to triage it)")
            }
            var line = analysis.map { triager.complete($0) } ?? triager.decide(issue)
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
