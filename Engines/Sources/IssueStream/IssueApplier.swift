import Foundation

/// `--apply`: adds the decided labels that are missing and at most one triage comment, marked
/// so that a rerun finds it and adds nothing.
public struct IssueApplier: Sendable {
    /// The hidden marker every triage comment starts with.
    public static let marker = "<!-- issue-stream:triage -->"
    let client: GitHubClient
    let repo: String

    /// An applier for `repo` (`owner/name`).
    public init(client: GitHubClient, repo: String) {
        self.client = client
        self.repo = repo
    }

    /// Labels added and whether a comment was posted.
    public func apply(_ issue: GitHubIssue, _ decision: TriageLine) async throws -> (
        labelsAdded: [String], commented: Bool
    ) {
        let base = "\(client.configuration.apiURL)/repos/\(repo)/issues/\(issue.number)"
        let present = Set(issue.labels.map(\.name))
        let missing = (decision.labels ?? []).filter { !present.contains($0) }
        if !missing.isEmpty {
            _ = try await client.post(
                base + "/labels", json: try JSONSerialization.data(withJSONObject: ["labels": missing]))
        }
        if try await hasTriageComment(issue, base: base) { return (missing, false) }
        _ = try await client.post(
            base + "/comments",
            json: try JSONSerialization.data(withJSONObject: ["body": Self.comment(decision)], options: [.sortedKeys]))
        return (missing, true)
    }

    /// Reads the issue's comments (all pages) for the marker; an issue with none needs no request.
    func hasTriageComment(_ issue: GitHubIssue, base: String) async throws -> Bool {
        guard issue.comments > 0 else { return false }
        let first = base + "/comments?per_page=100"
        // The same rules as the issue list: same origin only, no loops, no endless chains.
        var links = NextLinks(origin: client.origin, first: first)
        var url: String? = first
        var page = 0
        while let current = url {
            page += 1
            let answer = try await client.get(current)
            guard let comments = (try? JSONSerialization.jsonObject(with: answer.body)) as? [[String: Any]] else {
                throw IssueStreamError.notGitHubJSON(url: current, detail: "expected a JSON array of comments")
            }
            if comments.contains(where: { ($0["body"] as? String)?.hasPrefix(Self.marker) == true }) { return true }
            url = try links.next(after: current, page: page, header: answer.link, elements: comments.count)
        }
        return false
    }

    /// The comment text: the marker, then the decision in one sentence.
    static func comment(_ decision: TriageLine) -> String {
        var text =
            "\(marker)\nTriage by issue-stream: kind `\(decision.kind ?? "?")`, priority \(decision.priority ?? 0)"
        if let area = decision.area { text += ", area `\(area)`" }
        text += "."
        if let duplicates = decision.duplicates, !duplicates.isEmpty {
            text += " Possible duplicates: " + duplicates.map { "#\($0)" }.joined(separator: ", ") + "."
        }
        return text
    }
}
