/// Decides kind, priority, area, labels and duplicate candidates for issues in list order. It
/// keeps only the bounded duplicate index between issues.
public struct Triager: Sendable {
    /// The rules in force.
    public let rules: TriageRules
    private var index: DuplicateIndex
    private let kindWords: [(kind: String, single: Set<String>, phrases: [[UInt8]], labels: Set<String>)]
    /// The kinds' single words when they are all ASCII (the usual case), and each kind's ids
    /// in it: their presence is read from the text's bytes, with no `String` per word.
    private let vocabulary: WordVocabulary?
    private let kindWordIDs: [[Int]]
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
        let singles = Array(Set(kindWords.flatMap(\.single))).sorted()
        vocabulary = WordVocabulary(singles)
        kindWordIDs = kindWords.map { rule in rule.single.map { singles.firstIndex(of: $0)! } }
        areaRules = rules.areas.keys.sorted().map { ($0, rules.areas[$0]!.map { Array($0.lowercased().utf8) }) }
        priorityWords = rules.priorityWords.keys.sorted().map {
            (Array($0.lowercased().utf8), rules.priorityWords[$0]!)
        }
    }

    /// The decision for one issue, or the reason it cannot be triaged.
    public mutating func decide(_ issue: GitHubIssue) -> TriageLine { complete(analyze(issue)) }

    /// An issue's decision but for its duplicates, and the signature they are found by: all
    /// of the triage that does not depend on earlier issues, so issues can be analysed in any
    /// order and on any thread, then completed in list order.
    public struct Analysis: Sendable {
        var line: TriageLine
        /// The duplicate-index signature of an open issue; nil for a closed one or an error.
        var signature: [UInt32]?
    }

    /// Everything of the decision that does not depend on other issues (no shared state).
    public func analyze(_ issue: GitHubIssue) -> Analysis {
        let body = issue.body ?? ""
        if body.utf8.count > rules.maxBodyBytes {
            return Analysis(
                line: TriageLine(
                    number: issue.number, state: issue.state,
                    error:
                        "body is \(body.utf8.count) bytes, over the \(rules.maxBodyBytes)-byte limit (rules: maxBodyBytes); not triaged"
                ), signature: nil)
        }
        let title = TextScan(issue.title)
        let text = TextScan(
            Self.head(body, bytes: 8192))
        let labelNames = issue.labels.map { $0.name.lowercased() }

        var kind = rules.defaultKind
        if let byLabel = kindWords.first(where: { rule in labelNames.contains { rule.labels.contains($0) } }) {
            kind = byLabel.kind
        } else {
            // How many of a kind's single words the title and the body hold.
            let counts: (Int) -> (title: Int, body: Int)
            if let vocabulary {
                let inTitle = title.presence(of: vocabulary)
                let inBody = text.presence(of: vocabulary)
                counts = { rule in
                    let ids = kindWordIDs[rule]
                    return (ids.filter { inTitle[$0] }.count, ids.filter { inBody[$0] }.count)
                }
            } else {
                let titleWords = title.wordSet()
                let bodyWords = text.wordSet()
                counts = { rule in
                    (
                        kindWords[rule].single.intersection(titleWords).count,
                        kindWords[rule].single.intersection(bodyWords).count
                    )
                }
            }
            var best = 0
            for (position, rule) in kindWords.enumerated() {
                var score = 0
                let found = counts(position)
                score += 2 * found.title + found.body
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
        if area == nil { area = Self.sourcesModule(in: [issue.title[...], Self.head(body, bytes: 8192)[...]]) }

        var labels = [rules.kindLabelPrefix + kind]
        if let area { labels.append(rules.areaLabelPrefix + area) }
        if priority >= rules.highPriorityAt { labels.append(rules.highPriorityLabel) }

        let signature = issue.state == "open" ? index.signature(issue.title + " " + Self.head(body, bytes: 2048)) : nil
        return Analysis(
            line: TriageLine(
                number: issue.number, kind: kind, priority: priority, area: area, labels: labels, state: issue.state),
            signature: signature)
    }

    /// The decision: `analysis` with the earlier open issues it resembles. Call in list order:
    /// the index then holds exactly the issues before this one.
    public mutating func complete(_ analysis: Analysis) -> TriageLine {
        var line = analysis.line
        guard let signature = analysis.signature, let number = line.number else { return line }
        line.duplicates = index.candidates(
            for: signature, threshold: rules.duplicateThreshold, limit: max(0, rules.maxDuplicateCandidates)
        ).map(\.number)
        index.insert(number: number, signature: signature)
        return line
    }

    /// `parser` for text naming `Sources/Parser/...`: the first module path mentioned in the
    /// texts (title, then body) taken as one; nil when the first `Sources/` names none.
    static func sourcesModule(in texts: [Substring]) -> String? {
        for text in texts {
            // A search of the UTF-8 bytes: Foundation's `range(of:)` converted the whole body.
            guard let end = sourcesPrefixEnd(in: text) else { continue }
            let name = text[end...].prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
            return name.isEmpty ? nil : name.lowercased()
        }
        return nil
    }

    private static let sourcesPrefix = Array("Sources/".utf8)

    /// Where the first `Sources/` in `text` ends.
    private static func sourcesPrefixEnd(in text: Substring) -> String.Index? {
        let offset = text.utf8.withContiguousStorageIfAvailable { bytes in
            sourcesPrefix.withUnsafeBytes { needle in
                TextScan.find(needle, in: UnsafeRawBufferPointer(bytes)).map { $0 + needle.count }
            }
        }
        guard let offset else { return text.utf8.firstRange(of: sourcesPrefix)?.upperBound }
        return offset.map { text.utf8.index(text.utf8.startIndex, offsetBy: $0) }
    }

    /// The first `bytes` bytes of `text` (a character cut in two becomes U+FFFD). Counted in
    /// bytes, not `Character`s: finding the 8,192th character walked a long body's grapheme
    /// clusters on every issue.
    static func head(_ text: String, bytes: Int) -> String {
        text.utf8.count > bytes ? String(decoding: text.utf8.prefix(bytes), as: UTF8.self) : text
    }
}
