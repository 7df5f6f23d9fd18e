import ASTGraph
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One self-rewriting line on stderr: bar, files, phase and file, elapsed, estimated time left,
/// peak memory. Shown only when stderr is a terminal; redrawn at most ten times a second.
final class ProgressBar: Sendable {
    private struct State {
        var lastDraw = ContinuousClock.Instant.now - .seconds(1)
        var latest: BatchProgress?
        var done = 0
    }

    private let state = Mutex(State())
    private let started = ContinuousClock.now

    /// A bar when stderr is a terminal, else nil.
    static func ifTerminal() -> ProgressBar? { isatty(2) == 1 ? ProgressBar() : nil }

    func update(_ progress: BatchProgress) {
        let line: String? = state.withLock { state in
            state.done = max(state.done, progress.doneFiles)
            state.latest = progress
            let now = ContinuousClock.now
            guard progress.phase == .finished || now - state.lastDraw >= .milliseconds(100) else { return nil }
            state.lastDraw = now
            return render(progress, done: state.done, elapsed: now - started)
        }
        if let line { writeStandardError(line) }
    }

    /// Clears the line so the next message starts clean.
    func clear() { writeStandardError("\r\u{1B}[K") }

    private func render(_ progress: BatchProgress, done: Int, elapsed: Duration) -> String {
        let total = max(progress.totalFiles, 1)
        let width = 24
        let filled = width * done / total
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let remaining = done > 0 ? seconds / Double(done) * Double(total - done) : 0
        let file = progress.currentFile.count > 40 ? "…" + progress.currentFile.suffix(39) : progress.currentFile
        let memory = peakResidentBytes() / (1 << 20)
        return "\r\u{1B}[K[\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] "
            + "\(done)/\(progress.totalFiles) files  \(progress.phase.rawValue) \(file)  "
            + "\(Int(seconds)) s, ~\(Int(remaining.rounded())) s left, peak \(memory) MiB"
    }
}

/// Writes to file descriptor 2 without buffering (the C `stderr` global is not Sendable).
func writeStandardError(_ text: String) {
    var text = text
    text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}
