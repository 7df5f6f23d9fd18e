/// Splits a CSV line into field ranges of the file's bytes, without copying: commas inside
/// double quotes do not split, and the quotes are left out of the range when a field is
/// quoted whole.
enum FieldSplitter {
    static func split(_ line: UnsafeBufferPointer<UInt8>.SubSequence, into fields: inout [Range<Int>]) {
        fields.removeAll(keepingCapacity: true)
        var start = line.startIndex
        var quoted = false
        var index = line.startIndex
        while index < line.endIndex {
            let byte = line[index]
            if byte == UInt8(ascii: "\"") {
                quoted.toggle()
            } else if byte == UInt8(ascii: ","), !quoted {
                fields.append(trimQuotes(line, start..<index))
                start = index + 1
            }
            index += 1
        }
        fields.append(trimQuotes(line, start..<line.endIndex))
    }

    private static func trimQuotes(_ line: UnsafeBufferPointer<UInt8>.SubSequence, _ range: Range<Int>) -> Range<Int> {
        if range.count >= 2, line[range.lowerBound] == UInt8(ascii: "\""),
            line[range.upperBound - 1] == UInt8(ascii: "\"")
        {
            return (range.lowerBound + 1)..<(range.upperBound - 1)
        }
        return range
    }
}

/// Parses CSV field bytes without making Strings on the common path.
enum FieldParser {
    typealias Bytes = UnsafeBufferPointer<UInt8>.SubSequence

    static func day(_ field: Bytes) -> CivilDay? {
        let trimmed = trim(field)
        guard trimmed.count >= 10 else { return nil }
        guard trimmed.count == 10 else { return CivilDay(iso: Substring(String(decoding: trimmed, as: UTF8.self))) }
        let base = trimmed.startIndex
        guard trimmed[base + 4] == UInt8(ascii: "-"), trimmed[base + 7] == UInt8(ascii: "-"),
            let year = integer(trimmed[base..<(base + 4)]), let month = integer(trimmed[(base + 5)..<(base + 7)]),
            let dom = integer(trimmed[(base + 8)..<(base + 10)]),
            trimmed[base] != UInt8(ascii: "-"), trimmed[base] != UInt8(ascii: "+"),
            trimmed[base + 5] != UInt8(ascii: "-"), trimmed[base + 8] != UInt8(ascii: "-")
        else { return nil }
        return CivilDay(year: year, month: month, day: dom)
    }

    /// A finite number: whole numbers directly from the digits, anything else through Double.
    static func number(_ field: Bytes) -> Double? {
        let trimmed = trim(field)
        guard !trimmed.isEmpty else { return nil }
        if trimmed.count <= 15, let whole = integer(trimmed) { return Double(whole) }
        guard let value = Double(String(decoding: trimmed, as: UTF8.self)), value.isFinite else { return nil }
        return value
    }

    /// An optionally signed whole number of at most 18 digits.
    static func integer(_ field: Bytes) -> Int? {
        let trimmed = trim(field)
        var index = trimmed.startIndex
        var negative = false
        if index < trimmed.endIndex, trimmed[index] == UInt8(ascii: "-") || trimmed[index] == UInt8(ascii: "+") {
            negative = trimmed[index] == UInt8(ascii: "-")
            index += 1
        }
        guard index < trimmed.endIndex, trimmed.endIndex - index <= 18 else { return nil }
        var value = 0
        while index < trimmed.endIndex {
            let digit = Int(trimmed[index]) &- 48
            guard digit >= 0, digit <= 9 else { return nil }
            value = value * 10 + digit
            index += 1
        }
        return negative ? -value : value
    }

    /// A number written out in full that Double cannot hold finitely (`1e400`, `-inf`): a value
    /// out of range, not text that is no number.
    static func isBeyondDouble(_ field: Bytes) -> Bool {
        let trimmed = trim(field)
        guard !trimmed.isEmpty, trimmed.count <= 400 else { return false }
        guard let value = Double(String(decoding: trimmed, as: UTF8.self)) else { return false }
        return value.isInfinite || abs(value) >= 1e18
    }

    /// An empty field or NaN: a missing value, as pandas reads it.
    static func isMissing(_ field: Bytes) -> Bool {
        let text = String(decoding: trim(field), as: UTF8.self)
        return text.isEmpty || text == "NaN" || text == "nan"
    }

    static func trim(_ field: Bytes) -> Bytes {
        var low = field.startIndex
        var high = field.endIndex
        while low < high, field[low] == UInt8(ascii: " ") || field[low] == UInt8(ascii: "\t") { low += 1 }
        while high > low, field[high - 1] == UInt8(ascii: " ") || field[high - 1] == UInt8(ascii: "\t") { high -= 1 }
        return field[low..<high]
    }

    /// FNV-1a over the two key fields with a separator.
    static func hash(_ a: Bytes, _ b: Bytes) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in a { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        hash = (hash ^ 0) &* 0x100_0000_01b3
        for byte in b { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}
