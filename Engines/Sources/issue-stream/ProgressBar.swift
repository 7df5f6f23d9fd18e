import Foundation
import IssueStream
import Synchronization

/// A one-line progress display on standard error, only when it is a terminal.
final class ProgressBar: Sendable {
    private let enabled = isatty(2) == 1
    private let shown = Mutex(false)

    func show(_ progress: TriageProgress) {
        guard enabled else { return }
        var line = "\r\u{1B}[2K  pages \(progress.pages)  items \(progress.items)"
        if let remaining = progress.rateLimitRemaining { line += "  rate limit left \(remaining)" }
        shown.withLock { $0 = true }
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        guard enabled, shown.withLock({ $0 }) else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
