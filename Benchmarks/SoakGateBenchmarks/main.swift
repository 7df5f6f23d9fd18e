import CJemallocBenchmarks
import Foundation
import HeapProbe

// Cost of one heap reading, against a peer in the same run: the same figures read by name
// (mallctl resolves the name each time), the way a first implementation would. Build in release:
//   swift build --package-path Benchmarks -c release --product soakgate-benchmarks
//   MALLOC_CONF=tcache:false Benchmarks/.build/release/soakgate-benchmarks
// Prints the median of 31 batches of 20,000 calls each, per operation.

let probe = try HeapProbe(requireExactFigures: false)
guard !probe.threadCacheEnabled else {
    print(
        "soakgate-benchmarks: jemalloc's thread cache is on, so readings are not exact; run with MALLOC_CONF=tcache:false"
    )
    exit(2)
}
let batches = 31
let callsPerBatch = 20_000

@inline(never)
func readByName() -> Int {
    var epoch: UInt64 = 1
    _ = mallctl("epoch", nil, nil, &epoch, MemoryLayout<UInt64>.size)
    var value = 0
    var length = MemoryLayout<Int>.size
    _ = mallctl("stats.allocated", &value, &length, nil, 0)
    return value
}

func medianNanoseconds(_ operation: () -> Int) -> (median: Double, low: Double, high: Double) {
    var perCall: [Double] = []
    var sink = 0
    for _ in 0..<batches {
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<callsPerBatch { sink &+= operation() }
        perCall.append(Double(DispatchTime.now().uptimeNanoseconds - start) / Double(callsPerBatch))
    }
    if sink == 42 { print("") }
    perCall.sort()
    return (perCall[batches / 2], perCall[batches / 4], perCall[3 * batches / 4])
}

let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: probe.sizeClasses.count)
counts.initialize(repeating: 0)
let rows: [(String, () -> Int)] = [
    ("peer: epoch + stats.allocated by name", { readByName() }),
    ("HeapProbe.liveBytes (epoch + allocated)", { probe.liveBytes() }),
    ("HeapProbe.snapshot (epoch + 5 stats + RSS)", { probe.snapshot().allocatedBytes }),
    (
        "HeapProbe.countLiveObjects (\(probe.sizeClasses.count) classes)",
        {
            probe.countLiveObjects(into: counts)
            return counts[0]
        }
    ),
]
print(
    "jemalloc \(probe.jemallocVersion), tcache \(probe.threadCacheEnabled ? "on" : "off"), \(ProcessInfo.processInfo.activeProcessorCount) cores"
)
print("operation | median µs | 25th–75th percentile µs")
for (name, operation) in rows {
    let figure = medianNanoseconds(operation)
    print(name + String(format: " | %.2f | %.2f–%.2f", figure.median / 1000, figure.low / 1000, figure.high / 1000))
}
