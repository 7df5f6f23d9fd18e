import Foundation
import GitHubTestServer
import XCTest

@testable import IssueStream

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

/// Issues analysed on several threads get the decisions, duplicates included, that one
/// thread gives: the duplicate index is filled in list order after the analyses.
final class ParallelTriageTests: XCTestCase {
    func testAnyNumberOfWorkersWritesTheBytesOfOne() async throws {
        var repository = SeededRepository(owner: "o", name: "r", issueCount: 600, hugeBodies: [78: 2_000_000])
        repository.storyWords = 200
        let github = try await LocalGitHub.start([repository])
        for includePullRequests in [false, true] {
            var outputs: [Int: Data] = [:]
            for workers in [1, 2, 5] {
                let path = github.directory.appendingPathComponent("out-\(includePullRequests)-\(workers).jsonl").path
                let summary = try await TriageRun.run(
                    client: github.client,
                    options: TriageOptions(
                        repo: "o/r", includePullRequests: includePullRequests, outputPath: path, workers: workers))
                XCTAssertNil(summary.stoppedBy)
                XCTAssertEqual(summary.triaged + summary.skipped + summary.failed, 600)
                outputs[workers] = try Data(contentsOf: URL(fileURLWithPath: path))
            }
            let text = String(decoding: try XCTUnwrap(outputs[1]), as: UTF8.self)
            XCTAssertTrue(text.contains(#/"duplicates":\[\d/#), "the seeded restatements are found")
            XCTAssertTrue(text.contains("over the"), "the huge body is refused")
            XCTAssertEqual(outputs[2], outputs[1], "2 workers against 1, pull requests \(includePullRequests)")
            XCTAssertEqual(outputs[5], outputs[1], "5 workers against 1, pull requests \(includePullRequests)")
        }
        try await github.stop()
    }
}

/// The hand-written line encoder writes what `JSONEncoder` (sorted keys, slashes unescaped)
/// writes, and hands anything that needs escaping back to it.
final class TriageLineEncodingTests: XCTestCase {
    func testEveryFieldAndEveryPlainStringEncodeAsJSONEncoderDoes() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let plain = (0x20..<0x7F).map { Character(UnicodeScalar(UInt8($0))) }.filter { $0 != "\"" && $0 != "\\" }
        let texts = ["", "bug", "area/parser", String(plain), "http://127.0.0.1:8080/repos/o/r/issues?page=2&x=<y>"]
        var lines: [TriageLine] = [TriageLine()]
        for (index, text) in texts.enumerated() {
            lines.append(
                TriageLine(
                    number: index, id: index == 0 ? nil : -index, kind: text, priority: 100 - index, area: text,
                    labels: index == 0 ? [] : [text, "kind/bug"], duplicates: Array(0..<index), state: text,
                    skipped: text, error: text, page: text, labelsAdded: [text], commented: index % 2 == 0,
                    applyError: text, runError: text))
            lines.append(TriageLine(number: Int.max - index, labels: [text], duplicates: []))
        }
        for line in lines {
            let expected = [UInt8](try encoder.encode(line))
            XCTAssertEqual(TriageLineEncoding.encode(line), expected, String(decoding: expected, as: UTF8.self))
        }
        for needsEscaping in ["a\"b", "a\\b", "tab\t", "é", "\u{7F}", "line\nbreak"] {
            XCTAssertNil(TriageLineEncoding.encode(TriageLine(kind: needsEscaping)), needsEscaping)
            XCTAssertNil(TriageLineEncoding.encode(TriageLine(labels: ["ok", needsEscaping])), needsEscaping)
        }
    }
}

/// The byte-level lookups the triage uses agree with the plain definitions they replace.
final class TextScanTests: XCTestCase {
    func testFindAndPresenceAgreeWithNaiveSearchAndTheWordSet() throws {
        var rng = SystemRandomNumberGenerator()
        let pieces = ["a", "ab", "crash", " ", "data loss", "?", "é", "x-y", "Sources/", "\n", "error", "errors"]
        let vocabulary = try XCTUnwrap(WordVocabulary(["crash", "error", "ab", "a"]))
        for _ in 0..<500 {
            let text = (0..<Int.random(in: 0...30, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }
                .joined()
            let scan = TextScan(text)
            for needle in pieces + ["", "crash crash", "zzz"] {
                let bytes = Array(needle.lowercased().utf8)
                let naive =
                    bytes.isEmpty
                    || stride(from: 0, through: scan.bytes.count - bytes.count, by: 1).contains {
                        Array(scan.bytes[$0..<$0 + bytes.count]) == bytes
                    }
                XCTAssertEqual(scan.contains(bytes), naive, "\(needle) in \(text)")
            }
            let words = scan.wordSet()
            XCTAssertEqual(
                scan.presence(of: vocabulary),
                vocabulary.words.map { words.contains(String(decoding: $0, as: UTF8.self)) }, text)
        }
        XCTAssertNil(WordVocabulary(["crash", "échec"]), "a word that is not ASCII keeps the String path")
    }

    func testAKindWordThatIsNotASCIIStillCounts() {
        var rules = TriageRules.defaults
        rules.kinds["bug"]?.words.append("échec")
        var triager = Triager(rules: rules)
        let line = triager.decide(
            GitHubIssue(
                number: 1, title: "échec échec", body: "", state: "open", labels: [], comments: 0, pull_request: nil))
        XCTAssertEqual(line.kind, "bug")
    }
}
