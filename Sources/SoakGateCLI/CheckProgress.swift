import Foundation
import SoakGate
import SoakGateBasics
import Synchronization

/// Shows `check`'s progress on standard error: on a terminal a line that redraws at every
/// checkpoint, elsewhere one line per finished workload.
final class CheckProgress: Sendable {
    private struct State {
        var finished = 0
        var started: [String: UInt64] = [:]
    }

    private let total: Int
    private let plan: MeasurementPlan
    private let state = Mutex(State())
    private let redraws = Terminal.standardErrorIsTerminal

    init(total: Int, plan: MeasurementPlan) {
        self.total = total
        self.plan = plan
    }

    func started(_ name: String) {
        state.withLock { $0.started[name] = DispatchTime.now().uptimeNanoseconds }
        if redraws { draw("[\(position)/\(total)] \(name)  starting") }
    }

    func update(_ name: String, iterations: Int, retainedBytes: Int) {
        guard redraws else { return }
        let seconds = elapsed(name)
        draw(
            "[\(position)/\(total)] \(name)  \(phase(iterations))  \(iterations) iterations  +\(ByteCount.format(retainedBytes))  \(String(format: "%.1f", seconds)) s of a \(String(format: "%g", plan.budgetSeconds)) s budget"
        )
    }

    func finished(_ result: WorkloadResult) {
        let seconds = elapsed(result.name)
        let done = state.withLock { state -> Int in
            state.finished += 1
            return state.finished
        }
        let line =
            "[\(done)/\(total)] \(result.name): \(result.verdict.rawValue)\(result.verdict == .leak ? " (\(result.growth.rawValue))" : "")  \(String(format: "%.1f", seconds)) s"
        if redraws {
            Terminal.status("\r\u{1B}[K" + line + "\n")
        } else {
            Terminal.status(line + "\n")
        }
    }

    func attributing(_ name: String) {
        let line = "\(name): profiling to name the allocation sites"
        Terminal.status(redraws ? "\r\u{1B}[K" + line : line + "\n")
        if redraws { Terminal.status("\r\u{1B}[K") }
    }

    private var position: Int { state.withLock { $0.finished + 1 } }

    private func elapsed(_ name: String) -> Double {
        let start = state.withLock { $0.started[name] } ?? DispatchTime.now().uptimeNanoseconds
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    private func phase(_ iterations: Int) -> String {
        if iterations <= plan.ladderTop { return "ladder" }
        for k in 0..<MeasurementPlan.maximumWindows where iterations <= plan.window(k).end {
            return "window \(k + 1)"
        }
        return "final stretch"
    }

    private func draw(_ line: String) {
        Terminal.status("\r\u{1B}[K" + line)
    }
}
