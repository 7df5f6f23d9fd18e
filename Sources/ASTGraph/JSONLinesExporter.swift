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
    public init(path: String, resumeLengths: [Int]? = nil) throws(OutputError) {
        file = try PartialFile(path: path, resumeLength: resumeLengths?.first)
    }

    public func write(_ graph: FileGraph) throws {
        let path = TextEscaping.json(graph.path)
        try file.write(
            "{\"type\":\"file\",\"path\":\"\(path)\",\"bytes\":\(graph.byteCount),\"nodes\":\(graph.nodeCount),\"edges\":\(graph.edgeCount),\"syntaxErrors\":\(graph.hasSyntaxErrors)}\n")
        var kinds = KindNames()
        var nextName = 0
        for index in 0..<graph.nodeCount {
            var line = "{\"type\":\"node\",\"id\":\"\(path)#\(index)\",\"kind\":\"\(kinds[graph.kinds[index]])\""
            line += ",\"start\":[\(graph.startOffsets[index]),\(graph.startLines[index]),\(graph.startColumns[index])]"
            line += ",\"end\":[\(graph.endOffsets[index]),\(graph.endLines[index]),\(graph.endColumns[index])]"
            if nextName < graph.namedNodes.count, graph.namedNodes[nextName] == index {
                line += ",\"name\":\"\(TextEscaping.json(graph.names[nextName]))\""
                nextName += 1
            }
            if let text = graph.tokenText(index) { line += ",\"text\":\"\(TextEscaping.json(text))\"" }
            line += "}\n"
            try file.write(line)
        }
        for edge in 0..<graph.edgeCount {
            try file.write(
                "{\"type\":\"edge\",\"kind\":\"\(graph.edgeKinds[edge].name)\",\"source\":\"\(path)#\(graph.edgeSources[edge])\",\"target\":\"\(path)#\(graph.edgeTargets[edge])\"}\n")
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

    subscript(kind: SyntaxKindKey) -> String {
        mutating get {
            if let name = cache[kind] { return name }
            let name = kindName(kind)
            cache[kind] = name
            return name
        }
    }
}
