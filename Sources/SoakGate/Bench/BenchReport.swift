import Foundation

/// `bench-report.json`: one run of `soakgate bench`. `soakgate check --bench` puts the same
/// figures into the leak report instead (``LeakReport/bench`` and ``WorkloadResult/bench``).
public struct BenchReport: Sendable, Equatable, Codable {
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    /// Always `bench`: what tells this report from a leak or soak report.
    public var kind: String
    public var tool: LeakReport.Tool
    public var swiftVersion: String
    public var startedAt: String
    public var host: LeakReport.Host
    /// jemalloc options of the timed runs (the counting runs add `tcache:false`).
    public var mallocConf: String
    public var plan: BenchPlan
    public var workloads: [BenchResult]
    /// Which share of the selection this run timed (`bench --shard I/N`); nil otherwise.
    public var shard: ShardStamp?
    /// The shards a merged report joins (`soakgate merge`); nil for a report of one run.
    public var shards: [ShardRun]?

    public init(
        tool: LeakReport.Tool, startedAt: String, host: LeakReport.Host, mallocConf: String, plan: BenchPlan,
        workloads: [BenchResult]
    ) {
        schemaVersion = Self.currentSchemaVersion
        kind = "bench"
        self.tool = tool
        swiftVersion = SwiftCompilerVersion.current
        self.startedAt = startedAt
        self.host = host
        self.mallocConf = mallocConf
        self.plan = plan
        self.workloads = workloads
    }

    /// 3 if a workload crashed, else 0: a benchmark alone judges nothing; the gate does.
    public var exitCode: Int32 { workloads.contains { $0.failure != nil } ? 3 : 0 }
}
