import Foundation
import LotoFeatures

/// A one-line progress bar on standard error, drawn only when standard error is a terminal.
struct ProgressBar {
    private let enabled = isatty(STDERR_FILENO) == 1
    private let start = Date()

    func update(_ progress: GenerateProgress) {
        guard enabled else { return }
        let width = 30
        let fraction = Double(progress.seriesDone) / Double(max(progress.seriesTotal, 1))
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
        let elapsed = String(format: "%.1f", Date().timeIntervalSince(start))
        FileHandle.standardError.write(Data("\r[\(bar)] \(progress.seriesDone)/\(progress.seriesTotal) series, \(progress.rowsChanged) rows written, \(elapsed) s".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
