import Foundation

/// A repository whose issues are computed from their number and a seed, so a repository of a
/// million issues costs no memory until one is changed (labels or comments added).
public struct SeededRepository: Sendable {
    /// Owner login, as in `/repos/OWNER/NAME`.
    public var owner: String
    /// Repository name.
    public var name: String
    /// How many issues and pull requests the repository has, numbered 1...issueCount.
    public var issueCount: Int
    /// Every `pullRequestEvery`-th number is a pull request (0: none).
    public var pullRequestEvery: Int
    /// Numbers whose body is this many bytes long (the "several megabytes" bad input).
    public var hugeBodies: [Int: Int]
    /// Numbers whose JSON is not what GitHub sends (`title` is a number, `number` missing).
    public var malformedIssues: Set<Int>
    /// The seed that picks each issue's text.
    public var seed: UInt64
    /// Answers the issue list with a JSON object instead of an array (a server that is not GitHub).
    public var listAnswersObject = false
    /// Made-up words in each body's story (48: bodies of about 400 bytes; 600: about 4 KB).
    public var storyWords = 48

    /// A repository of `issueCount` generated issues.
    public init(
        owner: String, name: String, issueCount: Int, pullRequestEvery: Int = 7,
        hugeBodies: [Int: Int] = [:], malformedIssues: Set<Int> = [], seed: UInt64 = 42
    ) {
        self.owner = owner
        self.name = name
        self.issueCount = issueCount
        self.pullRequestEvery = pullRequestEvery
        self.hugeBodies = hugeBodies
        self.malformedIssues = malformedIssues
        self.seed = seed
    }

    /// `owner/name`.
    public var fullName: String { "\(owner)/\(name)" }

    /// Seconds since 1970 at which issue 1 was created; issue n one minute after issue n-1.
    static let epoch = 1_700_000_000

    static let modules = ["Parser", "Network", "Storage", "CLI", "Renderer", "Auth", "Scheduler", "Cache"]
    static let bugTitles = [
        "Crash when %@ receives an empty response", "%@ fails with an error after upgrade",
        "Regression: %@ returns wrong results", "Data loss in %@ on restart", "Segfault in %@ under load",
    ]
    static let featureTitles = [
        "Add support for streaming in %@", "Feature request: configurable timeout for %@",
        "Would be nice: %@ should accept a config file", "Support retries in %@",
    ]
    static let questionTitles = ["How do I configure %@?", "Is %@ thread safe?", "Question about %@ behaviour"]
    static let docsTitles = ["Docs: typo in the %@ README", "Documentation for %@ is out of date"]

    /// The deterministic facts of issue `number` before any change.
    func base(_ number: Int) -> IssueRecord {
        // One issue in ten restates an earlier one, so duplicate detection has something to find.
        let textSource = number > 20 && number % 10 == 3 ? number - 10 : number
        var textRng = SplitMix64(seed: seed &+ UInt64(textSource) &* 0x9E37_79B9_7F4A_7C15)
        let module = Self.modules[Int(textRng.next() % UInt64(Self.modules.count))]
        let family = Int(textRng.next() % 10)
        let titles: [String]
        let label: String?
        switch family {
        case 0...3:
            titles = Self.bugTitles
            label = family == 0 ? "bug" : nil
        case 4...6:
            titles = Self.featureTitles
            label = family == 4 ? "enhancement" : nil
        case 7...8:
            titles = Self.questionTitles
            label = nil
        default:
            titles = Self.docsTitles
            label = family == 9 && textSource % 2 == 0 ? "documentation" : nil
        }
        let template = titles[Int(textRng.next() % UInt64(titles.count))]
        let title = template.replacingOccurrences(of: "%@", with: module)
        let detail = Int(textRng.next() % 1000)
        // Words from syllables, so unrelated issues share few 3-word shingles, as real ones do.
        let syllables = [
            "ka", "lo", "mi", "tre", "su", "van", "dor", "pel", "qui", "zen", "ro", "fa", "ne", "bix", "tor", "al",
        ]
        var story: [String] = []
        for _ in 0..<max(0, storyWords) {
            let count = 2 + Int(textRng.next() % 2)
            story.append((0..<count).map { _ in syllables[Int(textRng.next() % UInt64(syllables.count))] }.joined())
        }
        var body = """
            When I use the \(module) module (see Sources/\(module)/\(module)Core.swift) the call returns \
            status \(detail). Context: \(story.joined(separator: " ")). Expected the same output both times.
            """
        if let huge = hugeBodies[number] {
            body += String(repeating: "x", count: max(0, huge - body.utf8.count))
        }
        let facts = meta(number)
        return IssueRecord(
            number: number, title: facts.isPullRequest ? "PR: " + title : title, body: body,
            state: facts.open ? "open" : "closed",
            labels: label.map { [$0] } ?? [], comments: facts.comments, isPullRequest: facts.isPullRequest,
            createdAt: Self.epoch + number * 60, updatedAt: facts.updatedAt)
    }

    /// The cheap facts filters read (state, kind, time) without building the text.
    func meta(_ number: Int) -> (open: Bool, isPullRequest: Bool, comments: Int, updatedAt: Int) {
        var rng = SplitMix64(seed: seed &+ UInt64(number) &* 0x9E37_79B9_7F4A_7C15)
        let open = rng.next() % 4 != 0
        let comments = Int(rng.next() % 5)
        let updated = Self.epoch + number * 60 + Int(rng.next() % 3600)
        return (open, pullRequestEvery > 0 && number % pullRequestEvery == 0, comments, updated)
    }
}

/// One issue as the server serves it.
struct IssueRecord: Sendable {
    var number: Int
    var title: String
    var body: String
    var state: String
    var labels: [String]
    var comments: Int
    var isPullRequest: Bool
    var createdAt: Int
    var updatedAt: Int
}

/// A small, fast, seedable generator: the same seed gives the same repository on every machine.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
