/// `TriageLine`'s JSON, written byte by byte: the bytes `JSONEncoder` with `.sortedKeys` and
/// `.withoutEscapingSlashes` writes, at a small fraction of its cost (the encoder took about as
/// long as the triage itself). Only strings of printable ASCII without `"` or `\` are written
/// here; a line holding any other string returns nil and goes through `JSONEncoder`, so no
/// escaping rule of the encoder has to be copied.
enum TriageLineEncoding {
    /// The line's JSON, or nil when a string in it needs escaping.
    static func encode(_ line: TriageLine) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(160)
        var first = true
        func key(_ name: StaticString) {
            out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            out.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        }
        func string(_ text: String) -> Bool {
            out.append(UInt8(ascii: "\""))
            for byte in text.utf8 {
                guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") else {
                    return false
                }
                out.append(byte)
            }
            out.append(UInt8(ascii: "\""))
            return true
        }
        func number(_ value: Int) { out.append(contentsOf: String(value).utf8) }
        func strings(_ values: [String]) -> Bool {
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                guard string(value) else { return false }
            }
            out.append(UInt8(ascii: "]"))
            return true
        }
        // Keys in sorted order: apply_error, area, commented, duplicates, error, id, kind,
        // labels, labels_added, number, page, priority, run_error, skipped, state.
        if let value = line.applyError {
            key("apply_error")
            guard string(value) else { return nil }
        }
        if let value = line.area {
            key("area")
            guard string(value) else { return nil }
        }
        if let value = line.commented {
            key("commented")
            out.append(contentsOf: (value ? "true" : "false").utf8)
        }
        if let values = line.duplicates {
            key("duplicates")
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                number(value)
            }
            out.append(UInt8(ascii: "]"))
        }
        if let value = line.error {
            key("error")
            guard string(value) else { return nil }
        }
        if let value = line.id {
            key("id")
            number(value)
        }
        if let value = line.kind {
            key("kind")
            guard string(value) else { return nil }
        }
        if let values = line.labels {
            key("labels")
            guard strings(values) else { return nil }
        }
        if let values = line.labelsAdded {
            key("labels_added")
            guard strings(values) else { return nil }
        }
        if let value = line.number {
            key("number")
            number(value)
        }
        if let value = line.page {
            key("page")
            guard string(value) else { return nil }
        }
        if let value = line.priority {
            key("priority")
            number(value)
        }
        if let value = line.runError {
            key("run_error")
            guard string(value) else { return nil }
        }
        if let value = line.skipped {
            key("skipped")
            guard string(value) else { return nil }
        }
        if let value = line.state {
            key("state")
            guard string(value) else { return nil }
        }
        if first { out.append(UInt8(ascii: "{")) }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Whether `haystack` holds `needle`'s bytes (a secret that must not be written).
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let head = needle.first, needle.count <= haystack.count else { return needle.isEmpty }
        var start = 0
        while start <= haystack.count - needle.count {
            if haystack[start] == head && haystack[start..<start + needle.count].elementsEqual(needle) { return true }
            start += 1
        }
        return false
    }
}
