import Foundation

/// Joins the outputs of `ast2graph --shard I/N` runs into the bytes one run over all the files
/// writes. Every format holds its files' records in path order (a run sorts its inputs), so
/// the merge takes the per-file blocks of all shards in that order, streaming, one block of
/// each shard in memory at a time:
/// - JSON Lines: a `file` line and the node and edge lines after it;
/// - GraphML: between the header and the footer, the node and edge elements of one file (a
///   token's text may hold line breaks, so an element ends with `</node>` or `</edge>`);
/// - Neo4j CSV: `nodes.csv` and `relationships.csv` each, below the header, the rows of one
///   file (a quoted field may hold line breaks, so a row ends at a line break outside quotes).
public enum ShardOutputMerge {
    /// What a merge joined.
    public struct Summary: Sendable, Equatable {
        /// Files (blocks) joined; for Neo4j CSV, those of nodes.csv.
        public var files: Int
        public var bytes: Int
        public var format: String
    }

    /// Why shard outputs do not join.
    public struct MergeError: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    /// Merges `inputs` (files, or for Neo4j CSV directories) into `output`, of the inputs'
    /// format. Each output file is written as `NAME.partial` and renamed when complete; if the
    /// merge fails, the partial files are removed and an earlier output stays as it was.
    public static func merge(_ inputs: [String], into output: String) throws -> Summary {
        guard !inputs.isEmpty else { throw MergeError(description: "no shard outputs to merge") }
        if let twice = inputs.first(where: { path in inputs.filter { $0 == path }.count > 1 }) {
            throw MergeError(description: "'\(twice)' is given twice; give each shard's output once")
        }
        let directories = inputs.filter(PartialFile.isDirectory)
        if !directories.isEmpty {
            guard directories.count == inputs.count else {
                throw MergeError(
                    description:
                        "'\(directories[0])' is a directory (neo4j-csv) but '\(inputs.first { !PartialFile.isDirectory($0) }!)' is not; merge outputs of one format"
                )
            }
            return try mergeNeo4j(inputs, into: output)
        }
        let readers = try inputs.map { try LineReader(path: $0) }
        let isBinary = try readers.map { try $0.startsWith(BinaryGraphExporter.header) }
        if isBinary.contains(true) {
            guard let other = isBinary.firstIndex(of: false) else {
                let file = try PartialFile(path: output)
                return try write(file, format: "binary") {
                    file.append(BinaryGraphExporter.header)
                    let (blocks, _) = try mergeBlocks(readers.map(BinaryBlocks.init), names: inputs, into: file)
                    return (blocks, file.length)
                }
            }
            let binary = inputs[isBinary.firstIndex(of: true)!]
            throw MergeError(
                description: "'\(binary)' is a binary graph but '\(inputs[other])' is not; merge outputs of one format")
        }
        let isGraphML = try readers.map { try $0.startsWith(GraphMLExporter.header) }
        guard Set(isGraphML).count == 1 else {
            let graphML = inputs[isGraphML.firstIndex(of: true)!]
            let other = inputs[isGraphML.firstIndex(of: false)!]
            throw MergeError(description: "'\(graphML)' is GraphML but '\(other)' is not; merge outputs of one format")
        }
        if isGraphML[0] {
            let sources = try readers.map { try RecordBlocks.graphML($0) }
            let file = try PartialFile(path: output)
            return try write(file, format: "GraphML") {
                try file.write(GraphMLExporter.header)
                let (blocks, _) = try mergeBlocks(sources, names: inputs, into: file)
                try file.write(GraphMLExporter.footer)
                return (blocks, file.length)
            }
        }
        let sources = readers.map(JSONLinesBlocks.init)
        let file = try PartialFile(path: output)
        return try write(file, format: "JSON Lines") { try mergeBlocks(sources, names: inputs, into: file) }
    }

    /// Runs `body`, then commits `file`; discards it if anything throws.
    private static func write(_ file: PartialFile, format: String, _ body: () throws -> (Int, Int)) throws
        -> Summary
    {
        do {
            let (files, bytes) = try body()
            try file.commit()
            return Summary(files: files, bytes: bytes, format: format)
        } catch {
            file.discard()
            throw error
        }
    }

    /// nodes.csv and relationships.csv of every input directory, each merged below its header.
    private static func mergeNeo4j(_ inputs: [String], into output: String) throws -> Summary {
        let created = mkdir(output, 0o755) == 0
        guard created || (errno == EEXIST && PartialFile.isDirectory(output)) else {
            throw MergeError(description: "cannot make the output directory '\(output)': \(PartialFile.errnoText())")
        }
        var files: [PartialFile] = []
        do {
            var summary = Summary(files: 0, bytes: 0, format: "Neo4j CSV")
            for (name, header) in [
                ("nodes.csv", Neo4jCSVExporter.nodesHeader),
                ("relationships.csv", Neo4jCSVExporter.relationshipsHeader),
            ] {
                let sources = try inputs.map { try RecordBlocks.csv(LineReader(path: $0 + "/" + name), header: header) }
                let file = try PartialFile(path: output + "/" + name)
                files.append(file)
                try file.write(header)
                let (blocks, _) = try mergeBlocks(sources, names: inputs.map { $0 + "/" + name }, into: file)
                if name == "nodes.csv" { summary.files = blocks }
                summary.bytes += file.length
            }
            for file in files { try file.commit() }
            return summary
        } catch {
            for file in files { file.discard() }
            if created { rmdir(output) }
            throw error
        }
    }

    /// The blocks of every source in path order into `file`; returns blocks and bytes written.
    static func mergeBlocks(_ sources: [any BlockSource], names: [String], into file: PartialFile) throws -> (Int, Int)
    {
        var heads = try sources.map { try $0.next() }
        if let first = sources.first, let other = sources.firstIndex(where: { $0.layout != first.layout }) {
            throw MergeError(
                description:
                    "'\(names[0])' has the \(first.layout ?? "default") layout but '\(names[other])' the \(sources[other].layout ?? "default"); merge outputs of one format"
            )
        }
        var lastPath: String?
        var blocks = 0
        var bytes = 0
        while true {
            // The least path among the shards' next blocks; a tie is a file in two shards.
            var least: Int?
            for (index, head) in heads.enumerated() {
                guard let head else { continue }
                guard let best = least, let other = heads[best] else {
                    least = index
                    continue
                }
                if head.path == other.path {
                    throw MergeError(
                        description:
                            "\(head.path) is in both '\(names[best])' and '\(names[index])'; merge the outputs of one sharded run"
                    )
                }
                if head.path < other.path { least = index }
            }
            guard let index = least, let block = heads[index] else { break }
            if let lastPath, !(lastPath < block.path) {
                throw MergeError(
                    description:
                        "'\(names[index])' has \(block.path) after \(lastPath): not an ast2graph output in path order"
                )
            }
            file.append(block.bytes)
            try file.flushIfFull()
            blocks += 1
            bytes += block.bytes.count
            lastPath = block.path
            heads[index] = try sources[index].next()
        }
        return (blocks, bytes)
    }
}

/// A shard output's per-file blocks, in the order written.
protocol BlockSource: AnyObject {
    func next() throws -> (path: String, bytes: [UInt8])?
    /// The layout of the blocks read so far (JSON Lines: nil for the default, `lean`).
    var layout: String? { get }
}

extension BlockSource {
    var layout: String? { nil }
}

/// A file read a line (with its line break) at a time, a MiB at a time.
final class LineReader {
    let path: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var ended = false
    private(set) var lineNumber = 0

    init(path: String) throws {
        self.path = path
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw ShardOutputMerge.MergeError(
                description: "'\(path)' cannot be read: \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw ShardOutputMerge.MergeError(
                description: "'\(path)' is not a regular file; give the output each shard wrote")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ShardOutputMerge.MergeError(description: "'\(path)' cannot be read")
        }
        self.handle = handle
    }

    deinit { try? handle.close() }

    /// Whether the file starts with `prefix`; if so, the prefix is consumed.
    func startsWith(_ prefix: String) throws -> Bool { try startsWith(Array(prefix.utf8)) }

    /// Whether the file starts with `bytes`; if so, they are consumed.
    func startsWith(_ bytes: [UInt8]) throws -> Bool {
        while buffer.count - position < bytes.count, !ended { try fill() }
        guard buffer[position...].starts(with: bytes) else { return false }
        position += bytes.count
        lineNumber += bytes.filter { $0 == 0x0A }.count
        return true
    }

    /// The next `count` bytes; nil at the end of the file; an end inside them is refused (a
    /// cut file).
    func bytes(_ count: Int) throws -> [UInt8]? {
        while buffer.count - position < count, !ended { try fill() }
        if buffer.count == position && ended { return nil }
        guard buffer.count - position >= count else {
            throw ShardOutputMerge.MergeError(
                description: "'\(path)' ends inside a block: the file is cut short (was its run interrupted?)")
        }
        defer { position += count }
        return Array(buffer[position..<position + count])
    }

    /// The next line with its line break; nil at the end; a last line without one is refused
    /// (a cut file).
    func line() throws -> [UInt8]? {
        while true {
            if let end = buffer[position...].firstIndex(of: 0x0A) {
                let line = Array(buffer[position...end])
                position = end + 1
                lineNumber += 1
                return line
            }
            if ended {
                guard position == buffer.count else {
                    throw ShardOutputMerge.MergeError(
                        description: "'\(path)' ends inside a line: the file is cut short (was its run interrupted?)")
                }
                return nil
            }
            try fill()
        }
    }

    private func fill() throws {
        buffer.removeFirst(position)
        position = 0
        let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
        if chunk.isEmpty { ended = true } else { buffer += chunk }
    }
}

/// JSON Lines: a block is a `file` line and the lines up to the next one.
final class JSONLinesBlocks: BlockSource {
    private let reader: LineReader
    private var pending: [UInt8]?
    static let filePrefix = Array(#"{"type":"file","path":""#.utf8)

    private(set) var layout: String?
    private var blocks = 0

    init(_ reader: LineReader) { self.reader = reader }

    func next() throws -> (path: String, bytes: [UInt8])? {
        guard let first = try pending ?? reader.line() else { return nil }
        pending = nil
        struct FileLine: Decodable {
            var path: String
            var layout: String?
        }
        guard first.starts(with: Self.filePrefix),
            let fileLine = try? JSONDecoder().decode(FileLine.self, from: Data(first))
        else {
            throw ShardOutputMerge.MergeError(
                description:
                    "'\(reader.path)' line \(reader.lineNumber) is not a file line; give the JSON Lines output of ast2graph --shard"
            )
        }
        let path = fileLine.path
        if blocks > 0, fileLine.layout != layout {
            throw ShardOutputMerge.MergeError(
                description:
                    "'\(reader.path)' line \(reader.lineNumber) changes layout; give one ast2graph output per shard")
        }
        layout = fileLine.layout
        blocks += 1
        var bytes = first
        while let line = try reader.line() {
            if line.starts(with: Self.filePrefix) {
                pending = line
                break
            }
            bytes += line
        }
        return (path, bytes)
    }
}

/// The binary format below its header (consumed already): blocks that say their own length,
/// with the file's path at byte 48 (see ``BinaryGraphExporter``).
final class BinaryBlocks: BlockSource {
    private let reader: LineReader

    init(_ reader: LineReader) { self.reader = reader }

    func next() throws -> (path: String, bytes: [UInt8])? {
        guard let head = try reader.bytes(48) else { return nil }
        func number(_ at: Int, _ width: Int) -> Int {
            (0..<width).reduce(0) { $0 | Int(head[at + $1]) << (8 * $1) }
        }
        let length = number(0, 8)
        let pathBytes = number(8, 4)
        // A length no block can have (or one past what Int holds) is a damaged or foreign file.
        guard length >= 48 + pathBytes, length < 1 << 40, length % 8 == 0 else {
            throw ShardOutputMerge.MergeError(
                description:
                    "'\(reader.path)' has a block that says it is \(length) bytes long; not an ast2graph binary output"
            )
        }
        guard let rest = try reader.bytes(length - 48) else {
            throw ShardOutputMerge.MergeError(
                description: "'\(reader.path)' ends inside a block: the file is cut short (was its run interrupted?)")
        }
        guard let path = String(validating: rest[0..<pathBytes], as: UTF8.self) else {
            throw ShardOutputMerge.MergeError(description: "'\(reader.path)' has a block whose path is not UTF-8")
        }
        return (path, head + rest)
    }
}

/// GraphML and Neo4j CSV: records (one or more lines each), grouped by the file each names.
final class RecordBlocks: BlockSource {
    private let reader: LineReader
    /// The next record, and the file path it belongs to; nil at the end.
    private let record: (LineReader) throws -> (path: String, bytes: [UInt8])?
    private var pending: (path: String, bytes: [UInt8])?
    /// Whether the last record has been read (after a GraphML footer nothing more is read).
    private var ended = false

    private init(_ reader: LineReader, record: @escaping (LineReader) throws -> (path: String, bytes: [UInt8])?) {
        self.reader = reader
        self.record = record
    }

    private func nextRecord() throws -> (path: String, bytes: [UInt8])? {
        guard !ended else { return nil }
        guard let found = try record(reader) else {
            ended = true
            return nil
        }
        return found
    }

    func next() throws -> (path: String, bytes: [UInt8])? {
        guard let first = try pending ?? nextRecord() else { return nil }
        pending = nil
        var bytes = first.bytes
        while let following = try nextRecord() {
            guard following.path == first.path else {
                pending = following
                break
            }
            bytes += following.bytes
        }
        return (first.path, bytes)
    }

    /// GraphML below its header (consumed already): node and edge elements up to the footer.
    static func graphML(_ reader: LineReader) throws -> RecordBlocks {
        let footer = Array(GraphMLExporter.footer.utf8)
        let node = Array(#"    <node id=""#.utf8)
        let edge = Array(#"    <edge source=""#.utf8)
        return RecordBlocks(reader) { reader in
            guard var line = try reader.line() else {
                throw ShardOutputMerge.MergeError(
                    description: "'\(reader.path)' has no GraphML footer: it is cut short")
            }
            if footer.starts(with: line) {
                // The footer's two lines, then the end of the file.
                guard try reader.line() == Array(footer[line.count...]), try reader.line() == nil else {
                    throw ShardOutputMerge.MergeError(
                        description: "'\(reader.path)' has more after the GraphML footer: not an ast2graph output")
                }
                return nil
            }
            let start = line.starts(with: node) ? node.count : line.starts(with: edge) ? edge.count : nil
            guard let start, let quote = line[start...].firstIndex(of: UInt8(ascii: "\"")),
                let path = filePath(xml: line[start..<quote])
            else {
                throw ShardOutputMerge.MergeError(
                    description: "'\(reader.path)' line \(reader.lineNumber) is not an ast2graph node or edge element")
            }
            // A token's text may hold line breaks: a node ends with `</node>`.
            while !line.reversed().starts(with: Array("</node>\n".utf8).reversed()),
                !line.reversed().starts(with: Array("</edge>\n".utf8).reversed())
            {
                guard let more = try reader.line() else {
                    throw ShardOutputMerge.MergeError(description: "'\(reader.path)' ends inside an element")
                }
                line += more
            }
            return (path, line)
        }
    }

    /// A Neo4j CSV file below `header`: rows, each ending at a line break outside quotes.
    static func csv(_ reader: LineReader, header: String) throws -> RecordBlocks {
        guard try reader.startsWith(header) else {
            throw ShardOutputMerge.MergeError(
                description: "'\(reader.path)' does not start with ast2graph's Neo4j CSV header")
        }
        return RecordBlocks(reader) { reader in
            guard var row = try reader.line() else { return nil }
            while row.filter({ $0 == UInt8(ascii: "\"") }).count % 2 == 1 {
                guard let more = try reader.line() else {
                    throw ShardOutputMerge.MergeError(description: "'\(reader.path)' ends inside a quoted field")
                }
                row += more
            }
            // The first field: a quoted id `"<path>#<index>"`, quotes doubled inside.
            guard row.first == UInt8(ascii: "\""), let path = csvFirstFieldPath(row) else {
                throw ShardOutputMerge.MergeError(
                    description: "'\(reader.path)' line \(reader.lineNumber) does not start with a node id")
            }
            return (path, row)
        }
    }

    /// The file path of a node id `<path>#<index>` written XML-escaped.
    static func filePath(xml: ArraySlice<UInt8>) -> String? {
        var text = String(decoding: xml, as: UTF8.self)
        for (escaped, plain) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&apos;", "'"), ("&#13;", "\r")] {
            text = text.replacingOccurrences(of: escaped, with: plain)
        }
        text = text.replacingOccurrences(of: "&amp;", with: "&")
        guard let hash = text.lastIndex(of: "#") else { return nil }
        return String(text[..<hash])
    }

    /// The file path of the row's first field, a quoted node id.
    static func csvFirstFieldPath(_ row: [UInt8]) -> String? {
        var value: [UInt8] = []
        var index = 1
        while index < row.count {
            if row[index] == UInt8(ascii: "\"") {
                if index + 1 < row.count, row[index + 1] == UInt8(ascii: "\"") {
                    value.append(UInt8(ascii: "\""))
                    index += 2
                    continue
                }
                break
            }
            value.append(row[index])
            index += 1
        }
        let text = String(decoding: value, as: UTF8.self)
        guard let hash = text.lastIndex(of: "#") else { return nil }
        return String(text[..<hash])
    }
}
