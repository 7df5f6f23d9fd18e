import ASTGraph
import CommandTestSupport
import Foundation
import LibPQ
import MemoryGovernor
import Synchronization
import XCTest

/// Inputs and checks shared by ``MemoryPressureTests``.
enum MemoryPressureSupport {
    /// `count` generated Swift files of about 30 KB and 25,000 nodes each, under a new
    /// temporary directory: big enough that a batch of them holds tens of MiB of graphs.
    static func largeSources(_ test: XCTestCase, count: Int) throws -> String {
        let root = try SampleSources.temporaryDirectory(test)
        for file in 0..<count {
            var lines = ["// Generated input \(file) for the memory-pressure tests.", "import Foundation", ""]
            for type in 0..<40 {
                lines.append("struct Type\(file)_\(type): Equatable {")
                for field in 0..<8 {
                    lines.append(
                        "    var field\(field): [Int] = [\(field), \(type), \(file), 42].map { $0 * \(field) + \(type) }"
                    )
                }
                lines.append(
                    "    func compute\(type)(_ x: Int, label: String = \"t\(type)\\twith \\\"quotes\\\"\") -> Int {")
                lines.append("        let y = x + field0.count * \(type)")
                lines.append(
                    "        if y > \(type) { return y &* 3 } else { return compute\(type)(y + 1, label: label) }")
                lines.append("    }")
                lines.append("}")
            }
            let name = "Large" + String(repeating: "0", count: 3 - String(file).count) + String(file) + ".swift"
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: root + "/" + name))
        }
        return root
    }

    /// What a stopped run printed: the files kept and the command it said to type.
    struct StopLine {
        var doneFiles: Int
        var totalFiles: Int
        var command: [String]
    }

    /// Parses the one line of a run the governor stopped; nil when `standardError` is not that
    /// line.
    static func stopLine(_ standardError: String) -> StopLine? {
        let lines = standardError.split(whereSeparator: \.isNewline)
        guard lines.count == 1, let line = lines.first.map(String.init),
            line.hasPrefix("ast2graph: error: stopped by the memory governor ("),
            let kept = line.range(of: "the first "), let type = line.range(of: "; to complete the run, type: ")
        else { return nil }
        let counts = line[kept.upperBound...].split(separator: " ")
        guard counts.count > 3, let done = Int(counts[0]), counts[1] == "of", let total = Int(counts[2]) else {
            return nil
        }
        var command = String(line[type.upperBound...])
        if let note = command.range(of: " (with your database URL where *** hides its credentials)"),
            note.upperBound == command.endIndex
        {
            command.removeSubrange(note)
        }
        return StopLine(doneFiles: done, totalFiles: total, command: ShellWords.split(command))
    }

    /// The report's evidence that the governor acted: a level of throttle or above, smaller
    /// batches or light batches, and caches dropped. Empty when all is there.
    static func missingDegradation(_ report: GovernorReport) -> [String] {
        var missing: [String] = []
        let job = report.jobs.first { $0.name == "ast2graph" }
        if !report.actions.contains(where: {
            $0.hasPrefix("throttle:") || $0.hasPrefix("refuse:") || $0.hasPrefix("emergency:")
        }) {
            missing.append("no level of throttle or above")
        }
        if let job {
            if !(job.smallestBatchSize < job.firstBatchSize || job.lightModeReads > 0) {
                missing.append(
                    "no smaller batch (first \(job.firstBatchSize), smallest \(job.smallestBatchSize)) and no light batch"
                )
            }
        } else {
            missing.append("no ast2graph job")
        }
        if !report.actions.contains(where: { $0.contains("dropped caches") }) { missing.append("no dropped caches") }
        return missing
    }

    /// The budget in MiB a third of the way from the start to the peak, rounded up.
    static func tightBudgetMiB(start: Int, peak: Int) -> Int {
        let bytes = start + (peak - start) / 3
        return (bytes + (1 << 20) - 1) >> 20
    }

    /// 0 when `left` and `right` hold the same rows, each as many times: the rows of `left`
    /// missing from `right`, counted with their multiplicity (`EXCEPT ALL`), plus the
    /// difference of the row counts (equal counts and nothing missing one way make the
    /// multisets equal).
    static func differingRows(_ connection: PostgresConnection, _ left: String, _ right: String) throws -> Int {
        let result = try connection.execute(
            """
            SELECT (SELECT count(*) FROM (SELECT * FROM \(left) EXCEPT ALL SELECT * FROM \(right)) a)
                 + abs((SELECT count(*) FROM (SELECT * FROM \(left)) l) - (SELECT count(*) FROM (SELECT * FROM \(right)) r))
            """)
        return Int(result.value(row: 0, column: 0) ?? "") ?? -1
    }

    static func count(_ connection: PostgresConnection, _ sql: String) throws -> Int {
        Int(try connection.execute(sql).value(row: 0, column: 0) ?? "") ?? -1
    }

    /// Drops every table a load under `prefix` makes.
    static func dropTables(_ connection: PostgresConnection, prefix: String) throws {
        for table in [
            "files", "nodes", "edges", "files_loading", "nodes_loading", "edges_loading", "loading_checkpoint",
        ] {
            try connection.execute("DROP TABLE IF EXISTS \(prefix)_\(table)")
        }
    }
}

/// Usage the test sets by hand.
final class DialledUsage: UsageSource {
    let bytes = Mutex(0)

    func set(_ value: Int) { bytes.withLock { $0 = value } }

    func currentUsage() -> MemoryUsage {
        let value = bytes.withLock { $0 }
        return MemoryUsage(liveBytes: value, residentBytes: value)
    }
}

/// Passes graphs on to `inner` and calls `onWrite` with the number written so far.
final class ObservingSink: GraphSink {
    let inner: any GraphSink
    let onWrite: (Int) -> Void
    private var written = 0

    init(_ inner: any GraphSink, onWrite: @escaping (Int) -> Void) {
        self.inner = inner
        self.onWrite = onWrite
    }

    func write(_ graph: FileGraph) throws {
        try inner.write(graph)
        written += 1
        onWrite(written)
    }

    func checkpoint() throws -> [Int] { try inner.checkpoint() }
    func finish() throws { try inner.finish() }
    func discard() { inner.discard() }
    func droppableBuffers() -> [DroppableBuffer] { inner.droppableBuffers() }
}
