import SwiftSyntax

#if _endian(big)
#error("the binary graph format is little-endian; BinaryGraphExporter writes the arrays' bytes as they are in memory")
#endif

/// The binary graph format (`--format binary`, files named `*.a2g` by convention): the
/// same nodes and edges as JSON Lines, stored as columns a reader maps straight into typed
/// arrays (`numpy.frombuffer`, Python's `memoryview.cast`, a `Data` in Swift) instead of
/// parsing text.
///
/// All integers are little-endian. The file starts with a 16-byte header, then one block
/// per file in input order:
///
/// ```
/// header   "A2GRAPH\0"  u32 version (1)  u32 0
/// block    u64 blockBytes (this block's length, this field included)
///          u32 pathBytes  u32 flags (bit 0: syntax errors, bit 1: the source is kept)
///          u64 fileBytes  u64 sourceBytes (0 unless bit 1)
///          u32 nodes  u32 edges  u32 kinds  u32 names            (48 bytes so far)
///          path (UTF-8)                                           → padded to 8
///          kindOffsets u32[kinds + 1], kind names (UTF-8)         → padded to 8
///          kind u16[nodes] (index into the kind names)            → padded to 8
///          parent i32[nodes] (-1 for the root)                    → padded to 8
///          startOffset, startLine, startColumn,
///          endOffset, endLine, endColumn: u32[nodes] each         → each padded to 8
///          edgeKind u8[edges] (0 child, 1 next, 2 declares,
///                              3 references, 4 imports)           → padded to 8
///          edgeSource i32[edges], edgeTarget i32[edges]           → each padded to 8
///          nameNode i32[names], nameOffsets u32[names + 1],
///          name bytes (UTF-8)                                     → each padded to 8
///          source (sourceBytes bytes: the file as read)           → padded to 8
/// ```
///
/// Every column starts at a multiple of 8 from the start of the file, so it can be mapped
/// without copying. Node `i`'s id is `path#i`; a token's text is `source[startOffset..<endOffset]`
/// (the source is kept instead of each token's text: it is smaller than the texts together).
/// Kinds are numbered per file in order of first appearance, so each block stands alone
/// (`ast2graph merge` joins blocks of shards as they are). Padding bytes are zero. Equal inputs
/// give equal bytes. A reader: `ci/ast2graph_read.py`.
public final class BinaryGraphExporter: GraphSink {
    private let file: PartialFile

    /// The file's first 16 bytes.
    static let header: [UInt8] = Array("A2GRAPH\0".utf8) + [1, 0, 0, 0] + [0, 0, 0, 0]

    /// Writes to `path` (through `path.partial`); `resumeLengths` continues a checkpoint.
    /// `syncOnCommit: false` skips the `fsync` before the final rename.
    public init(path: String, resumeLengths: [Int]? = nil, syncOnCommit: Bool = true) throws(OutputError) {
        file = try PartialFile(path: path, resumeLength: resumeLengths?.first, syncOnCommit: syncOnCommit)
        if resumeLengths == nil { file.append(Self.header) }
    }

    public func write(_ graph: FileGraph) throws {
        let block = Block(graph)
        let start = file.length
        file.append(unsigned: UInt64(block.bytes), width: 8)
        file.append(unsigned: UInt64(block.path.count), width: 4)
        let flags = (graph.hasSyntaxErrors ? 1 : 0) | (graph.tokenSource == nil ? 0 : 2)
        file.append(unsigned: UInt64(flags), width: 4)
        file.append(unsigned: UInt64(graph.byteCount), width: 8)
        file.append(unsigned: UInt64(graph.tokenSource?.count ?? 0), width: 8)
        for count in [graph.nodeCount, graph.edgeCount, block.kindNames.count, graph.names.count] {
            file.append(unsigned: UInt64(count), width: 4)
        }
        padded(block.path)
        padded(block.kindOffsets)
        padded(raw: block.kindBytes)
        padded(block.kindCodes)
        padded(graph.parents)
        for column in [
            graph.startOffsets, graph.startLines, graph.startColumns, graph.endOffsets, graph.endLines,
            graph.endColumns,
        ] {
            padded(column)
        }
        padded(graph.edgeKinds.map(\.rawValue))
        padded(graph.edgeSources)
        padded(graph.edgeTargets)
        padded(graph.namedNodes)
        padded(block.nameOffsets)
        padded(raw: block.nameBytes)
        if let source = graph.tokenSource { padded(source) }
        assert(file.length - start == block.bytes, "block length \(file.length - start) != \(block.bytes)")
        try file.flushIfFull()
    }

    /// An array's bytes, then zeros up to the next multiple of 8.
    private func padded<Element: BitwiseCopyable>(_ values: [Element]) {
        values.withUnsafeBytes { padded(raw: $0) }
    }

    private func padded(raw bytes: UnsafeRawBufferPointer) {
        file.append(raw: bytes)
        file.append(zeros: Block.padding(bytes.count))
    }

    private func padded(raw bytes: [UInt8]) { bytes.withUnsafeBytes { padded(raw: $0) } }

    /// What a block holds beyond the graph's own arrays, and its length.
    struct Block {
        var path: [UInt8]
        var kindNames: [String] = []
        var kindOffsets: [UInt32] = [0]
        var kindBytes: [UInt8] = []
        var kindCodes: [UInt16]
        var nameOffsets: [UInt32] = [0]
        var nameBytes: [UInt8] = []
        var bytes: Int

        init(_ graph: FileGraph) {
            path = Array(graph.path.utf8)
            var codes: [SyntaxKindKey: UInt16] = [:]
            var names: [String] = []
            kindCodes = graph.kinds.map { kind in
                if let code = codes[kind] { return code }
                let code = UInt16(names.count)
                codes[kind] = code
                names.append(kindName(kind))
                return code
            }
            kindNames = names
            for name in names {
                kindBytes += name.utf8
                kindOffsets.append(UInt32(kindBytes.count))
            }
            var nameBytes: [UInt8] = []
            for var name in graph.names {
                name.withUTF8 { nameBytes += $0 }
                nameOffsets.append(UInt32(nameBytes.count))
            }
            self.nameBytes = nameBytes
            let nodes = graph.nodeCount
            let edges = graph.edgeCount
            var total = 48 + Self.paddedLength(path.count)
            total += Self.paddedLength(4 * kindOffsets.count) + Self.paddedLength(kindBytes.count)
            total += Self.paddedLength(2 * nodes) + 7 * Self.paddedLength(4 * nodes)
            total += Self.paddedLength(edges) + 2 * Self.paddedLength(4 * edges)
            total += Self.paddedLength(4 * graph.namedNodes.count) + Self.paddedLength(4 * nameOffsets.count)
            total += Self.paddedLength(nameBytes.count)
            total += Self.paddedLength(graph.tokenSource?.count ?? 0)
            bytes = total
        }

        static func padding(_ count: Int) -> Int { (8 - count % 8) % 8 }
        static func paddedLength(_ count: Int) -> Int { count + padding(count) }
    }

    /// The output file's write buffer.
    public func droppableBuffers() -> [DroppableBuffer] { [file.droppableBuffer("binary graph output buffer")] }

    public func checkpoint() throws -> [Int] {
        try file.flushForCheckpoint()
        return [file.length]
    }

    /// Removes the partial file; the output at the path is left as it was.
    public func discard() { file.discard() }

    public func finish() throws { try file.commit() }
}
