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
    /// Buffers the sink holds that can be given back under memory pressure; a run registers
    /// them with its memory governor, which drops them when pressure reaches `throttle`.
    func droppableBuffers() -> [DroppableBuffer]
}

extension GraphSink {
    /// Nothing to drop: the default for sinks that keep nothing of their own.
    public func discard() {}
    /// None: the default for sinks that hold no buffer of their own.
    public func droppableBuffers() -> [DroppableBuffer] { [] }
}

/// A sink that keeps its checkpoint itself, made durable in one step with the graphs of each
/// batch (PostgreSQL: the batch's rows and the checkpoint row in one transaction), so that what
/// is kept and what the checkpoint says can never disagree. A ``BatchProcessor`` hands such a
/// sink its checkpoint at every batch boundary instead of writing a checkpoint file.
public protocol CheckpointingSink: GraphSink {
    /// Makes every graph written since the last call durable together with `checkpoint`.
    func commitBatch(_ checkpoint: Checkpoint) throws
}

/// A buffer a sink can give back under memory pressure.
public struct DroppableBuffer: Sendable {
    /// What it is, for the governor's report (`JSON Lines output buffer`).
    public var name: String
    /// Releases the buffer's spare memory without losing data not yet written; returns about
    /// how many bytes it freed. Safe to call from any thread.
    public var drop: @Sendable () -> Int

    public init(name: String, drop: @escaping @Sendable () -> Int) {
        self.name = name
        self.drop = drop
    }
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
