/// Where a batch run puts its graphs, one file at a time in input order.
public protocol GraphSink {
    /// Appends one file's graph.
    func write(_ graph: FileGraph) throws
    /// Makes everything written so far durable enough to resume from, and returns the output
    /// lengths to store in the checkpoint (empty when the sink cannot resume).
    func checkpoint() throws -> [Int]
    /// Completes the output (footers, renames, commit).
    func finish() throws
    /// Drops what was written instead of completing it: the run's result is not kept (no file
    /// gave a graph), so any earlier output stays exactly as it was.
    func discard()
}

extension GraphSink {
    /// Nothing to drop: the default for sinks that keep nothing of their own.
    public func discard() {}
}

/// Escaping shared by the text exports.
enum TextEscaping {
    /// The contents of a JSON string literal.
    static func json(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Text for XML content or an attribute. Control characters XML 1.0 cannot hold (all below
    /// U+0020 except tab, newline, return) become U+FFFD.
    static func xml(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            case "\r": out += "&#13;"
            case _ where scalar.value < 0x20: out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A quoted CSV field (quotes doubled); newlines stay inside the quotes.
    static func csv(_ text: String) -> String {
        "\"" + text.replacingAll("\"", with: "\"\"") + "\""
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var out = ""
        for character in self {
            if character == target { out += replacement } else { out.append(character) }
        }
        return out
    }
}
