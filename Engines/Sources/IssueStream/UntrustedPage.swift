import Foundation

/// What issue-stream does with one page a server sent, before any network: decode the body,
/// decide whether its `link` header may be followed, and triage every issue on it. Public so
/// the fuzz target (Fuzz/) and its corpus replay in `swift test` call exactly what a run calls.
public enum UntrustedPage {
    /// The page as the first page of `https://api.github.com/repos/o/r/issues` with the default
    /// rules: the decisions made, and the next page's URL if the link may be followed. Throws
    /// what a run would stop with; never traps, whatever the bytes.
    public static func triage(body: Data, linkHeader: String?) throws -> (decisions: [TriageLine], next: String?) {
        let url = "https://api.github.com/repos/o/r/issues?state=all&per_page=100"
        guard let origin = APIOrigin(url: "https://api.github.com") else { return ([], nil) }
        let items = try PageFetcher.decode(body, url: url)
        var links = NextLinks(origin: origin, first: url)
        let next = try links.next(after: url, page: 1, header: linkHeader, elements: items.count)
        var triager = Triager(rules: .defaults)
        var decisions: [TriageLine] = []
        for case .issue(let issue) in items { decisions.append(triager.decide(issue)) }
        return (decisions, next)
    }
}
