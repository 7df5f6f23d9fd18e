import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A long run's progress on standard error, the one progress bar of harness and engines.
///
/// On a terminal it is one line redrawn in place: a carriage return, the line, and the rest of
/// the old line cleared, at most every ``redrawInterval`` so a run reporting thousands of files
/// a second does not spend its time drawing. Elsewhere (a log, a pipe) a redrawn line would be a
/// mess of carriage returns, so it prints a plain line at most every so often, or nothing, as the
/// caller chooses with ``PlainLines``.
///
/// A line reads `[####....] 12/40 files  parse Sources/A.swift  3.0 s, ~7 s left  peak 120 MiB`:
/// the bar and `done/total` when the total is known (else `12 pages`), a label that is cut from
/// the left to keep the line short (a path's end is what tells files apart), the time so far and
/// what is left at the pace so far, and a short detail.
public final class ProgressBar: Sendable {
    /// What to print when standard error is not a terminal.
    public enum PlainLines: Sendable, Equatable {
        /// Nothing: standard error keeps only the lines the program prints itself (an engine's
        /// one outcome line, which scripts and tests read).
        case none
        /// A plain line once this much time has passed, and again each time as much more has.
        case every(Duration)
    }

    /// The longest label shown; a longer one keeps its end behind `…`.
    public static let labelLimit = 40
    /// How often a terminal line is redrawn at most.
    public static let redrawInterval = Duration.milliseconds(100)

    private struct State {
        var done = 0
        var lastDraw: Duration?
        var drawn = false
        var finished = false
    }

    private let unit: String
    private let width: Int
    private let isTerminal: Bool
    private let plainLines: PlainLines
    private let elapsed: @Sendable () -> Duration
    private let output: @Sendable (String) -> Void
    private let state = Mutex(State())

    /// A bar on this process's standard error counting `unit` (`files`, `series`, `pages`),
    /// redrawn when standard error is a terminal and following `plainLines` when it is not.
    public convenience init(unit: String, plainLines: PlainLines, width: Int = 24) {
        let start = ContinuousClock.now
        self.init(
            unit: unit, isTerminal: isatty(2) == 1, plainLines: plainLines, width: width,
            elapsed: { ContinuousClock.now - start }, write: Self.writeStandardError)
    }

    /// A bar that writes with `write` and reads the time since its start from `elapsed`; tests
    /// give both, and say whether the output is a terminal.
    public init(
        unit: String, isTerminal: Bool, plainLines: PlainLines, width: Int = 24,
        elapsed: @escaping @Sendable () -> Duration, write: @escaping @Sendable (String) -> Void
    ) {
        self.unit = unit
        self.isTerminal = isTerminal
        self.plainLines = plainLines
        self.width = max(1, width)
        self.elapsed = elapsed
        output = write
    }

    /// Whether updates can show anything: standard error is a terminal, or plain lines were
    /// asked for. A caller with nothing to show can skip gathering its progress.
    public var isVisible: Bool { isTerminal || plainLines != .none }

    /// Shows `done` of `total` (nil when the total is not known yet), with `label` (what is
    /// being worked on) and `detail` (a short figure), both evaluated only when a line is
    /// drawn. The count never goes back: parallel workers may report out of order. Nothing is
    /// shown after ``finish()``.
    public func update(
        done: Int, total: Int?, label: @autoclosure () -> String = "", detail: @autoclosure () -> String = ""
    ) {
        let now = elapsed()
        // Written under the lock, so two reports cannot land out of order and nothing is drawn
        // after finish() cleared the line.
        state.withLock { state in
            guard !state.finished else { return }
            state.done = max(state.done, done)
            let complete = total.map { state.done >= $0 } ?? false
            let done = state.done
            func line(_ width: Int?) -> String {
                Self.line(
                    done: done, total: total, unit: unit, label: label(), detail: detail(), elapsed: now, width: width)
            }
            if isTerminal {
                if let last = state.lastDraw, now - last < Self.redrawInterval, !complete { return }
                state.lastDraw = now
                state.drawn = true
                output("\r\u{1B}[K" + line(width))
            } else if case .every(let interval) = plainLines {
                guard now >= (state.lastDraw ?? .zero) + interval else { return }
                state.lastDraw = now
                output(line(nil) + "\n")
            }
        }
    }

    /// Ends the display: on a terminal the line is cleared, so the next message starts at the
    /// beginning of an empty line. Later updates show nothing.
    public func finish() {
        state.withLock { state in
            guard !state.finished else { return }
            state.finished = true
            if isTerminal && state.drawn { output("\r\u{1B}[K") }
        }
    }

    /// The text of one line, without the terminal's control characters; `width` nil leaves the
    /// bar out (plain lines).
    public static func line(
        done: Int, total: Int?, unit: String, label: String = "", detail: String = "", elapsed: Duration,
        width: Int? = 24
    ) -> String {
        let seconds = Self.seconds(elapsed)
        var parts: [String] = []
        if let total {
            var count = "\(done)/\(total) \(unit)"
            if let width {
                let fraction = total > 0 ? min(1, max(0, Double(done) / Double(total))) : 1
                let filled = Int((fraction * Double(width)).rounded(.down))
                let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
                count = "[" + bar + "] " + count
            }
            parts.append(count)
        } else {
            parts.append("\(done) \(unit)")
        }
        if !label.isEmpty { parts.append(label.count > labelLimit ? "…" + label.suffix(labelLimit - 1) : label) }
        var time = duration(seconds)
        if let total, done > 0, done < total, seconds > 0 {
            time += ", ~" + estimate(seconds / Double(done) * Double(total - done)) + " left"
        }
        parts.append(time)
        if !detail.isEmpty { parts.append(detail) }
        return parts.joined(separator: "  ")
    }

    /// `12.3 s` under a minute, `4 min 5 s` under an hour, `2 h 5 min` beyond (capped at 9999 h,
    /// so an absurd estimate cannot overflow the conversion to whole numbers).
    public static func duration(_ seconds: Double) -> String {
        let seconds = seconds.isFinite ? min(max(seconds, 0), 9999 * 3600) : 0
        if seconds < 60 {
            let tenths = Int((seconds * 10).rounded(.down))
            return "\(tenths / 10).\(tenths % 10) s"
        }
        let whole = Int(seconds.rounded(.down))
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3600) h \(whole % 3600 / 60) min"
    }

    /// Time left in whole seconds (rounded up) under a minute, as ``duration(_:)`` beyond.
    static func estimate(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds < 60 else { return duration(seconds) }
        return "\(Int(max(0, seconds).rounded(.up))) s"
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Writes to file descriptor 2 unbuffered (C's `stderr` global is not `Sendable`).
    private static func writeStandardError(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count {
                let written = write(2, base + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                // A closed or full standard error is no reason to stop the run: the line is lost.
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
