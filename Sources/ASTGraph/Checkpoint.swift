import Foundation

/// A run's progress on disk, written after every batch (to a temporary file, then renamed), so
/// `--resume` continues after the last finished batch instead of starting again.
public struct Checkpoint: Codable, Equatable, Sendable {
    /// Bumped when the layout changes; another version is not resumed.
    public var version = 1
    /// Identifies the run: the sorted input paths, the format and the graph options. A resume
    /// with different inputs or settings is refused.
    public var runKey: String
    /// Files finished (processed or failed), a prefix of the sorted inputs.
    public var doneFiles: Int
    public var processedFiles: Int
    public var nodes: Int
    public var edges: Int
    public var failures: [FileFailure]
    /// Seconds spent in earlier attempts at this run.
    public var seconds: Double
    /// Lengths of the partial output files at the checkpoint.
    public var outputLengths: [Int]

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

    /// The checkpoint at `path`, nil if there is none.
    public static func load(from path: String) throws -> Checkpoint? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return try JSONDecoder().decode(Checkpoint.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw OutputError(path: path, message: "not a readable checkpoint (\(error.localizedDescription)); delete it or run without --resume")
        }
    }

    /// Writes the checkpoint to `path` through a temporary file and a rename.
    public func save(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let temporary = path + ".tmp"
        do {
            try encoder.encode(self).write(to: URL(fileURLWithPath: temporary))
        } catch {
            throw OutputError(path: temporary, message: error.localizedDescription)
        }
        guard rename(temporary, path) == 0 else { throw OutputError(path: path, message: PartialFile.errnoText()) }
    }
}
