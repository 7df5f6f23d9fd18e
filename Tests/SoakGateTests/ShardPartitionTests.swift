import SoakGateBasics
import XCTest

@testable import SoakGate

final class ShardPartitionTests: XCTestCase {
    private let names = (1...10).map { "w\($0 < 10 ? "0" : "")\($0)" }

    func testSpecsParseAndBadOnesSayWhy() throws {
        let spec = try ShardSpec(parsing: "2/4")
        XCTAssertEqual([spec.index, spec.count], [2, 4])
        for (text, why) in [
            ("0/3", "I must be 1 to 3"), ("4/3", "I must be 1 to 3"), ("a/b", "expected I/N"), ("1/0", "N must be"),
            ("2", "expected I/N"), (" 1/3", "expected I/N"), ("1/3/3", "expected I/N"), ("1/10001", "N must be"),
            ("1/1e3", "expected I/N"), ("١/٣", "expected I/N"),
        ] {
            XCTAssertThrowsError(try ShardSpec(parsing: text), text) { error in
                XCTAssertTrue(String(describing: error).contains(why), "\(text): \(error)")
            }
        }
    }

    /// By name: every workload in exactly one shard, shards in selection order, sizes differing
    /// by at most one, and the same answer whatever the order of the calls.
    func testByNameCoversEveryWorkloadOnce() {
        for count in 1...10 {
            let shards = ShardPartition.partition(names, count: count)
            XCTAssertEqual(shards.flatMap { $0 }.sorted(), names, "count \(count)")
            XCTAssertTrue(shards.allSatisfy { !$0.isEmpty }, "count \(count)")
            XCTAssertLessThanOrEqual(
                (shards.map(\.count).max() ?? 0) - (shards.map(\.count).min() ?? 0), 1, "count \(count)")
            for shard in shards { XCTAssertEqual(shard, names.filter(shard.contains), "selection order") }
            XCTAssertEqual(ShardPartition.partition(names, count: count), shards, "stable")
        }
        XCTAssertEqual(ShardPartition.partition(["c", "a", "b"], count: 2), [["c", "a"], ["b"]])
    }

    /// With durations: longest first to the least-loaded shard; an unknown workload counts as
    /// the mean of the known ones.
    func testDurationsBalanceTheLoad() {
        let durations: [String: Double] = ["a": 100, "b": 60, "c": 50, "d": 10, "e": 5]
        let shards = ShardPartition.partition(["a", "b", "c", "d", "e"], count: 2, durations: durations)
        // a → 1; b → 2; c → 2 (60 < 100); d → 1 (100 < 110); e → 1 (110 = 110, fewer workloads: 2 = 2, lower index).
        XCTAssertEqual(shards, [["a", "d", "e"], ["b", "c"]])
        // f is unknown: it weighs the mean, 45, and goes where the load is least.
        let withNew = ShardPartition.partition(["a", "b", "c", "d", "e", "f"], count: 3, durations: durations)
        XCTAssertEqual(withNew.flatMap { $0 }.sorted(), ["a", "b", "c", "d", "e", "f"])
        XCTAssertEqual(withNew[0], ["a"])
        XCTAssertNotEqual(
            ShardPartition.balanceLabel(durations), ShardPartition.balanceLabel(["a": 100]),
            "the digest tells them apart"
        )
        XCTAssertEqual(ShardPartition.balanceLabel(nil), "name")
    }

    func testMergeNamesTheFirstDifferenceAndTheMissingShard() throws {
        func report(_ index: Int, of count: Int, budget: Double = 60) throws -> ReportMerge.Shard<LeakReport> {
            let stamp = ShardPartition.stamp(
                try ShardSpec(parsing: "\(index)/\(count)"), selection: names, durations: nil)
            var report = LeakReport(
                tool: .init(name: "soakgate", version: "1"), startedAt: "2026-12-0\(index)T00:00:00Z",
                host: .init(operatingSystem: "host \(index)", processorCount: 2, physicalMemoryBytes: 1),
                mallocConf: "", plan: try MeasurementPlan(budgetSeconds: budget), workloads: [])
            report.workloads = stamp.workloads.map { Self.result($0) }
            report.shard = stamp
            return .init(path: "s\(index).json", report: report)
        }
        let merged = try ReportMerge.merge([try report(3, of: 3), try report(1, of: 3), try report(2, of: 3)])
        XCTAssertEqual(merged.workloads.map(\.name), names)
        XCTAssertEqual(merged.startedAt, "2026-12-01T00:00:00Z")
        XCTAssertEqual(merged.shards?.map(\.host?.operatingSystem), ["host 1", "host 2", "host 3"])

        XCTAssertThrowsError(try ReportMerge.merge([try report(1, of: 3), try report(3, of: 3)])) { error in
            XCTAssertTrue("\(error)".contains("shard 2/3 is missing"), "\(error)")
        }
        XCTAssertThrowsError(try ReportMerge.merge([try report(1, of: 2), try report(2, of: 3)])) { error in
            XCTAssertTrue("\(error)".contains("is of 2 shards"), "\(error)")
        }
        XCTAssertThrowsError(try ReportMerge.merge([try report(1, of: 2), try report(2, of: 2, budget: 30)])) { error in
            XCTAssertTrue("\(error)".contains("plan.budgetSeconds is 60 in one and 30 in the other"), "\(error)")
        }
        var lacking = try report(2, of: 2)
        lacking.report.workloads.removeLast()
        XCTAssertThrowsError(try ReportMerge.merge([try report(1, of: 2), lacking])) { error in
            XCTAssertTrue("\(error)".contains("has no result for w10"), "\(error)")
        }
        for (index, count) in [(0, 2), (3, 2), (1, 0), (1, -5), (1, Int.max)] {
            var hostile = try report(1, of: 2)
            hostile.report.shard?.index = index
            hostile.report.shard?.count = count
            XCTAssertThrowsError(try ReportMerge.merge([hostile])) { error in
                XCTAssertTrue("\(error)".contains("which is not a shard"), "\(index)/\(count): \(error)")
            }
        }
        var foreign = try report(2, of: 2)
        foreign.report.workloads.append(Self.result("w01"))
        XCTAssertThrowsError(try ReportMerge.merge([try report(1, of: 2), foreign])) { error in
            XCTAssertTrue("\(error)".contains("which its plan gives to another shard"), "\(error)")
        }
    }

    /// Bench reports merge by the same rules: in selection order, a missing shard named.
    func testBenchReportsMerge() throws {
        func report(_ index: Int, bench budget: Double = 10) throws -> ReportMerge.Shard<BenchReport> {
            let stamp = ShardPartition.stamp(try ShardSpec(parsing: "\(index)/2"), selection: names, durations: nil)
            var report = BenchReport(
                tool: .init(name: "soakgate", version: "1"), startedAt: "2026-12-0\(index)T00:00:00Z",
                host: .init(operatingSystem: "host \(index)", processorCount: 2, physicalMemoryBytes: 1),
                mallocConf: "", plan: BenchPlan(budgetSeconds: budget),
                workloads: stamp.workloads.map { BenchResult(name: $0, summary: "", figures: nil, failure: nil) })
            report.shard = stamp
            return .init(path: "b\(index).json", report: report)
        }
        let merged = try ReportMerge.merge([try report(2), try report(1)])
        XCTAssertEqual(merged.workloads.map(\.name), names)
        XCTAssertEqual(merged.shards?.map(\.index), [1, 2])
        XCTAssertNil(merged.shard)
        XCTAssertThrowsError(try ReportMerge.merge([try report(2)])) { error in
            XCTAssertTrue("\(error)".contains("shard 1/2 is missing"), "\(error)")
        }
        XCTAssertThrowsError(try ReportMerge.merge([try report(1), try report(2, bench: 5)])) { error in
            XCTAssertTrue("\(error)".contains("plan.budgetSeconds is 10 in one and 5 in the other"), "\(error)")
        }
    }

    private static func result(_ name: String) -> WorkloadResult {
        WorkloadResult(
            name: name, summary: "", verdict: .pass, growth: .none, bytesPerIteration: 0,
            bytesPerIterationLowerBound: nil, evidence: nil, ladder: [], samples: [], windows: [], fits: nil,
            theilSen: nil, seedRule: nil, sizeClasses: [], iterationsRun: 1, durationSeconds: 1, jemallocVersion: nil,
            failure: nil)
    }
}
