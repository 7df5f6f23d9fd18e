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

    static let nodesHeader = "id:ID,kind,file,name,text,startOffset:int,endOffset:int,startLine:int,startColumn:int,endLine:int,endColumn:int,:LABEL\n"
    static let relationshipsHeader = ":START_ID,:END_ID,:TYPE\n"

    /// Writes into the directory `directory` (created if missing).
    public init(directory: String, resumeLengths: [Int]? = nil) throws(OutputError) {
        if mkdir(directory, 0o755) != 0 && errno != EEXIST {
            throw OutputError(path: directory, message: PartialFile.errnoText())
        }
        let resume = resumeLengths.flatMap { $0.count == 2 ? $0 : nil }
        nodes = try PartialFile(path: directory + "/nodes.csv", resumeLength: resume?[0])
        relationships = try PartialFile(path: directory + "/relationships.csv", resumeLength: resume?[1])
        if resume == nil {
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
                "\(idPrefix)\(index)\",\(kinds[graph.kinds[index]]),\(path),\(name),\(text),\(graph.startOffsets[index]),\(graph.endOffsets[index]),\(graph.startLines[index]),\(graph.startColumns[index]),\(graph.endLines[index]),\(graph.endColumns[index]),Syntax\n")
        }
        for edge in 0..<graph.edgeCount {
            try relationships.write(
                "\(idPrefix)\(graph.edgeSources[edge])\",\(idPrefix)\(graph.edgeTargets[edge])\",\(graph.edgeKinds[edge].name.uppercased())\n")
        }
    }

    public func checkpoint() throws -> [Int] {
        try nodes.flush()
        try relationships.flush()
        return [nodes.length, relationships.length]
    }

    public func finish() throws {
        try nodes.commit()
        try relationships.commit()
    }
}
