/// Decides kind, priority, area, labels and duplicate candidates for issues in list order. It
/// keeps only the bounded duplicate index between issues.
public struct Triager {
    /// The rules in force.
    public let rules: TriageRules
    private var index: DuplicateIndex
    private let kindWords: [(kind: String, single: Set<String>, phrases: [[UInt8]], labels: Set<String>)]
    private let areaRules: [(area: String, words: [[UInt8]])]
    private let priorityWords: [(word: [UInt8], weight: Int)]

    /// A triager with these rules.
    public init(rules: TriageRules) {
        self.rules = rules
        // At least one slot: the ring's arithmetic divides by its capacity (`TriageRun` refuses
        // rules out of range before this; a caller building rules by hand gets a working index).
        index = DuplicateIndex(capacity: max(1, rules.duplicateMemory))
        kindWords = TriageRules.kindOrder.compactMap { kind in
            guard let rule = rules.kinds[kind] else { return nil }
            let words = rule.words.map { $0.lowercased() }
            return (
                kind, Set(words.filter { !$0.contains(" ") && $0.allSatisfy { $0.isLetter || $0.isNumber } }),
                words.filter { $0.contains(" ") || !$0.allSatisfy { $0.isLetter || $0.isNumber } }.map {
                    Array($0.utf8)
                },
                Set(rule.labels.map { $0.lowercased() })
            )
        }
        areaRules = rules.areas.keys.sorted().map { ($0, rules.areas[$0]!.map { Array($0.lowercased().utf8) }) }
        priorityWords = rules.priorityWords.keys.sorted().map {
            (Array($0.lowercased().utf8), rules.priorityWords[$0]!)
        }
    }

    /// The decision for one issue, or the reason it cannot be triaged.
    public mutating func decide(_ issue: GitHubIssue) -> TriageLine {
        let body = issue.body ?? ""
        if body.utf8.count > rules.maxBodyBytes {
            return TriageLine(
                number: issue.number, state: issue.state,
                error:
                    "body is \(body.utf8.count) bytes, over the \(rules.maxBodyBytes)-byte limit (rules: maxBodyBytes); not triaged"
            )
        }
        let title = TextScan(issue.title)
        let text = TextScan(
            body.utf8.count > 8192 ? String(decoding: Array(body.utf8.prefix(8192)), as: UTF8.self) : body)
        let titleWords = title.wordSet()
        let bodyWords = text.wordSet()
        let labelNames = issue.labels.map { $0.name.lowercased() }

        var kind = rules.defaultKind
        if let byLabel = kindWords.first(where: { rule in labelNames.contains { rule.labels.contains($0) } }) {
            kind = byLabel.kind
        } else {
            var best = 0
            for rule in kindWords {
                var score = 0
                score += 2 * rule.single.intersection(titleWords).count + rule.single.intersection(bodyWords).count
                for phrase in rule.phrases {
                    if title.contains(phrase) { score += 2 }
                    if text.contains(phrase) { score += 1 }
                }
                if score > best {
                    best = score
                    kind = rule.kind
                }
            }
        }

        var priority = rules.basePriority[kind] ?? 0
        for (word, weight) in priorityWords where title.contains(word) || text.contains(word) { priority += weight }
        priority += min(rules.maxCommentPriority, issue.comments * rules.priorityPerComment)
        priority = max(0, min(100, priority))

        var area = areaRules.first { rule in rule.words.contains { title.contains($0) || text.contains($0) } }?.area
        if area == nil { area = Self.sourcesModule(issue.title + " " + body.prefix(8192)) }

        var labels = [rules.kindLabelPrefix + kind]
        if let area { labels.append(rules.areaLabelPrefix + area) }
        if priority >= rules.highPriorityAt { labels.append(rules.highPriorityLabel) }

        var duplicates: [Int]?
        if issue.state == "open" {
            let signature = index.signature(issue.title + " " + body.prefix(2048))
            duplicates = index.candidates(
                for: signature, threshold: rules.duplicateThreshold, limit: max(0, rules.maxDuplicateCandidates)
            ).map(\.number)
            index.insert(number: issue.number, signature: signature)
        }
        return TriageLine(
            number: issue.number, kind: kind, priority: priority, area: area, labels: labels,
            duplicates: duplicates, state: issue.state)
    }

    /// `parser` for text naming `Sources/Parser/...`: the first module path mentioned.
    static func sourcesModule<S: StringProtocol>(_ text: S) -> String? {
        guard let range = text.range(of: "Sources/") else { return nil }
        let name = text[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        return name.isEmpty ? nil : name.lowercased()
    }
}
