import IssueStream
import XCTest

final class TriagerTests: XCTestCase {
    func issue(
        _ number: Int, _ title: String, _ body: String = "", labels: [String] = [], state: String = "open",
        comments: Int = 0
    ) -> GitHubIssue {
        GitHubIssue(
            number: number, title: title, body: body, state: state, labels: labels.map { GitHubIssue.Label(name: $0) },
            comments: comments, pull_request: nil)
    }

    func testLabelDecidesTheKindBeforeWords() {
        var triager = Triager(rules: .defaults)
        XCTAssertEqual(triager.decide(issue(1, "Crash on start", labels: ["documentation"])).kind, "docs")
    }

    func testTitleWordsDecideTheKind() {
        var triager = Triager(rules: .defaults)
        XCTAssertEqual(triager.decide(issue(1, "Crash when the parser sees an empty file")).kind, "bug")
        XCTAssertEqual(triager.decide(issue(2, "Add support for YAML input")).kind, "feature")
        XCTAssertEqual(triager.decide(issue(3, "How do I configure the cache?")).kind, "question")
        XCTAssertEqual(triager.decide(issue(4, "Typo in the README")).kind, "docs")
        XCTAssertEqual(triager.decide(issue(5, "zzz")).kind, TriageRules.defaults.defaultKind)
    }

    func testPriorityRisesWithSevereWordsAndIsCapped() {
        var triager = Triager(rules: .defaults)
        let plain = triager.decide(issue(1, "Wrong output from the renderer")).priority!
        let severe = triager.decide(issue(2, "Crash with data loss, a security regression")).priority!
        XCTAssertGreaterThan(severe, plain)
        XCTAssertEqual(severe, 100)
        XCTAssertTrue(triager.decide(issue(3, "Segfault under load")).labels!.contains("priority/high"))
    }

    func testAreaComesFromASourcesPathOrARule() {
        var triager = Triager(rules: .defaults)
        XCTAssertEqual(
            triager.decide(issue(1, "Wrong value", "see Sources/NetworkCore/Socket.swift line 3")).area, "networkcore")
        var rules = TriageRules.defaults
        rules.areas = ["storage": ["sqlite"], "auth": ["token"]]
        var ruled = Triager(rules: rules)
        XCTAssertEqual(ruled.decide(issue(2, "SQLite file grows")).area, "storage")
        XCTAssertNil(ruled.decide(issue(3, "Nothing to see")).area)
    }

    func testNearDuplicatesAmongOpenIssuesAreFound() {
        var triager = Triager(rules: .defaults)
        let text =
            "When I call the parser with an empty file the parser crashes with a fatal error and the process exits with status 134 every time"
        _ = triager.decide(issue(1, "Parser crash on empty file", text))
        _ = triager.decide(
            issue(2, "Add YAML output", "It would be nice to have YAML output next to JSON for the report command"))
        let duplicate = triager.decide(issue(3, "Parser crash on empty file", text + " on Linux"))
        XCTAssertEqual(duplicate.duplicates, [1])
        let unrelated = triager.decide(
            issue(4, "Docs typo", "The README says teh instead of the in the install section"))
        XCTAssertEqual(unrelated.duplicates, [])
    }

    func testClosedIssuesAreNotDuplicateCandidates() {
        var triager = Triager(rules: .defaults)
        let text =
            "The scheduler drops jobs when two of them are added in the same millisecond and nothing is logged about it"
        _ = triager.decide(issue(1, "Scheduler drops jobs", text, state: "closed"))
        XCTAssertEqual(triager.decide(issue(2, "Scheduler drops jobs", text)).duplicates, [])
    }

    func testDuplicateMemoryIsBounded() {
        var rules = TriageRules.defaults
        rules.duplicateMemory = 2
        var triager = Triager(rules: rules)
        let text =
            "The exporter writes a truncated file when the disk is nearly full and reports success anyway to the caller"
        _ = triager.decide(issue(1, "Exporter truncates", text))
        _ = triager.decide(issue(2, "Unrelated one", "alpha beta gamma delta epsilon zeta eta theta"))
        _ = triager.decide(issue(3, "Unrelated two", "one two three four five six seven eight nine"))
        XCTAssertEqual(triager.decide(issue(4, "Exporter truncates", text)).duplicates, [], "issue 1 was forgotten")
    }

    func testLatencyPercentilesComeFromTheHistogram() {
        var histogram = LatencyHistogram()
        for i in 1...100 { histogram.record(seconds: Double(i) / 1000) }
        XCTAssertEqual(histogram.percentile(95), 0.095, accuracy: 0.006)
        XCTAssertEqual(histogram.percentile(50), 0.050, accuracy: 0.003)
    }
}
