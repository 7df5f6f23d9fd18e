/// GraphML (XML): one `<graph>` holding every file's nodes and edges, node attributes as
/// `<data>` keys declared in the header. Token text that holds control characters XML cannot
/// carry has them replaced by U+FFFD.
public final class GraphMLExporter: GraphSink {
    private let file: PartialFile

    static let header = """
        <?xml version="1.0" encoding="UTF-8"?>
        <graphml xmlns="http://graphml.graphdrawing.org/xmlns">
          <key id="kind" for="node" attr.name="kind" attr.type="string"/>
          <key id="file" for="node" attr.name="file" attr.type="string"/>
          <key id="name" for="node" attr.name="name" attr.type="string"/>
          <key id="text" for="node" attr.name="text" attr.type="string"/>
          <key id="startOffset" for="node" attr.name="startOffset" attr.type="int"/>
          <key id="endOffset" for="node" attr.name="endOffset" attr.type="int"/>
          <key id="startLine" for="node" attr.name="startLine" attr.type="int"/>
          <key id="startColumn" for="node" attr.name="startColumn" attr.type="int"/>
          <key id="endLine" for="node" attr.name="endLine" attr.type="int"/>
          <key id="endColumn" for="node" attr.name="endColumn" attr.type="int"/>
          <key id="edgeKind" for="edge" attr.name="kind" attr.type="string"/>
          <graph id="ast" edgedefault="directed">

        """
    static let footer = "  </graph>\n</graphml>\n"

    /// Writes to `path` (through `path.partial`); `resumeLengths` continues a checkpoint.
    public init(path: String, resumeLengths: [Int]? = nil) throws(OutputError) {
        file = try PartialFile(path: path, resumeLength: resumeLengths?.first)
        if resumeLengths == nil { try file.write(Self.header) }
    }

    public func write(_ graph: FileGraph) throws {
        let path = TextEscaping.xml(graph.path)
        var kinds = KindNames()
        var nextName = 0
        for index in 0..<graph.nodeCount {
            var line =
                "    <node id=\"\(path)#\(index)\"><data key=\"kind\">\(kinds[graph.kinds[index]])</data><data key=\"file\">\(path)</data>"
            if nextName < graph.namedNodes.count, graph.namedNodes[nextName] == index {
                line += "<data key=\"name\">\(TextEscaping.xml(graph.names[nextName]))</data>"
                nextName += 1
            }
            if let text = graph.tokenText(index) { line += "<data key=\"text\">\(TextEscaping.xml(text))</data>" }
            line +=
                "<data key=\"startOffset\">\(graph.startOffsets[index])</data><data key=\"endOffset\">\(graph.endOffsets[index])</data>"
            line +=
                "<data key=\"startLine\">\(graph.startLines[index])</data><data key=\"startColumn\">\(graph.startColumns[index])</data>"
            line +=
                "<data key=\"endLine\">\(graph.endLines[index])</data><data key=\"endColumn\">\(graph.endColumns[index])</data></node>\n"
            try file.write(line)
        }
        for edge in 0..<graph.edgeCount {
            try file.write(
                "    <edge source=\"\(path)#\(graph.edgeSources[edge])\" target=\"\(path)#\(graph.edgeTargets[edge])\"><data key=\"edgeKind\">\(graph.edgeKinds[edge].name)</data></edge>\n"
            )
        }
    }

    /// The output file's write buffer.
    public func droppableBuffers() -> [DroppableBuffer] { [file.droppableBuffer("GraphML output buffer")] }

    public func checkpoint() throws -> [Int] {
        try file.flushForCheckpoint()
        return [file.length]
    }

    /// Removes the partial file; the output at the path is left as it was.
    public func discard() { file.discard() }

    public func finish() throws {
        try file.write(Self.footer)
        try file.commit()
    }
}
