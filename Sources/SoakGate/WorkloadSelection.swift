/// Chooses workloads by name: exact names or glob patterns where `*` matches any run of
/// characters (`planted.*`, `*.leak.*`).
public struct WorkloadSelection: Sendable, Equatable {
    /// The patterns as given, in the order given.
    public let patterns: [String]

    public init(patterns: [String]) {
        self.patterns = patterns
    }

    /// Workloads that some pattern matches, in the order of `all`. Throws naming the first
    /// pattern that matches nothing.
    public func select(from all: [WorkloadDefinition]) throws -> [WorkloadDefinition] {
        for pattern in patterns where !all.contains(where: { Self.matches($0.name, pattern: pattern) }) {
            throw SelectionError.noMatch(pattern: pattern, known: all.map(\.name))
        }
        return all.filter { definition in patterns.contains { Self.matches(definition.name, pattern: $0) } }
    }

    /// Whether `name` matches `pattern`; `*` matches any run of characters, nothing else is
    /// special.
    public static func matches(_ name: String, pattern: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 1 { return name == pattern }
        var rest = Substring(name)
        guard rest.hasPrefix(parts[0]) else { return false }
        rest = rest.dropFirst(parts[0].count)
        for part in parts.dropFirst().dropLast() where !part.isEmpty {
            guard let range = rest.range(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        return rest.hasSuffix(parts[parts.count - 1])
    }

    /// A pattern that matches no workload.
    public enum SelectionError: Error, CustomStringConvertible, Equatable {
        case noMatch(pattern: String, known: [String])

        public var description: String {
            switch self {
            case .noMatch(let pattern, let known):
                let near = known.filter { $0.hasPrefix(pattern.split(separator: ".").first.map(String.init) ?? "") }
                let hint = near.isEmpty ? "" : " (did you mean \(near.prefix(3).joined(separator: ", "))?)"
                return "no workload matches '\(pattern)'\(hint); run 'soakgate list' to see the names"
            }
        }
    }
}

extension Substring {
    fileprivate func range(of needle: String) -> Range<String.Index>? {
        guard !needle.isEmpty else { return startIndex..<startIndex }
        var index = startIndex
        while index < endIndex {
            if self[index...].hasPrefix(needle) {
                return index..<self.index(index, offsetBy: needle.count)
            }
            index = self.index(after: index)
        }
        return nil
    }
}
