import Foundation
import SoakGate
import SoakGateCLI

// A user's own workload executable, built the way the README tells a user to, with cases the
// CLI tests need: a crash, a hang, a thrown error and a clean workload beside them.

struct FixtureError: Error, CustomStringConvertible {
    var description: String { "fixture failure on purpose" }
}

/// A workload written as a type, the way a user with state would write one.
struct CountingWorkload: Workload {
    var total = 0
    mutating func run() async throws {
        let scratch = [Int](repeating: total, count: 16)
        total &+= scratch.count
    }
}

await SoakGateMain.run(workloads: [
    WorkloadDefinition("fixture.clean", summary: "clean closure work") {
        let scratch = [UInt8](repeating: 1, count: 512)
        precondition(scratch.count == 512)
    },
    WorkloadDefinition("fixture.counting", summary: "clean stateful work") { CountingWorkload() },
    WorkloadDefinition("fixture.crash", summary: "traps on iteration 50", runsByDefault: false) {
        FixtureState.shared.tick()
    },
    WorkloadDefinition("fixture.hang", summary: "sleeps forever on the first iteration", runsByDefault: false) {
        while true { sleep(60) }
    },
    WorkloadDefinition(
        "fixture.hang-with-grandchild", summary: "starts `sleep 600` of its own, then sleeps forever",
        runsByDefault: false
    ) {
        // A timeout must end what the workload started too, not only the measuring process.
        let child = try spawnSleep()
        if let file = ProcessInfo.processInfo.environment["SOAKGATE_FIXTURE_GRANDCHILD_PID_FILE"] {
            try "\(child)\n".write(toFile: file, atomically: true, encoding: .utf8)
        }
        while true { sleep(60) }
    },
    WorkloadDefinition(
        "<script>alert(1)</script>", summary: "a name that must be escaped: <b>bold</b> & \"quoted\"",
        runsByDefault: false
    ) {
        let scratch = [UInt8](repeating: 2, count: 64)
        precondition(scratch.count == 64)
    },
    WorkloadDefinition(
        "fixture.trickle", summary: "keeps 16 B at SOAKGATE_TRICKLE_BYTES_PER_HOUR, every 10 ms", runsByDefault: false
    ) { TrickleLeak() },
    WorkloadDefinition("fixture.throws", summary: "throws on the first iteration", runsByDefault: false) {
        throw FixtureError()
    },
    WorkloadDefinition(
        "fixture.slow-iteration", summary: "half a second per iteration, keeps nothing: too slow for a 1 s budget",
        runsByDefault: false
    ) { usleep(500_000) },
])

/// Counts iterations so the crash fixture traps partway through a measurement.
final class FixtureState: @unchecked Sendable {
    // @unchecked Sendable: the crash fixture runs in one task; the counter has no other user.
    static let shared = FixtureState()
    private var count = 0
    func tick() {
        count += 1
        if count == 50 { fatalError("fixture.crash traps on iteration 50 on purpose") }
    }
}

/// Starts `/bin/sleep 600` in the caller's process group and returns its pid.
func spawnSleep() throws -> pid_t {
    var pid: pid_t = 0
    var arguments: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sleep"), strdup("600"), nil]
    defer { for argument in arguments { free(argument) } }
    guard posix_spawn(&pid, "/bin/sleep", nil, nil, &arguments, environ) == 0 else { throw FixtureError() }
    return pid
}
