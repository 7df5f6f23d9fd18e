import Foundation
import SoakGateBasics

/// The triage's rules: words and labels per kind, priority weights, areas, label names and the
/// duplicate finder's settings. Loaded from a JSON file (`--rules`); every field has a default.
public struct TriageRules: Sendable, Codable, Equatable {
    /// How one kind is recognised.
    public struct KindRule: Sendable, Codable, Equatable {
        /// Labels that decide the kind outright.
        public var labels: [String]
        /// Words (lower case) that point to the kind; a title match counts twice.
        public var words: [String]
    }

    /// Kinds in precedence order (ties go to the earlier one): bug, feature, question, docs.
    public var kinds: [String: KindRule]
    /// The kind when nothing matches.
    public var defaultKind: String
    /// Base priority per kind.
    public var basePriority: [String: Int]
    /// Words that raise the priority by the given amount.
    public var priorityWords: [String: Int]
    /// Priority per existing comment, up to `maxCommentPriority`.
    public var priorityPerComment: Int
    /// Cap of the comment contribution.
    public var maxCommentPriority: Int
    /// Priority at or above which the issue is labelled high.
    public var highPriorityAt: Int
    /// Area name → words or paths that point to it (lower case). A `Sources/NAME/` path names
    /// its own area when no rule matches.
    public var areas: [String: [String]]
    /// Label prefixes: `kind/`, `area/`, `priority/`.
    public var kindLabelPrefix: String
    /// Prefix of area labels.
    public var areaLabelPrefix: String
    /// The label for high priority.
    public var highPriorityLabel: String
    /// Estimated Jaccard similarity at or above which an earlier open issue is a duplicate candidate.
    public var duplicateThreshold: Double
    /// Most candidates listed per issue.
    public var maxDuplicateCandidates: Int
    /// Most open issues remembered for duplicate search (the oldest are forgotten): the bound on memory.
    public var duplicateMemory: Int
    /// Largest body, in bytes, the triage reads; a larger issue is recorded as not processed.
    public var maxBodyBytes: Int

    /// Canonical kind order, so ties and output never depend on dictionary order.
    public static let kindOrder = ["bug", "feature", "question", "docs"]

    /// The built-in rules.
    public static let defaults = TriageRules(
        kinds: [
            "bug": KindRule(
                labels: ["bug", "defect", "type: bug", "kind/bug"],
                words: [
                    "crash", "error", "fails", "fail", "regression", "segfault", "broken", "exception", "wrong",
                    "data loss", "panic",
                ]),
            "feature": KindRule(
                labels: ["enhancement", "feature", "feature request", "kind/feature"],
                words: ["add", "support", "feature", "would be nice", "should accept", "configurable", "request"]),
            "question": KindRule(
                labels: ["question", "kind/question"],
                words: ["how do i", "how to", "is it possible", "question", "thread safe", "?"]),
            "docs": KindRule(
                labels: ["documentation", "docs", "kind/docs"],
                words: ["docs", "documentation", "readme", "typo", "out of date"]),
        ],
        defaultKind: "question",
        basePriority: ["bug": 50, "feature": 30, "question": 20, "docs": 10],
        priorityWords: [
            "crash": 20, "data loss": 30, "security": 40, "regression": 20, "segfault": 20, "under load": 10,
        ],
        priorityPerComment: 2, maxCommentPriority: 20, highPriorityAt: 70,
        areas: [:], kindLabelPrefix: "kind/", areaLabelPrefix: "area/", highPriorityLabel: "priority/high",
        duplicateThreshold: 0.6, maxDuplicateCandidates: 3, duplicateMemory: 20_000, maxBodyBytes: 1 << 20)

    /// Largest rules file read: far more words and areas than any triage needs.
    public static let fileLimit = 4 << 20

    /// Reads rules from a JSON file; fields it leaves out keep their defaults. Only a regular
    /// file is read (a FIFO named as the rules file is refused, not waited on), and every number
    /// in it is checked against the range the triage can work with, naming the field.
    public static func load(path: String) throws(IssueStreamError) -> TriageRules {
        let data: Data
        do { data = Data(try RegularFile.read(path, limit: fileLimit)) } catch {
            throw IssueStreamError.badRules(path: path, detail: "cannot be read: \(error.reason)")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw IssueStreamError.badRules(path: path, detail: "is not a JSON object")
        }
        guard let encoded = try? JSONEncoder().encode(defaults),
            let base = (try? JSONSerialization.jsonObject(with: encoded)) as? [String: Any]
        else {
            throw IssueStreamError.badRules(path: path, detail: "the built-in rules cannot be merged (a bug)")
        }
        let unknown = object.keys.filter { base[$0] == nil }.sorted()
        guard unknown.isEmpty else {
            let name = ServerText.shown(unknown[0], hiding: nil, limit: 60)
            throw IssueStreamError.badRules(
                path: path, detail: "unknown field \(name); known: \(base.keys.sorted().joined(separator: ", "))")
        }
        // Numbers past what any field takes are refused here, by field: the decoder would call
        // `1e300` in an integer field "not valid JSON" without saying where.
        do { try checkMagnitudes(object, path: "") } catch {
            throw IssueStreamError.badRules(path: path, detail: error.description)
        }
        let rules: TriageRules
        do {
            // Decoded from the file's own bytes (fields left out take the defaults, see
            // `init(from:)`), so an error names the field as written.
            rules = try JSONDecoder().decode(TriageRules.self, from: data)
        } catch {
            throw IssueStreamError.badRules(
                path: path,
                detail: PageElement.explain(error).replacingOccurrences(of: "not a GitHub issue: ", with: ""))
        }
        guard rules.kinds.keys.allSatisfy(kindOrder.contains), kindOrder.contains(rules.defaultKind) else {
            throw IssueStreamError.badRules(
                path: path, detail: "kinds must be among \(kindOrder.joined(separator: ", "))")
        }
        do { try rules.checkNumbers() } catch {
            throw IssueStreamError.badRules(path: path, detail: error.description)
        }
        return rules
    }

    /// Every number in a parsed JSON value within ±10^15 (no field takes more), named by its path.
    static func checkMagnitudes(_ value: Any, path: String) throws(CheckedNumber.RangeError) {
        if let object = value as? [String: Any] {
            for key in object.keys.sorted() {
                let name = ServerText.shown(key, hiding: nil, limit: 40)
                try checkMagnitudes(object[key] as Any, path: path.isEmpty ? name : path + "." + name)
            }
        } else if let array = value as? [Any] {
            for (index, element) in array.enumerated() { try checkMagnitudes(element, path: "\(path)[\(index)]") }
        } else if !(value is String), !(value is Bool), let number = value as? NSNumber {
            try CheckedNumber.checked(number.doubleValue, in: -1e15...1e15, source: path)
        }
    }

    /// Every number against the range the triage's arithmetic is safe and meaningful in
    /// (priorities live in 0...100, so no weight needs to be larger than that).
    func checkNumbers() throws(CheckedNumber.RangeError) {
        let weight: ClosedRange<Int> = -100...100
        for kind in basePriority.keys.sorted() {
            try CheckedNumber.checked(basePriority[kind] ?? 0, in: weight, source: "basePriority.\(kind)")
        }
        for word in priorityWords.keys.sorted() {
            try CheckedNumber.checked(
                priorityWords[word] ?? 0, in: weight,
                source: "priorityWords.\(ServerText.shown(word, hiding: nil, limit: 40))")
        }
        try CheckedNumber.checked(priorityPerComment, in: 0...100, source: "priorityPerComment")
        try CheckedNumber.checked(maxCommentPriority, in: 0...100, source: "maxCommentPriority")
        try CheckedNumber.checked(highPriorityAt, in: 0...1000, source: "highPriorityAt")
        try CheckedNumber.checked(duplicateThreshold, in: 0...1, source: "duplicateThreshold")
        try CheckedNumber.checked(maxDuplicateCandidates, in: 0...1000, source: "maxDuplicateCandidates")
        try CheckedNumber.checked(duplicateMemory, in: 1...1_000_000, source: "duplicateMemory", unit: "issues")
        try CheckedNumber.checked(maxBodyBytes, in: 0...(1 << 30), source: "maxBodyBytes", unit: "bytes")
    }
}

extension TriageRules {
    /// Decodes rules whose fields may be left out: each missing one keeps its default.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let base = TriageRules.defaults
        kinds = try container.decodeIfPresent([String: KindRule].self, forKey: .kinds) ?? base.kinds
        defaultKind = try container.decodeIfPresent(String.self, forKey: .defaultKind) ?? base.defaultKind
        basePriority = try container.decodeIfPresent([String: Int].self, forKey: .basePriority) ?? base.basePriority
        priorityWords = try container.decodeIfPresent([String: Int].self, forKey: .priorityWords) ?? base.priorityWords
        priorityPerComment =
            try container.decodeIfPresent(Int.self, forKey: .priorityPerComment) ?? base.priorityPerComment
        maxCommentPriority =
            try container.decodeIfPresent(Int.self, forKey: .maxCommentPriority) ?? base.maxCommentPriority
        highPriorityAt = try container.decodeIfPresent(Int.self, forKey: .highPriorityAt) ?? base.highPriorityAt
        areas = try container.decodeIfPresent([String: [String]].self, forKey: .areas) ?? base.areas
        kindLabelPrefix = try container.decodeIfPresent(String.self, forKey: .kindLabelPrefix) ?? base.kindLabelPrefix
        areaLabelPrefix = try container.decodeIfPresent(String.self, forKey: .areaLabelPrefix) ?? base.areaLabelPrefix
        highPriorityLabel =
            try container.decodeIfPresent(String.self, forKey: .highPriorityLabel) ?? base.highPriorityLabel
        duplicateThreshold =
            try container.decodeIfPresent(Double.self, forKey: .duplicateThreshold) ?? base.duplicateThreshold
        maxDuplicateCandidates =
            try container.decodeIfPresent(Int.self, forKey: .maxDuplicateCandidates) ?? base.maxDuplicateCandidates
        duplicateMemory = try container.decodeIfPresent(Int.self, forKey: .duplicateMemory) ?? base.duplicateMemory
        maxBodyBytes = try container.decodeIfPresent(Int.self, forKey: .maxBodyBytes) ?? base.maxBodyBytes
    }
}
