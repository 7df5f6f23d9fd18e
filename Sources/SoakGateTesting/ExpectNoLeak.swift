import CSoakGateTCacheOff
import SoakGate
import Testing

/// Records an issue if `body` leaks: runs it through the ladder (and confirmation windows) in
/// this process and reports the verdict, growth class and slope.
///
/// ```swift
/// @Test func parserDoesNotLeak() async {
///     await expectNoLeak { _ = try Parser().parse(sample) }
/// }
/// ```
/// The heap is the whole process's, and Swift Testing runs tests in parallel: put leak tests in
/// a `.serialized` suite and run them apart (`swift test --no-parallel`, or a test target of
/// their own), or another test's allocations count as theirs. Linking this module turns
/// jemalloc's thread cache off for the whole test process.
public func expectNoLeak(
    _ name: String = "closure", plan: MeasurementPlan? = nil, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: @escaping @Sendable () async throws -> Void
) async {
    _ = soakgate_compiled_malloc_conf()
    do {
        let plan = try plan ?? MeasurementPlan()
        let definition = WorkloadDefinition(name, iteration: body)
        let record = try await Task.detached { try await InProcessMeasurement.measure(definition, plan: plan) }.value
        let result = WorkloadAnalysis.analyze(record, summary: "", plan: plan)
        if let message = LeakCheck.failureMessage(result) {
            Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record(Comment(rawValue: "\(name) could not be measured: \(error)"), sourceLocation: sourceLocation)
    }
}
