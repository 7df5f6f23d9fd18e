// What "which type grows and who holds it" costs (issue #20).
//
//   heap-walk-benchmarks cases SOAKGATE [WORKLOAD…]
//       For each planted leak, through the real `soakgate` executable (release): the measuring
//       run as `check` starts it, the profiled run without the heap walk, and with it. Wall time
//       and peak RSS of each child (wait4), and the walk's own time from its report.
//   heap-walk-benchmarks heap [OBJECTS…]
//       The largest heap the walk handles: this process builds a heap of OBJECTS objects (a
//       linked list of 64-byte class instances hung off a global, plus 1 % more between the two
//       censuses) and times the walk; it stops at the first size whose walk passes 60 s.
import Foundation
import SoakGate

#if canImport(Glibc)
import Glibc
#endif

/// Runs a child to its end; its wall time and peak RSS (wait4's ru_maxrss, KiB).
func runChild(_ arguments: [String], environment: [String: String]) -> (seconds: Double, peakKiB: Int, status: Int32) {
    var pid: pid_t = 0
    let argv = arguments.map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        for pointer in argv + envp { free(pointer) }
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    defer { posix_spawn_file_actions_destroy(&actions) }
    let started = ContinuousClock.now
    guard posix_spawn(&pid, arguments[0], &actions, nil, argv, envp) == 0 else {
        fatalError("cannot start \(arguments[0])")
    }
    var status: Int32 = 0
    var usage = rusage()
    _ = wait4(pid, &status, 0, &usage)
    let elapsed = ContinuousClock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return (seconds, usage.ru_maxrss, status)
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1
        ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func cases(_ soakgate: String, _ names: [String], rounds: Int) throws {
    let plan = try MeasurementPlan()
    let planJSON = String(decoding: try JSONEncoder().encode(plan), as: UTF8.self)
    let runner = IsolatedMeasurement(
        executable: soakgate, plan: plan, timeoutSeconds: 600, baseEnvironment: ProcessInfo.processInfo.environment)
    let scratch = NSTemporaryDirectory() + "heap-walk-bench-\(getpid())"
    try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    var base = ProcessInfo.processInfo.environment
    base["SOAKGATE_HEAP_WALK"] = nil
    print(
        "| workload | measuring run | its peak RSS | profiled, no walk | its peak RSS | profiled with walk | its peak RSS | the walk | blocks walked |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in names {
        var measuring: [(Double, Int)] = []
        var profiled: [(Double, Int)] = []
        var walked: [(Double, Int)] = []
        var walkSeconds: [Double] = []
        var blocks = 0
        for _ in 0..<rounds {
            let result = scratch + "/result.json"
            var environment = base
            environment["MALLOC_CONF"] = runner.mallocConf
            let plain = runChild(
                [soakgate, IsolatedMeasurement.subcommand, "--workload", name, "--plan", planJSON, "--result", result],
                environment: environment)
            measuring.append((plain.seconds, plain.peakKiB))
            environment["MALLOC_CONF"] = runner.profilingMallocConf
            for walk in [false, true] {
                var childEnvironment = environment
                if walk { childEnvironment["SOAKGATE_HEAP_WALK"] = "1" }
                let run = runChild(
                    [
                        soakgate, IsolatedMeasurement.subcommand, "--workload", name, "--plan", planJSON, "--result",
                        result, "--profile-directory", scratch,
                    ], environment: childEnvironment)
                guard run.status == 0 else { fatalError("\(name): the profiled run failed (status \(run.status))") }
                if walk {
                    walked.append((run.seconds, run.peakKiB))
                    let data = try Data(contentsOf: URL(fileURLWithPath: result))
                    let text = String(decoding: data, as: UTF8.self)
                    // The child's result is ChildResult JSON; only the walk's figures are read.
                    if let seconds = number(after: "\"seconds\":", in: text) { walkSeconds.append(seconds) }
                    blocks = Int(number(after: "\"blocks\":", in: text) ?? 0)
                } else {
                    profiled.append((run.seconds, run.peakKiB))
                }
            }
        }
        func cell(_ runs: [(Double, Int)]) -> String {
            String(format: "%.2f s", median(runs.map(\.0)))
        }
        func rss(_ runs: [(Double, Int)]) -> String {
            String(format: "%.1f MiB", median(runs.map { Double($0.1) }) / 1024)
        }
        print(
            "| \(name) | \(cell(measuring)) | \(rss(measuring)) | \(cell(profiled)) | \(rss(profiled)) | \(cell(walked)) | \(rss(walked)) | \(String(format: "%.3f s", median(walkSeconds))) | \(blocks) |"
        )
    }
}

func number(after key: String, in text: String) -> Double? {
    guard let range = text.range(of: key) else { return nil }
    let rest = text[range.upperBound...].drop { $0 == " " }
    return Double(rest.prefix { "0123456789.e-+".contains($0) })
}

final class Node {
    var next: Node?
    var payload: (Int, Int, Int, Int) = (0, 0, 0, 0)
    init(next: Node?) { self.next = next }
}

/// The heap the walk is timed on: kept by globals so the walk follows every object.
nonisolated(unsafe) var heads: [Node?] = []

func heap(_ sizes: [Int]) throws {
    print("| objects | live blocks | live bytes | census + paths | peak RSS |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for size in sizes {
        heads = []
        // Chains of 1,000: a path is at most 1,000 steps, and most objects are deep in one.
        var remaining = size
        while remaining > 0 {
            var head: Node?
            for _ in 0..<min(1000, remaining) { head = Node(next: head) }
            heads.append(head)
            remaining -= 1000
        }
        let walker = try HeapWalker()
        let started = ContinuousClock.now
        let before = walker.census()
        for _ in 0..<(size / 100_000 + 1) {
            var head: Node?
            for _ in 0..<1000 { head = Node(next: head) }
            heads.append(head)
        }
        let after = walker.census()
        let report = walker.retention(from: before, to: after, iterations: 1000, seconds: 0)
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        guard report.types.contains(where: { $0.name.hasSuffix("Node") }) else {
            fatalError("the walk did not see the Node objects grow: \(report.types.map(\.name))")
        }
        print(
            "| \(size) | \(report.blocks) | \(String(format: "%.1f MiB", Double(report.bytes) / 1_048_576)) | \(String(format: "%.2f s", seconds)) | \(String(format: "%.1f MiB", Double(usage.ru_maxrss) / 1024)) |"
        )
        if seconds > 60 { break }
    }
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: heap-walk-benchmarks cases SOAKGATE [WORKLOAD…] | heap [OBJECTS…]")
    exit(2)
}
switch arguments[1] {
case "cases":
    guard arguments.count >= 3 else {
        print("usage: heap-walk-benchmarks cases SOAKGATE [WORKLOAD…]")
        exit(2)
    }
    let names =
        arguments.count > 3
        ? Array(arguments[3...])
        : [
            "planted.leak.c-heap", "planted.leak.retain-cycle", "planted.leak.global-array", "planted.leak.quadratic",
            "planted.leak.observer-list", "planted.leak.closure-captures-owner", "planted.leak.ever-new-keys-cache",
            "planted.leak.parent-child-cycle", "planted.leak.parked-task",
        ]
    try cases(arguments[2], names, rounds: 3)
case "heap":
    if ProcessInfo.processInfo.environment["SOAKGATE_HEAP_WALK"] != "1" {
        // The live-block table starts with the process: start again with it on.
        setenv("SOAKGATE_HEAP_WALK", "1", 1)
        let argv = arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", argv)
        fatalError("cannot start again with SOAKGATE_HEAP_WALK=1")
    }
    let sizes = arguments.count > 2 ? arguments[2...].compactMap { Int($0) } : [100_000, 400_000, 1_600_000, 6_400_000]
    try heap(sizes)
default:
    print("usage: heap-walk-benchmarks cases SOAKGATE [WORKLOAD…] | heap [OBJECTS…]")
    exit(2)
}
