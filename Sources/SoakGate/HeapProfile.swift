/// A jemalloc heap profile (`heap_v2`, as `prof.dump` writes it): live objects and bytes per
/// allocation stack, and the process's mappings for symbolising the stacks.
struct HeapProfile {
    struct Mapping: Equatable {
        var start: UInt64
        var end: UInt64
        var offset: UInt64
        var path: String
    }

    /// Per stack (return addresses, innermost first): live objects and bytes.
    var stacks: [[UInt64]: (objects: Int, bytes: Int)]
    var mappings: [Mapping]

    struct FormatError: Error, CustomStringConvertible {
        var description: String
    }

    /// Parses the text of a profile.
    static func parse(_ text: String) throws -> HeapProfile {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
        guard let header = lines.first, header.hasPrefix("heap_v2/") else {
            throw FormatError(description: "not a jemalloc heap_v2 profile")
        }
        var stacks: [[UInt64]: (objects: Int, bytes: Int)] = [:]
        var mappings: [Mapping] = []
        var current: [UInt64]?
        var inMappings = false
        while let line = lines.popFirst() {
            if inMappings {
                if let mapping = parseMapping(line) { mappings.append(mapping) }
            } else if line.hasPrefix("MAPPED_LIBRARIES:") {
                inMappings = true
            } else if line.hasPrefix("@ ") {
                current = line.dropFirst(2).split(separator: " ").compactMap { UInt64($0.dropFirst(2), radix: 16) }
            } else if let stack = current, line.hasPrefix("  t*: ") {
                // "  t*: OBJECTS: BYTES [0: 0]"
                let fields = line.dropFirst(6).split(separator: ":").map { $0.trimmingCharacters(in: " ") }
                guard fields.count >= 2, let objects = Int(fields[0]),
                    let bytes = Int(fields[1].split(separator: " ").first ?? "")
                else { throw FormatError(description: "unreadable count line '\(line)'") }
                let previous = stacks[stack] ?? (0, 0)
                stacks[stack] = (previous.objects + objects, previous.bytes + bytes)
                current = nil
            }
        }
        return HeapProfile(stacks: stacks, mappings: mappings)
    }

    private static func parseMapping(_ line: Substring) -> Mapping? {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 6 else { return nil }
        let range = fields[0].split(separator: "-")
        guard range.count == 2, let start = UInt64(range[0], radix: 16), let end = UInt64(range[1], radix: 16),
            let offset = UInt64(fields[2], radix: 16), fields[5].hasPrefix("/")
        else { return nil }
        return Mapping(start: start, end: end, offset: offset, path: fields[5...].joined(separator: " "))
    }

    /// Objects and bytes per stack that `later` holds beyond `self`.
    func growth(to later: HeapProfile) -> [[UInt64]: (objects: Int, bytes: Int)] {
        var delta: [[UInt64]: (objects: Int, bytes: Int)] = [:]
        for (stack, value) in later.stacks {
            let before = stacks[stack] ?? (0, 0)
            if value.bytes - before.bytes > 0 {
                delta[stack] = (value.objects - before.objects, value.bytes - before.bytes)
            }
        }
        return delta
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var result = self
        while result.first == set { result = result.dropFirst() }
        while result.last == set { result = result.dropLast() }
        return String(result)
    }
}
