import Foundation
import SoakGateBasics

/// What a sharded run records, so that `soakgate merge` can tell shards of one plan from
/// shards of different plans and name the one that is missing.
public struct ShardStamp: Sendable, Equatable, Codable {
    /// This shard, counted from 1.
    public var index: Int
    public var count: Int
    /// Every workload the plan selected, in selection order, before it was divided.
    public var selection: [String]
    /// How the selection was divided: `name`, or `durations <digest>` when a previous report's
    /// durations balanced it (the digest is of those durations, so shards given different
    /// reports are refused).
    public var balancedBy: String
    /// This shard's workloads, in selection order.
    public var workloads: [String]

    public init(index: Int, count: Int, selection: [String], balancedBy: String, workloads: [String]) {
        self.index = index
        self.count = count
        self.selection = selection
        self.balancedBy = balancedBy
        self.workloads = workloads
    }
}

/// One shard of a merged report: where and when it ran.
public struct ShardRun: Sendable, Equatable, Codable {
    public var index: Int
    public var startedAt: String
    public var host: LeakReport.Host?
    public var workloads: [String]

    public init(index: Int, startedAt: String, host: LeakReport.Host?, workloads: [String]) {
        self.index = index
        self.startedAt = startedAt
        self.host = host
        self.workloads = workloads
    }
}

/// Divides a selection into shards, the same way on every machine.
public enum ShardPartition {
    /// The workloads of every shard, each in selection order.
    ///
    /// Longest first to the least-loaded shard (ties to the lower shard, then by name), with
    /// each workload's expected seconds from `durations`; a workload the durations do not name
    /// counts as their mean, and without durations every workload counts 1, which deals the
    /// names out in turn. The result depends only on the names, the count and the durations,
    /// never on the machine, and no shard is empty while there are as many workloads as shards.
    public static func partition(_ selection: [String], count: Int, durations: [String: Double] = [:]) -> [[String]] {
        precondition(count >= 1)
        let known = selection.compactMap { durations[$0] }.filter { $0.isFinite && $0 > 0 }
        let fallback = known.isEmpty ? 1 : known.reduce(0, +) / Double(known.count)
        func weight(_ name: String) -> Double {
            guard let seconds = durations[name], seconds.isFinite, seconds > 0 else { return fallback }
            return seconds
        }
        let order = selection.enumerated().sorted { left, right in
            let (a, b) = (weight(left.element), weight(right.element))
            return a != b ? a > b : left.element < right.element
        }
        var load = [Double](repeating: 0, count: count)
        var taken = [Int](repeating: 0, count: count)
        var shardOf = [Int](repeating: 0, count: selection.count)
        for (position, name) in order {
            // The least loaded, then the one with fewer workloads, then the lower index.
            var best = 0
            for shard in 1..<count where (load[shard], taken[shard]) < (load[best], taken[best]) { best = shard }
            load[best] += weight(name)
            taken[best] += 1
            shardOf[position] = best
        }
        var shards = [[String]](repeating: [], count: count)
        for (position, name) in selection.enumerated() { shards[shardOf[position]].append(name) }
        return shards
    }

    /// Seconds each workload of `report` took (its measurement, plus its timed runs' samples
    /// when it has them): what `--balance` divides by.
    public static func durations(of report: LeakReport) -> [String: Double] {
        var seconds: [String: Double] = [:]
        for workload in report.workloads where workload.durationSeconds.isFinite && workload.durationSeconds >= 0 {
            seconds[workload.name] = workload.durationSeconds + (workload.bench.map(Self.timedSeconds) ?? 0)
        }
        return seconds
    }

    /// Seconds each workload of a bench report spent in its timed run.
    public static func durations(of report: BenchReport) -> [String: Double] {
        var seconds: [String: Double] = [:]
        for workload in report.workloads { seconds[workload.name] = timedSeconds(workload) }
        return seconds
    }

    private static func timedSeconds(_ result: BenchResult) -> Double {
        guard let timing = result.figures?.timing else { return 0 }
        let total = timing.wallNanoseconds.reduce(0, +) * Double(timing.iterationsPerSample) / 1e9
        return total.isFinite && total >= 0 ? total : 0
    }

    /// What `balancedBy` records for `durations`: a digest of the names and milliseconds, so
    /// two shards balanced by different reports differ.
    public static func balanceLabel(_ durations: [String: Double]?) -> String {
        guard let durations else { return "name" }
        var text = ""
        for name in durations.keys.sorted() {
            let milliseconds = durations[name].map { $0.isFinite ? Int(min(max($0, 0), 1e12) * 1000) : 0 } ?? 0
            text += "\(name)=\(milliseconds)\n"
        }
        return "durations " + ShardSpec.fnv1a(text)
    }

    /// The stamp for shard `spec` of `selection`.
    public static func stamp(_ spec: ShardSpec, selection: [String], durations: [String: Double]?) -> ShardStamp {
        let shards = partition(selection, count: spec.count, durations: durations ?? [:])
        return ShardStamp(
            index: spec.index, count: spec.count, selection: selection, balancedBy: balanceLabel(durations),
            workloads: shards[spec.index - 1])
    }
}

/// A selection too small for its shards, or shard reports that do not join.
public enum ShardError: Error, CustomStringConvertible, Equatable {
    case tooFewWorkloads(spec: String, selected: Int)
    case notJoinable(String)

    public var description: String {
        switch self {
        case .tooFewWorkloads(let spec, let selected):
            return
                "--shard \(spec): only \(selected) workload\(selected == 1 ? " is" : "s are") selected, so shard \(spec.split(separator: "/").first ?? "") would be empty; use at most \(selected) shards"
        case .notJoinable(let why):
            return why
        }
    }
}
