import SwiftSyntax

typealias SyntaxKindKey = SyntaxKind

/// JSON Lines: one JSON object per line, per file, then per node, then per edge.
///
/// ```
/// {"type":"file","path":"Sources/A.swift","bytes":120,"nodes":57,"edges":60,"syntaxErrors":false}
/// {"type":"node","id":"Sources/A.swift#0","kind":"sourceFile","start":[0,1,1],"end":[119,9,2]}
/// {"type":"node","id":"Sources/A.swift#3","kind":"structDecl","start":[0,1,1],"end":[40,3,2],"name":"A"}
/// {"type":"node","id":"Sources/A.swift#5","kind":"token","start":[7,1,8],"end":[8,1,9],"text":"A"}
/// {"type":"edge","kind":"child","source":"Sources/A.swift#0","target":"Sources/A.swift#1"}
/// ```
///
/// `start` and `end` are `[byteOffset, line, column]` (lines and byte columns from 1; `end`
/// is just past the node). `name` appears on declarations, `text` on tokens when token text
/// is kept. Keys always come in this order; no timestamps, so equal inputs give equal bytes.
///
/// The lean layout (``Layout/lean``, `--format jsonl-lean`) holds the same information in
/// about a tenth of the bytes: the file line gains `"layout":"lean"`, and node and edge lines
/// become arrays with nothing a reader can derive:
///
/// ```
/// {"type":"file","path":"Sources/A.swift","bytes":120,"nodes":57,"edges":60,"syntaxErrors":false,"layout":"lean"}
/// ["sourceFile",0,1,1,119,9,2]
/// ["structDecl",0,1,1,40,3,2,"A"]
/// ["token",7,1,8,8,1,9,"A"]
/// [0,0,1]
/// ```
///
/// A node line is `[kind, startOffset, startLine, startColumn, endOffset, endLine, endColumn]`,
/// with the name of a declaration or the text of a token as an eighth element; the `k`-th node
/// line after a file line is node `k` (id `path#k`). An edge line is `[kind, source, target]`
/// with the kind as a number (0 child, 1 next, 2 declares, 3 references, 4 imports) and nodes
/// by index. The file line's `nodes` and `edges` say how many lines of each follow.
public final class JSONLinesExporter: GraphSink {
    /// Keys and ids in every line, or arrays with nothing derivable.
    public enum Layout: Sendable { case full, lean }

    private let file: PartialFile
    private let layout: Layout

    /// Writes to `path` (through `path.partial`); `resumeLengths` continues a checkpoint.
    /// `syncOnCommit: false` skips the `fsync` before the final rename.
    public init(path: String, layout: Layout = .full, resumeLengths: [Int]? = nil, syncOnCommit: Bool = true)
        throws(OutputError)
    {
        file = try PartialFile(path: path, resumeLength: resumeLengths?.first, syncOnCommit: syncOnCommit)
        self.layout = layout
    }

    // Written byte by byte rather than through String interpolation: a million nodes per run
    // make the export the largest cost after parsing. Lines are formatted straight into chunks
    // of about ``chunkBytes`` (each record's worst-case length is reserved before it is
    // written), and each chunk is handed to the file in one append.
    public func write(_ graph: FileGraph) throws {
        let path = Array(TextEscaping.json(graph.path).utf8)
        file.append("{\"type\":\"file\",\"path\":\"")
        file.append(path)
        file.append("\",\"bytes\":")
        file.append(decimal: graph.byteCount)
        file.append(",\"nodes\":")
        file.append(decimal: graph.nodeCount)
        file.append(",\"edges\":")
        file.append(decimal: graph.edgeCount)
        file.append(graph.hasSyntaxErrors ? ",\"syntaxErrors\":true" : ",\"syntaxErrors\":false")
        file.append(layout == .lean ? ",\"layout\":\"lean\"}\n" : "}\n")
        try file.flushIfFull()
        try path.withUnsafeBufferPointer { path in
            let emptySource: [UInt8] = []
            try (graph.tokenSource ?? emptySource).withUnsafeBufferPointer { source in
                try writeNodes(graph, path: path, source: graph.tokenSource == nil ? nil : source)
            }
            try writeEdges(graph, path: path)
        }
    }

    /// Bytes per chunk handed to the file (a longer record gets a chunk of its own size).
    private static let chunkBytes = 1 << 16
    /// An upper bound on a node line's bytes other than path, kind, name and text.
    private static let nodeLineFixedBytes = 256
    /// An upper bound on an edge line's bytes other than the two paths.
    private static let edgeLineFixedBytes = 256

    private func writeNodes(_ graph: FileGraph, path: UnsafeBufferPointer<UInt8>, source: UnsafeBufferPointer<UInt8>?)
        throws
    {
        var kinds = KindNames()
        let lean = layout == .lean
        var nextName = 0
        var index = 0
        let nodeCount = graph.nodeCount
        while index < nodeCount {
            /// The most bytes node `index`'s line can take (escaping writes at most 6 per byte).
            func bound(_ index: Int, kind: [UInt8]) -> Int {
                var bytes = Self.nodeLineFixedBytes + path.count + kind.count
                if nextName < graph.namedNodes.count, graph.namedNodes[nextName] == index {
                    bytes += 6 * graph.names[nextName].utf8.count
                }
                if source != nil, graph.kinds[index] == .token {
                    bytes += 6 * Int(graph.endOffsets[index] &- graph.startOffsets[index])
                }
                return bytes
            }
            let capacity = Swift.max(Self.chunkBytes, bound(index, kind: kinds.bytes(graph.kinds[index])))
            let chunk = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                var out = ByteCursor(buffer.baseAddress!)
                let limit = buffer.baseAddress! + capacity
                while index < nodeCount {
                    let kind = graph.kinds[index]
                    let kindBytes = kinds.bytes(kind)
                    if limit - out.pointer < bound(index, kind: kindBytes) { break }
                    if lean {
                        out.put("[\"")
                        out.put(kindBytes)
                        out.put("\",")
                        out.put(triple: graph.startOffsets[index], graph.startLines[index], graph.startColumns[index])
                        out.put(",")
                        out.put(triple: graph.endOffsets[index], graph.endLines[index], graph.endColumns[index])
                    } else {
                        out.put("{\"type\":\"node\",\"id\":\"")
                        out.put(path)
                        out.put("#")
                        out.put(decimal: UInt(index))
                        out.put("\",\"kind\":\"")
                        out.put(kindBytes)
                        out.put("\",\"start\":")
                        out.put(position: graph.startOffsets[index], graph.startLines[index], graph.startColumns[index])
                        out.put(",\"end\":")
                        out.put(position: graph.endOffsets[index], graph.endLines[index], graph.endColumns[index])
                    }
                    if nextName < graph.namedNodes.count, graph.namedNodes[nextName] == index {
                        out.put(lean ? ",\"" : ",\"name\":\"")
                        var name = graph.names[nextName]
                        name.withUTF8 { out.put(jsonEscaped: $0) }
                        out.put("\"")
                        nextName += 1
                    }
                    if let source, kind == .token {
                        out.put(lean ? ",\"" : ",\"text\":\"")
                        let start = Int(graph.startOffsets[index])
                        out.put(
                            jsonEscaped: UnsafeBufferPointer(rebasing: source[start..<Int(graph.endOffsets[index])]))
                        out.put("\"")
                    }
                    out.put(lean ? "]\n" : "}\n")
                    index += 1
                }
                count = out.pointer - buffer.baseAddress!
            }
            file.append(chunk)
            try file.flushIfFull()
        }
    }

    private func writeEdges(_ graph: FileGraph, path: UnsafeBufferPointer<UInt8>) throws {
        let bound = Self.edgeLineFixedBytes + 2 * path.count
        let capacity = Swift.max(Self.chunkBytes, bound)
        let names = EdgeKind.allCases.map(\.nameBytes)
        let lean = layout == .lean
        var edge = 0
        let edgeCount = graph.edgeCount
        while edge < edgeCount {
            let chunk = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                var out = ByteCursor(buffer.baseAddress!)
                let last = buffer.baseAddress! + (capacity - bound)
                while edge < edgeCount && out.pointer <= last && lean {
                    out.put("[")
                    out.put(decimal: UInt(graph.edgeKinds[edge].rawValue))
                    out.put(",")
                    out.put(decimal: UInt(graph.edgeSources[edge]))
                    out.put(",")
                    out.put(decimal: UInt(graph.edgeTargets[edge]))
                    out.put("]\n")
                    edge += 1
                }
                while edge < edgeCount && out.pointer <= last && !lean {
                    out.put("{\"type\":\"edge\",\"kind\":\"")
                    out.put(names[Int(graph.edgeKinds[edge].rawValue)])
                    out.put("\",\"source\":\"")
                    out.put(path)
                    out.put("#")
                    out.put(decimal: UInt(graph.edgeSources[edge]))
                    out.put("\",\"target\":\"")
                    out.put(path)
                    out.put("#")
                    out.put(decimal: UInt(graph.edgeTargets[edge]))
                    out.put("\"}\n")
                    edge += 1
                }
                count = out.pointer - buffer.baseAddress!
            }
            file.append(chunk)
            try file.flushIfFull()
        }
    }

    /// The output file's write buffer.
    public func droppableBuffers() -> [DroppableBuffer] { [file.droppableBuffer("JSON Lines output buffer")] }

    public func checkpoint() throws -> [Int] {
        try file.flushForCheckpoint()
        return [file.length]
    }

    /// Removes the partial file; the output at the path is left as it was.
    public func discard() { file.discard() }

    public func finish() throws { try file.commit() }
}

/// Kind names looked up once per kind per file instead of once per node.
struct KindNames {
    private var cache: [SyntaxKindKey: String] = [:]
    private var byteCache: [SyntaxKindKey: [UInt8]] = [:]
    private static let tokenBytes = Array(kindName(.token).utf8)

    /// The name's UTF-8 bytes.
    mutating func bytes(_ kind: SyntaxKindKey) -> [UInt8] {
        // About half of all nodes are tokens: spare them the dictionary's hashing.
        if kind == .token { return Self.tokenBytes }
        if let bytes = byteCache[kind] { return bytes }
        let bytes = Array(kindName(kind).utf8)
        byteCache[kind] = bytes
        return bytes
    }

    subscript(kind: SyntaxKindKey) -> String {
        mutating get {
            if let name = cache[kind] { return name }
            let name = kindName(kind)
            cache[kind] = name
            return name
        }
    }
}

/// Writes bytes at a pointer and moves past them; the caller has made sure there is room.
struct ByteCursor {
    var pointer: UnsafeMutablePointer<UInt8>

    init(_ pointer: UnsafeMutablePointer<UInt8>) { self.pointer = pointer }

    mutating func put(_ text: StaticString) {
        let count = text.utf8CodeUnitCount
        pointer.initialize(from: text.utf8Start, count: count)
        pointer += count
    }

    mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        pointer.initialize(from: base, count: bytes.count)
        pointer += bytes.count
    }

    mutating func put(_ bytes: [UInt8]) { bytes.withUnsafeBufferPointer { put($0) } }

    /// `[offset,line,column]`.
    mutating func put(position offset: UInt32, _ line: UInt32, _ column: UInt32) {
        put("[")
        put(triple: offset, line, column)
        put("]")
    }

    /// `offset,line,column`.
    mutating func put(triple offset: UInt32, _ line: UInt32, _ column: UInt32) {
        put(decimal: UInt(offset))
        put(",")
        put(decimal: UInt(line))
        put(",")
        put(decimal: UInt(column))
    }

    /// The decimal digits of `value`.
    mutating func put(decimal value: UInt) {
        if value < 10 {
            pointer.initialize(to: UInt8(ascii: "0") + UInt8(value))
            pointer += 1
            return
        }
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        rest = value
        var at = pointer + digits
        repeat {
            at -= 1
            at.initialize(to: UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10))
            rest /= 10
        } while rest > 0
        pointer += digits
    }

    /// `bytes` as the inside of a JSON string, with the same escapes as `TextEscaping.json`;
    /// at most 6 bytes out per byte in.
    mutating func put(jsonEscaped bytes: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        for (offset, byte) in bytes.enumerated()
        where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            put(UnsafeBufferPointer(rebasing: bytes[runStart..<offset]))
            runStart = offset + 1
            switch byte {
            case UInt8(ascii: "\""): put("\\\"")
            case UInt8(ascii: "\\"): put("\\\\")
            case UInt8(ascii: "\n"): put("\\n")
            case UInt8(ascii: "\r"): put("\\r")
            case UInt8(ascii: "\t"): put("\\t")
            default:
                put("\\u00")
                pointer[0] = Self.hexDigits[Int(byte >> 4)]
                pointer[1] = Self.hexDigits[Int(byte & 0xF)]
                pointer += 2
            }
        }
        put(UnsafeBufferPointer(rebasing: bytes[runStart...]))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
