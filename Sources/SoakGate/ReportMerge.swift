import Foundation
import SoakGateBasics

/// Joins the reports of `--shard I/N` runs into the report one unsharded run would have
/// written: the workloads in selection order, the plan once, and where each shard ran.
///
/// Reports are joined only when they are shards of one plan: the same soakgate and Swift
/// versions, settings, selection and division. The first difference is named, and so is a
/// shard that is missing or given twice.
public enum ReportMerge {
    /// A report and the path it was read from (the path names it in errors).
    public struct Shard<Report: Sendable>: Sendable {
        public var path: String
        public var report: Report
        public init(path: String, report: Report) {
            self.path = path
            self.report = report
        }
    }

    /// Leak reports of `soakgate check --shard`.
    public static func merge(_ shards: [Shard<LeakReport>]) throws -> LeakReport { try mergeRuns(shards) }

    /// Bench reports of `soakgate bench --shard`.
    public static func merge(_ shards: [Shard<BenchReport>]) throws -> BenchReport { try mergeRuns(shards) }

    /// A leak or bench report: one run on one host, its results by workload.
    static func mergeRuns<Report: ShardedRunReport>(_ shards: [Shard<Report>]) throws -> Report {
        let stamped = try stamps(shards) { $0.shard }
        try samePlan(shards) { report in
            var plan = report
            plan.startedAt = ""
            plan.host = .init(operatingSystem: "", processorCount: 0, physicalMemoryBytes: 0)
            plan.workloads = []
            plan.shard?.index = 0
            plan.shard?.workloads = []
            return plan
        }
        var merged = stamped[0].report
        merged.workloads = try joined(stamped, results: { $0.workloads }, name: Report.name(of:))
        merged.startedAt = stamped.map(\.report.startedAt).min() ?? merged.startedAt
        merged.shard = nil
        merged.shards = stamped.map {
            ShardRun(
                index: $0.stamp.index, startedAt: $0.report.startedAt, host: $0.report.host,
                workloads: $0.stamp.workloads)
        }
        return merged
    }

    /// Soak reports of `soakgate soak --shard`: one soak per shard, side by side in time.
    public static func merge(_ shards: [Shard<SoakReport>]) throws -> SoakReport {
        let stamped = try stamps(shards) { $0.manifest.shard }
        try samePlan(shards) { report in
            var plan = report
            plan.manifest.startedAt = ""
            plan.manifest.workloads = []
            plan.manifest.shard?.index = 0
            plan.manifest.shard?.workloads = []
            plan.state = ""
            plan.unreadableLines = []
            plan.events = []
            plan.workloads = []
            return plan
        }
        var merged = stamped[0].report
        merged.workloads = try joined(stamped, results: { $0.workloads }, name: \.name)
        merged.manifest.workloads = stamped[0].stamp.selection.sorted()
        merged.manifest.startedAt = stamped.map(\.report.manifest.startedAt).min() ?? merged.manifest.startedAt
        merged.manifest.shard = nil
        // Every shard's own state when they differ: one shard stopped early is worth seeing.
        let states = Set(stamped.map(\.report.state))
        merged.state =
            states.count == 1
            ? stamped[0].report.state
            : stamped.map { "shard \($0.stamp.index)/\($0.stamp.count): \($0.report.state)" }.joined(separator: "; ")
        merged.unreadableLines = stamped.flatMap { shard in
            shard.report.unreadableLines.map { "shard \(shard.stamp.index)/\(shard.stamp.count): \($0)" }
        }
        merged.events = stamped.flatMap(\.report.events).enumerated()
            .sorted { ($0.element.elapsedSeconds, $0.offset) < ($1.element.elapsedSeconds, $1.offset) }
            .map(\.element)
        merged.shards = stamped.map {
            ShardRun(
                index: $0.stamp.index, startedAt: $0.report.manifest.startedAt, host: nil,
                workloads: $0.stamp.workloads)
        }
        return merged
    }

    // MARK: - Checks shared by the three kinds

    struct Stamped<Report: Sendable> {
        var path: String
        var report: Report
        var stamp: ShardStamp
    }

    /// The shards in index order, each with its stamp; refuses an unsharded report, a shard
    /// given twice, shards of different counts, and names the first missing shard.
    static func stamps<Report>(_ shards: [Shard<Report>], _ stamp: (Report) -> ShardStamp?) throws
        -> [Stamped<Report>]
    {
        guard !shards.isEmpty else { throw ShardError.notJoinable("no reports to merge") }
        var byIndex: [Int: Stamped<Report>] = [:]
        for shard in shards {
            guard let found = stamp(shard.report) else {
                throw ShardError.notJoinable(
                    "'\(shard.path)' is not a shard's report (it ran without --shard): there is nothing to merge it with"
                )
            }
            // From a file: range-checked before a loop or an index uses them.
            guard (1...ShardSpec.maximumCount).contains(found.count), (1...found.count).contains(found.index) else {
                throw ShardError.notJoinable(
                    "'\(shard.path)' says it is shard \(found.index)/\(found.count), which is not a shard (I from 1 to N, N from 1 to \(ShardSpec.maximumCount))"
                )
            }
            if let first = byIndex.values.first, first.stamp.count != found.count {
                throw ShardError.notJoinable(
                    "'\(shard.path)' is shard \(found.index)/\(found.count) but '\(first.path)' is of \(first.stamp.count) shards; merge the shards of one run"
                )
            }
            if let twin = byIndex[found.index] {
                throw ShardError.notJoinable(
                    "'\(twin.path)' and '\(shard.path)' are both shard \(found.index)/\(found.count); give each shard once"
                )
            }
            byIndex[found.index] = Stamped(path: shard.path, report: shard.report, stamp: found)
        }
        let count = byIndex.values.first!.stamp.count
        for index in 1...count where byIndex[index] == nil {
            throw ShardError.notJoinable(
                "shard \(index)/\(count) is missing (\(byIndex.count) of \(count) given); add its report, or run it with --shard \(index)/\(count)"
            )
        }
        return (1...count).map { byIndex[$0]! }
    }

    /// Refuses shards whose plans differ, naming the first field that does. `plan` blanks
    /// what differs between shards of one run (start time, host, results, own index).
    static func samePlan<Report: Encodable>(_ shards: [Shard<Report>], plan: (Report) -> Report) throws {
        let first = try JSONSerialization.jsonObject(with: ReportJSON.encode(plan(shards[0].report)))
        for shard in shards.dropFirst() {
            let other = try JSONSerialization.jsonObject(with: ReportJSON.encode(plan(shard.report)))
            if let (field, left, right) = JSONDifference.first(first, other, at: "") {
                throw ShardError.notJoinable(
                    "'\(shards[0].path)' and '\(shard.path)' are shards of different plans: \(field) is \(left) in one and \(right) in the other; run every shard with the same soakgate and settings"
                )
            }
        }
    }

    /// Every shard's results, in the selection's order; refuses a shard that lacks one of its
    /// workloads or holds another's.
    static func joined<Report, Result>(
        _ stamped: [Stamped<Report>], results: (Report) -> [Result], name: (Result) -> String
    ) throws -> [Result] {
        var byName: [String: Result] = [:]
        var owner: [String: String] = [:]
        for shard in stamped {
            for result in results(shard.report) {
                let workload = name(result)
                guard shard.stamp.workloads.contains(workload) else {
                    throw ShardError.notJoinable(
                        "'\(shard.path)' (shard \(shard.stamp.index)/\(shard.stamp.count)) has a result for \(workload), which its plan gives to another shard"
                    )
                }
                if let other = owner[workload] {
                    throw ShardError.notJoinable("'\(other)' and '\(shard.path)' both have a result for \(workload)")
                }
                byName[workload] = result
                owner[workload] = shard.path
            }
            if let missing = shard.stamp.workloads.first(where: { byName[$0] == nil }) {
                throw ShardError.notJoinable(
                    "'\(shard.path)' (shard \(shard.stamp.index)/\(shard.stamp.count)) has no result for \(missing); rerun that shard"
                )
            }
        }
        let selection = stamped[0].stamp.selection
        if let stray = byName.keys.sorted().first(where: { !selection.contains($0) }) {
            throw ShardError.notJoinable("\(stray) is not in the shards' selection")
        }
        return selection.compactMap { byName[$0] }
    }
}

/// The first place two decoded JSON values differ, as a dotted path and both values.
enum JSONDifference {
    static func first(_ left: Any, _ right: Any, at path: String) -> (String, String, String)? {
        switch (left, right) {
        case (let a as [String: Any], let b as [String: Any]):
            for key in Set(a.keys).union(b.keys).sorted() {
                let place = path.isEmpty ? key : path + "." + key
                guard let x = a[key], let y = b[key] else {
                    return (place, a[key].map(shown) ?? "absent", b[key].map(shown) ?? "absent")
                }
                if let found = first(x, y, at: place) { return found }
            }
            return nil
        case (let a as [Any], let b as [Any]):
            if a.count != b.count { return (path, "\(a.count) items", "\(b.count) items") }
            for (index, (x, y)) in zip(a, b).enumerated() {
                if let found = first(x, y, at: "\(path)[\(index)]") { return found }
            }
            return nil
        default:
            return shown(left) == shown(right) ? nil : (path, shown(left), shown(right))
        }
    }

    /// A leaf as one short line.
    static func shown(_ value: Any) -> String {
        if let text = value as? String { return String(reflecting: String(text.prefix(80))) }
        if value is [Any] || value is [String: Any] { return "a structure" }
        return "\(value)"
    }
}

/// What ``ReportMerge`` needs of a leak or bench report.
protocol ShardedRunReport: Sendable, Encodable {
    associatedtype Result
    var startedAt: String { get set }
    var host: LeakReport.Host { get set }
    var workloads: [Result] { get set }
    var shard: ShardStamp? { get set }
    var shards: [ShardRun]? { get set }
    static func name(of result: Result) -> String
}

extension LeakReport: ShardedRunReport {
    static func name(of result: WorkloadResult) -> String { result.name }
}

extension BenchReport: ShardedRunReport {
    static func name(of result: BenchResult) -> String { result.name }
}
