import SoakGateBasics

/// The ladder for one closure inside a test process, and the one-line message a test fails with.
/// The XCTest and Swift Testing helpers are thin wrappers around this.
public enum LeakCheck {
    /// Runs `body` through `plan` in this process (thread cache must be off: link
    /// `CSoakGateTCacheOff`, which the helper modules do) and analyses it. Blocks the calling
    /// thread; see ``InProcessMeasurement/measureBlocking(_:plan:)``.
    public static func run(
        _ name: String, plan: MeasurementPlan, _ body: @escaping @Sendable () async throws -> Void
    ) throws -> WorkloadResult {
        let definition = WorkloadDefinition(name, iteration: body)
        let record = try InProcessMeasurement.measureBlocking(definition, plan: plan)
        return WorkloadAnalysis.analyze(record, summary: "", plan: plan)
    }

    /// The failure text for a result, or nil when it passed: verdict, growth, slope, evidence.
    public static func failureMessage(_ result: WorkloadResult) -> String? {
        switch result.verdict {
        case .pass:
            return nil
        case .leak:
            let rate = result.bytesPerIteration.map(ByteCount.rate) ?? "?"
            return "\(result.name) leaks: \(result.growth.rawValue), \(rate); \(result.evidenceSummary ?? "")"
        case .inconclusive:
            return "\(result.name) is inconclusive: \(result.evidenceSummary ?? "")"
        case .crashed:
            return "\(result.name) could not be measured: \(result.failure?.reason ?? "no decision")"
        }
    }
}
