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

    init(path: String?, hiding secrets: [String] = []) throws(IssueStreamError) {
        self.path = path
        hidden = secrets.filter { !$0.isEmpty }
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if let path {
            if let kind = RegularFile.irregularKind(path) {
                throw IssueStreamError.cannotCreateOutput(
                    path: path, detail: "it is \(kind); name a file to write (nothing there was touched)")
            }
            do { file = try AtomicFileWriter(path: path) } catch {
                throw IssueStreamError.cannotCreateOutput(path: path, detail: error.reason)
            }
        } else {
            file = nil
        }
    }

    func write(_ line: TriageLine) throws {
        var encoded = try encoder.encode(line)
        if !hidden.isEmpty, var text = String(data: encoded, encoding: .utf8) {
            for secret in hidden where text.contains(secret) { text = text.replacing(secret, with: Redaction.mask) }
            encoded = Data(text.utf8)
        }
        buffer.append(encoded)
        buffer.append(0x0A)
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

    /// Flushes and moves the finished file into place. With `keepingEarlier` (a run that
    /// stopped early), an output that already exists is left as it was and the partial lines
    /// are dropped, so a failed rerun never replaces a complete earlier result; returns whether
    /// the file was written.
    @discardableResult
    func finish(keepingEarlier: Bool = false) throws -> Bool {
        try flush()
        guard let file, let path else { return true }
        var status = stat()
        if keepingEarlier, lstat(path, &status) == 0 { return false }
        do { try file.commit() } catch {
            throw IssueStreamError.outputFailed(path: path, detail: error.reason)
        }
        return true
    }
}
