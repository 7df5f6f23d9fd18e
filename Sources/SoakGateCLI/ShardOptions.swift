import ArgumentParser
import SoakGate
import SoakGateBasics

/// `--shard I/N` and `--balance REPORT`: one machine's share of the selected workloads.
struct ShardOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Run only shard I of N (1/3, 2/3, 3/3) of the selected workloads; 'soakgate merge' joins the shards' reports.",
            discussion:
                "Every machine given the same selection, N and --balance report runs the same partition, so a CI matrix or a Kubernetes Indexed Job can give each runner its own I (Kubernetes counts from 0: pass $((JOB_COMPLETION_INDEX + 1))/N).",
            valueName: "I/N"),
        transform: { text in
            do {
                return try ShardSpec(parsing: text)
            } catch let error as ShardSpec.ParseError {
                throw OptionValueError(description: error.reason)
            }
        })
    var shard: ShardSpec?

    @Option(
        help: ArgumentHelp(
            "With --shard: divide by the durations in this earlier leak-report.json or bench-report.json (longest first, to the least-loaded shard) instead of dealing the names out in turn.",
            valueName: "report"))
    var balance: String?

    func validate() throws {
        if balance != nil && shard == nil {
            throw ValidationError("--balance goes with --shard; add --shard I/N, or drop --balance")
        }
    }

    /// This shard's workloads (in selection order) and the stamp its report keeps; every
    /// selected workload and nil without --shard. `selection` gives the order the stamp
    /// records (a soak's is sorted).
    func apply(_ selected: [WorkloadDefinition], sorted: Bool = false) throws -> ([WorkloadDefinition], ShardStamp?) {
        guard let shard else { return (selected, nil) }
        guard selected.count >= shard.count else {
            throw CommandError(
                exitCode: 2,
                description: ShardError.tooFewWorkloads(spec: shard.description, selected: selected.count).description)
        }
        let durations = try balance.map(Self.durations(from:))
        let names = selected.map(\.name)
        let stamp = ShardPartition.stamp(shard, selection: sorted ? names.sorted() : names, durations: durations)
        return (selected.filter { stamp.workloads.contains($0.name) }, stamp)
    }

    /// What a shard says before it starts: which share it runs.
    static func banner(_ stamp: ShardStamp) -> String {
        "soakgate: shard \(stamp.index)/\(stamp.count) (by \(stamp.balancedBy)): \(stamp.workloads.count) of \(stamp.selection.count) workloads: \(stamp.workloads.joined(separator: ", "))\n"
    }

    /// Seconds per workload of an earlier leak or bench report.
    private static func durations(from path: String) throws -> [String: Double] {
        do {
            let data = try InputFile.read(path, what: "--balance report")
            if GateCommand.kind(of: data) == "bench" {
                return ShardPartition.durations(of: try BenchReport.read(from: data, path: path))
            }
            return ShardPartition.durations(of: try LeakReport.read(from: data, path: path))
        } catch var error as ReportReadError {
            error.what = "--balance report"
            throw CommandError(exitCode: 2, description: error.description)
        }
    }
}
