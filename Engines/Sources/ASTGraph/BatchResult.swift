import Foundation

/// What a batch run did: totals, failed files, time and peak memory. Encodes to the summary
/// JSON (`files`, `processedFiles`, `failedFiles` with `path` and `reason`, `nodes`, `edges`,
/// `seconds`, `peakMemoryBytes`).
public struct BatchResult: Sendable, Equatable {
    /// Files in the run.
    public var files: Int
    /// Files that gave a graph.
    public var processedFiles: Int
    /// Files that gave none, with the reason, in input order.
    public var failures: [FileFailure]
    public var nodes: Int
    public var edges: Int
    /// Wall-clock seconds, including earlier attempts when resumed.
    public var seconds: Double
    /// The process's peak resident memory (VmHWM), 0 where it cannot be read.
    public var peakMemoryBytes: Int
    /// Files taken from a checkpoint instead of parsed again.
    public var resumedFiles: Int

    /// The summary file's JSON, keys sorted.
    public func summaryJSON() throws -> Data {
        struct Failed: Encodable {
            var path: String
            var reason: String
            var attempts: Int
        }
        struct Summary: Encodable {
            var files, processedFiles: Int
            var failedFiles: [Failed]
            var nodes, edges: Int
            var seconds: Double
            var peakMemoryBytes: Int
            var resumedFiles: Int
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return try encoder.encode(
            Summary(
                files: files, processedFiles: processedFiles,
                failedFiles: failures.map {
                    Failed(path: $0.path, reason: $0.reason.description, attempts: $0.attempts)
                },
                nodes: nodes, edges: edges, seconds: (seconds * 1000).rounded() / 1000,
                peakMemoryBytes: peakMemoryBytes,
                resumedFiles: resumedFiles))
    }
}

/// The process's peak resident set size from `/proc/self/status` (`VmHWM`), in bytes.
public func peakResidentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let digits = line.filter(\.isNumber)
        return (Int(digits) ?? 0) * 1024
    }
    return 0
}
