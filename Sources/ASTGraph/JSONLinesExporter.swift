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
public final class JSONLinesExporter: GraphSink {
    private let file: PartialFile

    /// Writes to `path` (through `path.partial`); `resumeLengths` continues a checkpoint.
    /// `syncOnCommit: false` skips the `fsync` before the final rename.
    public init(path: String, resumeLengths: [Int]? = nil, syncOnCommit: Bool = true) throws(OutputError) {
        file = try PartialFile(path: path, resumeLength: resumeLengths?.first, syncOnCommit: syncOnCommit)
    }

    // Written byte by byte rather than through String interpolation: a million nodes per run
    // make the export the largest cost after parsing.
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
        file.append(graph.hasSyntaxErrors ? ",\"syntaxErrors\":true}\n" : ",\"syntaxErrors\":false}\n")
        var kinds = KindNames()
        var nextName = 0
        for index in 0..<graph.nodeCount {
            file.append("{\"type\":\"node\",\"id\":\"")
            file.append(path)
            file.append("#")
            file.append(decimal: index)
            file.append("\",\"kind\":\"")
            file.append(kinds.bytes(graph.kinds[index]))
            file.append("\",\"start\":[")
            file.append(decimal: Int(graph.startOffsets[index]))
            file.append(",")
            file.append(decimal: Int(graph.startLines[index]))
            file.append(",")
            file.append(decimal: Int(graph.startColumns[index]))
            file.append("],\"end\":[")
            file.append(decimal: Int(graph.endOffsets[index]))
            file.append(",")
            file.append(decimal: Int(graph.endLines[index]))
            file.append(",")
            file.append(decimal: Int(graph.endColumns[index]))
            file.append("]")
            if nextName < graph.namedNodes.count, graph.namedNodes[nextName] == index {
                file.append(",\"name\":\"")
                file.append(jsonEscaped: graph.names[nextName].utf8)
                file.append("\"")
                nextName += 1
            }
            if let source = graph.tokenSource, graph.kinds[index] == .token {
                file.append(",\"text\":\"")
                file.append(jsonEscaped: source[Int(graph.startOffsets[index])..<Int(graph.endOffsets[index])])
                file.append("\"")
            }
            file.append("}\n")
            try file.flushIfFull()
        }
        for edge in 0..<graph.edgeCount {
            file.append("{\"type\":\"edge\",\"kind\":\"")
            file.append(graph.edgeKinds[edge].nameBytes)
            file.append("\",\"source\":\"")
            file.append(path)
            file.append("#")
            file.append(decimal: Int(graph.edgeSources[edge]))
            file.append("\",\"target\":\"")
            file.append(path)
            file.append("#")
            file.append(decimal: Int(graph.edgeTargets[edge]))
            file.append("\"}\n")
            try file.flushIfFull()
        }
    }

    public func checkpoint() throws -> [Int] {
        try file.flush()
        return [file.length]
    }

    public func finish() throws { try file.commit() }
}

/// Kind names looked up once per kind per file instead of once per node.
struct KindNames {
    private var cache: [SyntaxKindKey: String] = [:]
    private var byteCache: [SyntaxKindKey: [UInt8]] = [:]

    /// The name's UTF-8 bytes.
    mutating func bytes(_ kind: SyntaxKindKey) -> [UInt8] {
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
