import Foundation
import SoakGateBasics

/// Writes the JSON lines through the project's one atomic-file writer (a temporary created
/// beside the target with `O_EXCL | O_NOFOLLOW`, synced, renamed into place), or to standard
/// output when there is no target. A directory named as the target is refused before the run
/// starts and never removed; a run that throws leaves any earlier output untouched.
final class DecisionWriter {
    private let path: String?
    private let file: AtomicFileWriter?
    private var buffer = Data()
    private let encoder: JSONEncoder
    /// Text that must never reach the output (the token), should a server have echoed it into
    /// something a line carries.
    private let hidden: [String]
    private let hiddenBytes: [[UInt8]]
    /// Item lines written by this run (not the kept lines it started with, not `run_error`).
    private(set) var itemLines = 0

    /// A writer for `path` (nil: standard output) that starts with `kept`, the complete lines
    /// of a stopped run that `--resume` continues.
    init(path: String?, hiding secrets: [String] = [], startingWith kept: [UInt8] = []) throws(IssueStreamError) {
        self.path = path
        hidden = secrets.filter { !$0.isEmpty }
        hiddenBytes = hidden.map { Array($0.utf8) }
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if let path {
            if let kind = RegularFile.irregularKind(path) {
                throw IssueStreamError.cannotCreateOutput(
                    path: path, detail: "it is \(kind); name a file to write (nothing there was touched)")
            }
            do {
                let file = try AtomicFileWriter(path: path)
                if !kept.isEmpty { try file.write(kept) }
                self.file = file
            } catch {
                throw IssueStreamError.cannotCreateOutput(path: path, detail: error.reason)
            }
        } else {
            file = nil
        }
    }

    func write(_ line: TriageLine) throws {
        if let bytes = TriageLineEncoding.encode(line),
            !hiddenBytes.contains(where: { TriageLineEncoding.contains(bytes, $0) })
        {
            buffer.append(contentsOf: bytes)
        } else {
            var encoded = try encoder.encode(line)
            if !hidden.isEmpty, var text = String(data: encoded, encoding: .utf8) {
                for secret in hidden where text.contains(secret) {
                    text = text.replacing(secret, with: Redaction.mask)
                }
                encoded = Data(text.utf8)
            }
            buffer.append(encoded)
        }
        buffer.append(0x0A)
        if line.runError == nil { itemLines += 1 }
        if buffer.count >= 64 << 10 { try flush() }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        if let file {
            do { try file.write(buffer) } catch {
                throw IssueStreamError.outputFailed(path: path ?? "", detail: error.reason)
            }
        } else {
            do { try FileHandle.standardOutput.write(contentsOf: buffer) } catch {
                throw IssueStreamError.outputFailed(path: "standard output", detail: error.localizedDescription)
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Where a run's lines ended up.
    struct Placement: Equatable {
        /// The file that holds them now; nil for standard output, or when nothing was written.
        var file: String?
        /// Whether `--out` (or the file resumed) was left as it was.
        var earlierKept: Bool
    }

    /// Flushes and puts the lines where they belong, so that no line a run finished is lost and
    /// no earlier result is replaced by a stopped run's:
    /// - a run that finished replaces `--out` (and removes `OUT.stopped`, now out of date);
    /// - a stopped run with nothing at `--out` leaves its lines there;
    /// - a stopped run over an earlier `--out` leaves that file as it was and its own lines, if
    ///   it wrote any, in `OUT.stopped`;
    /// - a stopped run that resumed `base` replaces it with its kept lines plus the new ones
    ///   (every earlier line is kept), or leaves it as it was when it wrote none.
    func finish(stopped: Bool, resumedFrom base: String?) throws -> Placement {
        try flush()
        guard let file, let path else { return Placement(file: nil, earlierKept: false) }
        let sibling = ResumePoint.stoppedPath(for: path)
        var status = stat()
        if !stopped || (base == nil && lstat(path, &status) != 0) || (base == path && itemLines > 0) {
            do { try file.commit() } catch {
                throw IssueStreamError.outputFailed(path: path, detail: error.reason)
            }
            // Only a regular file (or a link) there is ours to remove; a directory stays.
            if lstat(sibling, &status) == 0,
                (status.st_mode & S_IFMT) == S_IFREG || (status.st_mode & S_IFMT) == S_IFLNK
            {
                unlink(sibling)
            }
            return Placement(file: path, earlierKept: false)
        }
        guard itemLines > 0 else { return Placement(file: nil, earlierKept: true) }
        let target = base ?? sibling
        try copy(file, to: target)
        return Placement(file: target, earlierKept: true)
    }

    /// Writes what the temporary file holds to `target` through a writer of its own (the
    /// temporary sits beside `--out`, and is removed when this writer goes).
    private func copy(_ file: AtomicFileWriter, to target: String) throws {
        guard let handle = FileHandle(forReadingAtPath: file.temporaryPath) else {
            throw IssueStreamError.outputFailed(path: target, detail: "the lines written so far cannot be read back")
        }
        defer { try? handle.close() }
        do {
            let copy = try AtomicFileWriter(path: target)
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { try copy.write(chunk) }
            try copy.commit()
        } catch let error as FileError {
            throw IssueStreamError.outputFailed(path: target, detail: error.reason)
        } catch {
            throw IssueStreamError.outputFailed(path: target, detail: "\(error)")
        }
    }
}
