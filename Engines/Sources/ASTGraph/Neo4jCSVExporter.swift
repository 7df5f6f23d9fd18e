#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Neo4j bulk-import CSV: a directory with `nodes.csv` (`id:ID`, properties, `:LABEL`) and
/// `relationships.csv` (`:START_ID`, `:END_ID`, `:TYPE`), for
/// `neo4j-admin database import full --nodes=nodes.csv --relationships=relationships.csv
/// --multiline-fields=true` (token text of multi-line string literals holds newlines).
/// Every node has the label `Syntax`; relationship types are the edge kinds in capitals.
public final class Neo4jCSVExporter: GraphSink {
    private let nodes: PartialFile
    private let relationships: PartialFile
    /// The output directory, and whether this run made it (then ``discard()`` removes it).
    private let directory: String
    private let createdDirectory: Bool

    static let nodesHeader =
        "id:ID,kind,file,name,text,startOffset:int,endOffset:int,startLine:int,startColumn:int,endLine:int,endColumn:int,:LABEL\n"
    static let relationshipsHeader = ":START_ID,:END_ID,:TYPE\n"

    /// Writes into the directory `directory` (created if missing). `resumeLengths` continues a
    /// checkpoint and must hold two lengths (nodes, relationships).
    public init(directory: String, resumeLengths: [Int]? = nil) throws(OutputError) {
        guard !directory.isEmpty else { throw OutputError(path: "''", message: "the output directory is empty") }
        if let resumeLengths, resumeLengths.count != 2 {
            throw OutputError(
                path: directory,
                message: "the checkpoint holds \(resumeLengths.count) output lengths, not 2; run without --resume")
        }
        let created = mkdir(directory, 0o755) == 0
        if !created && errno != EEXIST {
            throw OutputError(path: directory, message: PartialFile.errnoText())
        }
        if !created && !PartialFile.isDirectory(directory) {
            throw OutputError(
                path: directory,
                message:
                    "it is not a directory; neo4j-csv writes a directory of CSV files, name a new or existing directory"
            )
        }
        self.directory = directory
        createdDirectory = created
        let nodes: PartialFile
        do throws(OutputError) {
            nodes = try PartialFile(path: directory + "/nodes.csv", resumeLength: resumeLengths?[0])
        } catch {
            if created { rmdir(directory) }
            throw error
        }
        do throws(OutputError) {
            relationships = try PartialFile(path: directory + "/relationships.csv", resumeLength: resumeLengths?[1])
        } catch {
            // A fresh run that cannot open the second file leaves nothing behind.
            if resumeLengths == nil { nodes.discard() }
            if created { rmdir(directory) }
            throw error
        }
        self.nodes = nodes
        if resumeLengths == nil {
            try nodes.write(Self.nodesHeader)
            try relationships.write(Self.relationshipsHeader)
        }
    }

    public func write(_ graph: FileGraph) throws {
        let path = TextEscaping.csv(graph.path)
        let idPrefix = TextEscaping.csv(graph.path + "#").dropLast()
        var kinds = KindNames()
        var nextName = 0
        for index in 0..<graph.nodeCount {
            var name = ""
            if nextName < graph.namedNodes.count, graph.namedNodes[nextName] == index {
                name = TextEscaping.csv(graph.names[nextName])
                nextName += 1
            }
            let text = graph.tokenText(index).map(TextEscaping.csv) ?? ""
            try nodes.write(
                "\(idPrefix)\(index)\",\(kinds[graph.kinds[index]]),\(path),\(name),\(text),\(graph.startOffsets[index]),\(graph.endOffsets[index]),\(graph.startLines[index]),\(graph.startColumns[index]),\(graph.endLines[index]),\(graph.endColumns[index]),Syntax\n"
            )
        }
        for edge in 0..<graph.edgeCount {
            try relationships.write(
                "\(idPrefix)\(graph.edgeSources[edge])\",\(idPrefix)\(graph.edgeTargets[edge])\",\(graph.edgeKinds[edge].name.uppercased())\n"
            )
        }
    }

    /// The two files' write buffers.
    public func droppableBuffers() -> [DroppableBuffer] {
        [nodes.droppableBuffer("Neo4j nodes buffer"), relationships.droppableBuffer("Neo4j relationships buffer")]
    }

    public func checkpoint() throws -> [Int] {
        try nodes.flushForCheckpoint()
        try relationships.flushForCheckpoint()
        return [nodes.length, relationships.length]
    }

    /// Removes both partial files, and the directory when this run made it.
    public func discard() {
        nodes.discard()
        relationships.discard()
        if createdDirectory { rmdir(directory) }
    }

    public func finish() throws {
        try nodes.commit()
        try relationships.commit()
    }
}
