import ArgumentParser

/// `issue-stream`: GitHub issue triage over the REST API.
@main
struct IssueStreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue-stream",
        abstract: "Triage a GitHub repository's issues over the REST API, paced to its rate limit.",
        discussion: """
            Lists every issue page by page (following GitHub's link headers), decides kind, priority, \
            area and duplicate candidates, writes one JSON line per issue, and with --apply adds labels \
            and one triage comment. Try `issue-stream demo` first: it needs no network.
            """,
        subcommands: [TriageCommand.self, DemoCommand.self])
}
