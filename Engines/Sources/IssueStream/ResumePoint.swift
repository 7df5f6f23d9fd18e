import Foundation
import SoakGateBasics

/// The lines a stopped run left, read by `--resume`: its complete item lines, byte for byte,
/// and which listed item each one is, so the rerun can check that the list still matches and
/// append only what is missing.
///
/// A stopped run leaves its lines in `--out`, or in `OUT.stopped` when `--out` already held an
/// earlier result (a stopped run never replaces one); the sibling, when present, is the newer.
public struct ResumePoint: Sendable {
    /// Which item of the list a line is about: its number, or its `id` when it had none.
    struct Identity: Equatable, Sendable {
        var number: Int?
        var id: Int?

        var shown: String {
            if let number { return "#\(number)" }
            if let id { return "the element with id \(id)" }
            return "an element without number or id"
        }
    }

    /// The file the lines were read from.
    public let path: String
    /// The complete item lines, each with its newline (a trailing `run_error` line and a last
    /// line cut off without its newline are not among them).
    var lines: [UInt8]
    let identities: [Identity]

    /// How many lines are kept.
    public var lineCount: Int { identities.count }

    /// The sibling a stopped run's lines go to when `output` holds an earlier result.
    public static func stoppedPath(for output: String) -> String { output + ".stopped" }

    /// The lines to continue from: `OUT.stopped` if it exists, else `output`, else nil (nothing
    /// to resume: the run starts from the beginning). Throws, before any request, for a file
    /// that is not what a stopped run leaves.
    public static func load(output: String?) throws(IssueStreamError) -> ResumePoint? {
        guard let output else {
            throw IssueStreamError.badConfiguration(
                "--resume needs --out FILE, the file a stopped run left (lines sent to standard output cannot be continued)"
            )
        }
        for candidate in [stoppedPath(for: output), output] {
            var status = stat()
            guard lstat(candidate, &status) == 0 else { continue }
            if let kind = RegularFile.irregularKind(candidate) {
                throw IssueStreamError.cannotResume(
                    path: candidate, detail: "is \(kind), not the file a stopped run left")
            }
            let bytes: [UInt8]
            do { bytes = try RegularFile.read(candidate, limit: 16 << 30) } catch {
                throw IssueStreamError.cannotResume(path: candidate, detail: "cannot be read: \(error.reason)")
            }
            return try parse(bytes, path: candidate)
        }
        return nil
    }

    /// Splits `bytes` into lines and keeps the complete item lines.
    static func parse(_ bytes: [UInt8], path: String) throws(IssueStreamError) -> ResumePoint {
        let decoder = JSONDecoder()
        var identities: [Identity] = []
        var keptEnd = 0
        var start = 0
        var lineNumber = 0
        var sawRunError = false
        while start < bytes.count {
            // A last line without its newline was cut off: it is not kept.
            guard let newline = bytes[start...].firstIndex(of: 0x0A) else { break }
            lineNumber += 1
            let line: TriageLine
            do { line = try decoder.decode(TriageLine.self, from: Data(bytes[start..<newline])) } catch {
                throw IssueStreamError.cannotResume(
                    path: path,
                    detail:
                        "line \(lineNumber) is not a line of issue-stream's output; name the file a stopped run left, or run without --resume"
                )
            }
            if line.runError != nil {
                sawRunError = true
            } else {
                if sawRunError {
                    throw IssueStreamError.cannotResume(
                        path: path,
                        detail:
                            "line \(lineNumber) follows a run_error line; a stopped run leaves that line last, so this file was put together by hand"
                    )
                }
                identities.append(Identity(number: line.number, id: line.number == nil ? line.id : nil))
                keptEnd = newline + 1
            }
            start = newline + 1
        }
        return ResumePoint(path: path, lines: Array(bytes[0..<keptEnd]), identities: identities)
    }

    /// Throws unless the listed `item` is the one line `index` (from 0) is about.
    func check(_ item: PageItem, at index: Int) throws(IssueStreamError) {
        let listed: Identity
        switch item {
        case .issue(let issue): listed = Identity(number: issue.number, id: nil)
        case .unreadable(let number, let id, _, _): listed = Identity(number: number, id: number == nil ? id : nil)
        }
        let kept = identities[index]
        guard listed == kept else {
            throw IssueStreamError.resumeMismatch(
                path: path, line: index + 1,
                detail: "is about \(kept.shown), but the list now has \(listed.shown) there")
        }
    }
}
