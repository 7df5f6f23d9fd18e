import Foundation

/// Joins the JSON Lines outputs of `ast2graph --shard I/N` runs into the bytes one run over
/// all the files writes: each output is a run of file blocks (a `file` line, then its nodes and
/// edges) in path order, so the merge takes the blocks of all shards in that order, streaming,
/// one block of each shard in memory at a time.
public enum JSONLinesMerge {
    /// What a merge joined.
    public struct Summary: Sendable, Equatable {
        public var files: Int
        public var bytes: Int
    }

    /// Why shard outputs do not join.
    public struct MergeError: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    /// Merges `inputs` into `output` (written as `output.partial`, renamed when complete;
    /// removed if the merge fails, so an earlier output stays as it was).
    public static func merge(_ inputs: [String], into output: String) throws -> Summary {
        guard !inputs.isEmpty else { throw MergeError(description: "no shard outputs to merge") }
        if let twice = inputs.first(where: { path in inputs.filter { $0 == path }.count > 1 }) {
            throw MergeError(description: "'\(twice)' is given twice; give each shard's output once")
        }
        let readers = try inputs.map { try BlockReader(path: $0) }
        let file = try PartialFile(path: output)
        var summary = Summary(files: 0, bytes: 0)
        do {
            var heads = try readers.map { try $0.next() }
            var lastPath: String?
            while true {
                // The least path among the shards' next blocks; a tie is a file in two shards.
                var least: Int?
                for (index, head) in heads.enumerated() {
                    guard let head else { continue }
                    if let best = least, let other = heads[best] {
                        if head.path == other.path {
                            throw MergeError(
                                description:
                                    "\(head.path) is in both '\(inputs[best])' and '\(inputs[index])'; merge the outputs of one sharded run"
                            )
                        }
                        if head.path < other.path { least = index }
                    } else {
                        least = index
                    }
                }
                guard let index = least, let block = heads[index] else { break }
                if let lastPath, !(lastPath < block.path) {
                    throw MergeError(
                        description:
                            "'\(inputs[index])' has \(block.path) after \(lastPath): not an ast2graph JSON Lines output in path order"
                    )
                }
                file.append(block.bytes)
                try file.flushIfFull()
                summary.files += 1
                summary.bytes += block.bytes.count
                lastPath = block.path
                heads[index] = try readers[index].next()
            }
            try file.commit()
        } catch {
            file.discard()
            throw error
        }
        return summary
    }

    /// One shard's output, read a file block at a time.
    final class BlockReader {
        let path: String
        private let handle: FileHandle
        private var buffer: [UInt8] = []
        private var position = 0
        private var ended = false
        private var pendingLine: [UInt8]?
        private var lineNumber = 0

        init(path: String) throws {
            self.path = path
            var status = stat()
            guard stat(path, &status) == 0 else {
                throw MergeError(description: "'\(path)' cannot be read: \(String(cString: strerror(errno)))")
            }
            guard status.st_mode & S_IFMT == S_IFREG else {
                throw MergeError(description: "'\(path)' is not a regular file; give the .jsonl each shard wrote")
            }
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw MergeError(description: "'\(path)' cannot be read")
            }
            self.handle = handle
        }

        deinit { try? handle.close() }

        static let filePrefix = Array(#"{"type":"file","path":""#.utf8)

        /// The next file block, with its path; nil at the end.
        func next() throws -> (path: String, bytes: [UInt8])? {
            guard let first = try pendingLine ?? line() else { return nil }
            pendingLine = nil
            guard first.starts(with: Self.filePrefix), let path = Self.filePath(first) else {
                throw MergeError(
                    description:
                        "'\(path)' line \(lineNumber) is not a file line; give the JSON Lines output of ast2graph --shard"
                )
            }
            var bytes = first
            while let line = try line() {
                if line.starts(with: Self.filePrefix) {
                    pendingLine = line
                    break
                }
                bytes += line
            }
            return (path, bytes)
        }

        /// The file line's `path`, as JSON decodes it.
        static func filePath(_ line: [UInt8]) -> String? {
            struct FileLine: Decodable { var path: String }
            return (try? JSONDecoder().decode(FileLine.self, from: Data(line)))?.path
        }

        /// The next line with its newline; a last line without one is refused (a cut file).
        private func line() throws -> [UInt8]? {
            while true {
                if let end = buffer[position...].firstIndex(of: 0x0A) {
                    let line = Array(buffer[position...end])
                    position = end + 1
                    lineNumber += 1
                    return line
                }
                if ended {
                    guard position == buffer.count else {
                        throw MergeError(
                            description:
                                "'\(path)' ends inside a line: the file is cut short (was its run interrupted?)")
                    }
                    return nil
                }
                buffer.removeFirst(position)
                position = 0
                let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
                if chunk.isEmpty { ended = true } else { buffer += chunk }
            }
        }
    }
}
