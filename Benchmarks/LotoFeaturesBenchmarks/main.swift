// loto-features-benchmarks: wall time and peak RSS of loto-features against polars on the same
// data in the same run. Each measurement is a child process of its own (this program run with
// --child, or python3 polars_features.py), so peak RSS (wait4's ru_maxrss) is that run's alone.
//
//   swift build --package-path Benchmarks -c release --product loto-features-benchmarks
//   Benchmarks/.build/release/loto-features-benchmarks [--series 1000] [--draws 2000] [--runs 3] [--full-runs 1] [--dir /tmp/loto-bench]
//       [--modes compute,polars,sqlite,polars-sqlite,pipelines,reference,sqlite-full,postgres-full]
//
// `pipelines` times each pipeline alone over every series (two workers, no store); `reference`
// runs reference_pipelines.py, the reference libraries the golden tests use, over the same file
// with two processes; the full modes run every pipeline into a store and print each pipeline's
// computing seconds.
//
// --modes picks some of the modes (all by default), e.g. `--modes sqlite --series 200` for a
// quick SQLite-only iteration.
//
// With SOAKGATE_TEST_DATABASE_URL set (bash ci/with-postgres.sh …) the full run into PostgreSQL
// is measured too.
import Foundation
import LotoFeatures
import MemoryGovernor
import SoakGateBasics

#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
func option(_ name: String, _ fallback: String) -> String {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return fallback }
    return arguments[index + 1]
}

if arguments.contains("--help") || arguments.contains("-h") {
    print(
        """
        usage: loto-features-benchmarks [--series 1000] [--draws 2000] [--runs 3] [--full-runs 1] [--dir /tmp/loto-bench]
                                        [--modes compute,polars,sqlite,polars-sqlite,pipelines,reference,sqlite-full,postgres-full]
        Each mode runs as a child process; prints wall time, CPU time and peak RSS per run and the medians.
        postgres-full needs SOAKGATE_TEST_DATABASE_URL (bash ci/with-postgres.sh …); polars needs
        pip install polars adbc-driver-sqlite pyarrow.
        """)
    exit(0)
}

if arguments.count >= 2, arguments[1] == "--child" {
    try await BenchmarkChild.run(mode: arguments[2], csv: arguments[3], output: arguments[4])
    exit(0)
}

let seriesCount = Int(option("--series", "1000"))!
let draws = Int(option("--draws", "2000"))!
let runs = Int(option("--runs", "3"))!
// The full three-table runs write twice the rows of the 58-column ones and take minutes each.
let fullRuns = Int(option("--full-runs", "1"))!
let directory = option("--dir", "/tmp/loto-bench")
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
let csv = "\(directory)/draws-\(seriesCount)x\(draws).csv"
if !FileManager.default.fileExists(atPath: csv) {
    try AtomicFile.write(Data(BenchmarkData.csv(series: seriesCount, draws: draws).utf8), to: csv)
}
let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("polars_features.py")
    .path
let reference = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("reference_pipelines.py").path
let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
let database = ProcessInfo.processInfo.environment["SOAKGATE_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }

var modes: [(key: String, name: String, command: [String], full: Bool)] = [
    ("compute", "loto-features: 58 columns, compute only", [me, "--child", "compute", csv, "-"], false),
    ("polars", "polars: 58 columns, compute only", ["/usr/bin/env", "python3", script, csv], false),
    (
        "sqlite", "loto-features: 58 columns into SQLite",
        [me, "--child", "sqlite-core", csv, "\(directory)/ours.sqlite"], false
    ),
    (
        "polars-sqlite", "polars: 58 columns into SQLite (ADBC)",
        ["/usr/bin/env", "python3", script, csv, "\(directory)/polars.sqlite"], false
    ),
    ("pipelines", "loto-features: each pipeline alone, compute only", [me, "--child", "pipelines", csv, "-"], true),
    (
        "reference", "reference libraries: each pipeline alone (2 processes)",
        ["/usr/bin/env", "python3", reference, csv, "--jobs", "2"], true
    ),
    (
        "sqlite-full", "loto-features: all pipelines, three tables into SQLite",
        [me, "--child", "sqlite-full", csv, "\(directory)/full.sqlite"], true
    ),
]
if database != nil {
    modes.append(
        (
            "postgres-full", "loto-features: all pipelines, three tables into PostgreSQL",
            [me, "--child", "postgres-full", csv, "-"], true
        ))
}
let known = Set(modes.map(\.key)).union(["postgres-full"])
if arguments.contains("--modes") {
    let picked = option("--modes", "")
    let keys = picked.split(separator: ",").map(String.init)
    if let unknown = keys.first(where: { !known.contains($0) }) {
        FileHandle.standardError.write(
            Data("unknown mode \(unknown); the modes are \(known.sorted().joined(separator: ", "))\n".utf8))
        exit(2)
    }
    modes = modes.filter { keys.contains($0.key) }
}

print(
    "loto-features-benchmarks: \(seriesCount) series × \(draws) draws (\(seriesCount * draws) rows), \(runs) runs per mode, \(ProcessInfo.processInfo.activeProcessorCount) cores"
)
var results = [[Measurement]](repeating: [], count: modes.count)
for run in 1...runs {
    // Alternate the order so neither side always runs on a warmer machine.
    let order = run % 2 == 1 ? Array(modes.indices) : Array(modes.indices.reversed())
    for index in order where !modes[index].full || run <= fullRuns {
        for suffix in ["", "-wal", "-shm"] {
            if let path = modes[index].command.last, path.hasSuffix(".sqlite") {
                try? FileManager.default.removeItem(atPath: path + suffix)
            }
        }
        let measurement = try ChildProcess.measure(modes[index].command)
        results[index].append(measurement)
        print(
            "  run \(run) \(modes[index].name): \(String(format: "%.2f", measurement.seconds)) s (CPU \(String(format: "%.2f", measurement.cpuSeconds)) s), peak RSS \(measurement.peakRSSMiB) MiB; \(measurement.output)"
        )
        fflush(nil)
    }
}
print("\nmedians of \(runs) runs (\(fullRuns) for the full three-table runs):")
print("| mode | wall time (s) | CPU time (s) | peak RSS (MiB) |")
print("|---|---:|---:|---:|")
for (index, mode) in modes.enumerated() {
    let seconds = median(results[index].map(\.seconds))
    let cpu = median(results[index].map(\.cpuSeconds))
    let rss = median(results[index].map { Double($0.peakRSSMiB) })
    print("| \(mode.name) | \(String(format: "%.2f", seconds)) | \(String(format: "%.2f", cpu)) | \(Int(rss)) |")
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1
        ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}
