import Foundation

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
            "bug": KindRule(labels: ["bug", "defect", "type: bug", "kind/bug"], words: ["crash", "error", "fails", "fail", "regression", "segfault", "broken", "exception", "wrong", "data loss", "panic"]),
            "feature": KindRule(labels: ["enhancement", "feature", "feature request", "kind/feature"], words: ["add", "support", "feature", "would be nice", "should accept", "configurable", "request"]),
            "question": KindRule(labels: ["question", "kind/question"], words: ["how do i", "how to", "is it possible", "question", "thread safe", "?"]),
            "docs": KindRule(labels: ["documentation", "docs", "kind/docs"], words: ["docs", "documentation", "readme", "typo", "out of date"]),
        ],
        defaultKind: "question",
        basePriority: ["bug": 50, "feature": 30, "question": 20, "docs": 10],
        priorityWords: ["crash": 20, "data loss": 30, "security": 40, "regression": 20, "segfault": 20, "under load": 10],
        priorityPerComment: 2, maxCommentPriority: 20, highPriorityAt: 70,
        areas: [:], kindLabelPrefix: "kind/", areaLabelPrefix: "area/", highPriorityLabel: "priority/high",
        duplicateThreshold: 0.6, maxDuplicateCandidates: 3, duplicateMemory: 20_000, maxBodyBytes: 1 << 20)

    /// Reads rules from a JSON file; fields it leaves out keep their defaults.
    public static func load(path: String) throws -> TriageRules {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw IssueStreamError.badRules(path: path, detail: "cannot be read (\(error.localizedDescription))")
        }
        guard var object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw IssueStreamError.badRules(path: path, detail: "is not a JSON object")
        }
        let base = try JSONSerialization.jsonObject(with: JSONEncoder().encode(defaults)) as! [String: Any]
        let unknown = object.keys.filter { base[$0] == nil }.sorted()
        guard unknown.isEmpty else {
            throw IssueStreamError.badRules(path: path, detail: "unknown field \(unknown[0]); known: \(base.keys.sorted().joined(separator: ", "))")
        }
        object.merge(base) { mine, _ in mine }
        do {
            let rules = try JSONDecoder().decode(TriageRules.self, from: JSONSerialization.data(withJSONObject: object))
            guard rules.kinds.keys.allSatisfy(kindOrder.contains), kindOrder.contains(rules.defaultKind) else {
                throw IssueStreamError.badRules(path: path, detail: "kinds must be among \(kindOrder.joined(separator: ", "))")
            }
            guard (0...1).contains(rules.duplicateThreshold), rules.duplicateMemory > 0 else {
                throw IssueStreamError.badRules(path: path, detail: "duplicateThreshold must be in 0...1 and duplicateMemory > 0")
            }
            return rules
        } catch let error as IssueStreamError {
            throw error
        } catch {
            throw IssueStreamError.badRules(path: path, detail: PageElement.explain(error).replacingOccurrences(of: "not a GitHub issue: ", with: ""))
        }
    }
}
