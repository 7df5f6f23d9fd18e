import Foundation
import SoakGateBasics

/// A checkpoint that cannot be resumed from, as one line naming it.
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
    /// The checkpoint file.
    public var path: String
    /// What is wrong with it.
    public var message: String

    /// An error for the checkpoint at `path`.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `checkpoint PATH: MESSAGE; delete it or run without --resume`.
    public var description: String { "checkpoint \(path): \(message); delete it or run without --resume" }
}

/// A run's progress on disk, written after every batch (whole or not at all, through
/// ``AtomicFile``), so `--resume` continues after the last finished batch instead of starting
/// again.
public struct Checkpoint: Codable, Equatable, Sendable {
    /// Bumped when the layout changes; another version is not resumed.
    public var version = 1
    /// Identifies the run: the sorted input paths, the format and the graph options. A resume
    /// with different inputs or settings is refused.
    public var runKey: String
    /// Files finished (processed or failed), a prefix of the sorted inputs.
    public var doneFiles: Int
    /// Files of `doneFiles` that gave a graph.
    public var processedFiles: Int
    /// Nodes written so far.
    public var nodes: Int
    /// Edges written so far.
    public var edges: Int
    /// The files of `doneFiles` that gave no graph.
    public var failures: [FileFailure]
    /// Seconds spent in earlier attempts at this run.
    public var seconds: Double
    /// Lengths of the partial output files at the checkpoint.
    public var outputLengths: [Int]

    /// A checkpoint with these counts (version 1).
    public init(
        runKey: String, doneFiles: Int, processedFiles: Int, nodes: Int, edges: Int, failures: [FileFailure],
        seconds: Double,
        outputLengths: [Int]
    ) {
        self.runKey = runKey
        self.doneFiles = doneFiles
        self.processedFiles = processedFiles
        self.nodes = nodes
        self.edges = edges
        self.failures = failures
        self.seconds = seconds
        self.outputLengths = outputLengths
    }

    /// A key for a run over `files` with `settings` (format, options): FNV-1a over the text,
    /// stable across processes and machines (unlike `Hasher`).
    public static func runKey(files: [String], settings: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in (files.joined(separator: "\n") + "\n--\n" + settings).utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return "\(files.count)-" + String(hash, radix: 16)
    }

    /// The checkpoint at `path`, nil if there is none. Read as a regular file only (a FIFO
    /// planted there cannot hang the resume); anything that does not decode is an error that
    /// names the file.
    public static func load(from path: String) throws(CheckpointError) -> Checkpoint? {
        var status = stat()
        if lstat(path, &status) != 0, errno == ENOENT { return nil }
        let bytes: [UInt8]
        do {
            bytes = try RegularFile.read(path, limit: 1 << 30)
        } catch {
            throw CheckpointError(path: path, message: "not a readable checkpoint (\(error.reason))")
        }
        do {
            return try JSONDecoder().decode(Checkpoint.self, from: Data(bytes))
        } catch {
            throw CheckpointError(path: path, message: "not a readable checkpoint (\(Self.decodingProblem(error)))")
        }
    }

    /// What is wrong with the JSON, in a few words (the decoder's own text spans lines).
    private static func decodingProblem(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not JSON" }
        switch error {
        // Foundation says only "not valid JSON" also for a number that does not fit its field.
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return "not valid JSON, or a number in it does not fit"
        case .dataCorrupted(let context): return "a bad value at \(Self.path(context.codingPath))"
        case .keyNotFound(let key, let context): return "no \(Self.path(context.codingPath + [key]))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "a bad value at \(Self.path(context.codingPath))"
        @unknown default: return "not a checkpoint"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty
            ? "the top level" : keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }

    /// Checks that the counts fit a run over `fileCount` files with `outputCount` partial
    /// files, so a hand-edited or damaged checkpoint is refused with one line instead of
    /// resuming at an impossible position. `path` names the checkpoint in the error.
    public func validate(fileCount: Int, outputCount: Int, path: String) throws(CheckpointError) {
        func refuse(_ what: String) -> CheckpointError { CheckpointError(path: path, message: what) }
        guard (0...fileCount).contains(doneFiles) else {
            throw refuse("doneFiles \(doneFiles) is not between 0 and the \(fileCount) input files")
        }
        guard (0...doneFiles).contains(processedFiles), failures.count == doneFiles - processedFiles else {
            throw refuse(
                "processedFiles \(processedFiles) and \(failures.count) failures do not add up to doneFiles \(doneFiles)"
            )
        }
        // Counts go on being added to: far below Int.max, so no addition can overflow.
        let countLimit = 1 << 52
        guard (0...countLimit).contains(nodes), (0...countLimit).contains(edges) else {
            throw refuse("nodes \(nodes) or edges \(edges) is not a count from 0 to \(countLimit)")
        }
        do {
            try CheckedNumber.checked(seconds, in: 0...1e9, source: "seconds", unit: "seconds")
        } catch {
            throw refuse(error.description)
        }
        guard outputLengths.count == outputCount, outputLengths.allSatisfy({ $0 >= 0 }) else {
            throw refuse(
                "outputLengths \(outputLengths) does not describe \(outputCount) output file\(outputCount == 1 ? "" : "s")"
            )
        }
    }

    /// Replaces the checkpoint at `path` whole or not at all: written through
    /// ``AtomicFileWriter`` (a temporary created with `O_EXCL | O_NOFOLLOW`, synced, renamed),
    /// so a file or symlink planted beside it is never written through.
    public func save(to path: String) throws(OutputError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data: Data
        do {
            data = try encoder.encode(self)
        } catch {
            throw OutputError(path: path, message: "cannot encode the checkpoint")
        }
        do {
            try AtomicFile.write(data, to: path)
        } catch {
            throw OutputError(path: path, message: error.reason)
        }
    }
}
