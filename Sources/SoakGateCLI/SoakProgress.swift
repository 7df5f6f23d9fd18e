import Foundation
import SoakGate
import SoakGateBasics
import Synchronization

/// The soak's progress: on a terminal, one line redrawn every second (elapsed / remaining,
/// then per workload iterations, live bytes and recent growth); elsewhere, a line at every
/// tenth of the duration.
final class SoakProgress: Sendable {
    private let manifest: SoakManifest
    private let supervisor: SoakSupervisor
    private let latest = Mutex<[String: SoakSample]>([:])
    private let running = Atomic<Bool>(false)
    private let nextDecile = Atomic<Int>(1)

    init(manifest: SoakManifest, supervisor: SoakSupervisor, startElapsed: Double) {
        self.manifest = manifest
        self.supervisor = supervisor
        nextDecile.store(Int(startElapsed / manifest.durationSeconds * 10) + 1, ordering: .relaxed)
    }

    func start() {
        guard Terminal.standardErrorIsTerminal else { return }
        running.store(true, ordering: .relaxed)
        Thread {
            while self.running.load(ordering: .relaxed) {
                Terminal.status("\r\u{1B}[2K" + self.line())
                Thread.sleep(forTimeInterval: 1)
            }
        }.start()
    }

    func update(_ sample: SoakSample) {
        latest.withLock { $0[sample.workload] = sample }
        guard !Terminal.standardErrorIsTerminal else { return }
        let decile = Int(sample.elapsedSeconds / manifest.durationSeconds * 10)
        let expected = nextDecile.load(ordering: .relaxed)
        if decile >= expected,
            nextDecile.compareExchange(expected: expected, desired: decile + 1, ordering: .relaxed).exchanged
        {
            Terminal.status(line() + "\n")
        }
    }

    func finish() {
        if running.exchange(false, ordering: .relaxed) { Terminal.status("\r\u{1B}[2K" + line() + "\n") }
    }

    func line() -> String {
        let samples = latest.withLock { $0 }
        let elapsed = samples.values.map(\.elapsedSeconds).max() ?? 0
        let remaining = max(0, manifest.durationSeconds - elapsed)
        let fraction = min(1, elapsed / manifest.durationSeconds)
        let filled = Int(fraction * 20)
        var text =
            "soak [\(String(repeating: "#", count: filled))\(String(repeating: ".", count: 20 - filled))] \(SoakDuration.clock(elapsed)) elapsed, \(SoakDuration.clock(remaining)) left"
        for name in manifest.workloads {
            guard let sample = samples[name] else { continue }
            let rate =
                supervisor.recentBytesPerHour(name).map { (($0 >= 0) ? "+" : "") + ByteCount.format($0) + "/h" } ?? "…"
            text += " | \(name) \(sample.iterations) it, live \(ByteCount.format(sample.liveBytes)), \(rate)"
        }
        return text
    }
}
