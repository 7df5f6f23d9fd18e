import CommandTestSupport
import Foundation
import SoakGate
import XCTest

/// The heap walk of a profiled run, in the real child process the harness starts (the walk needs
/// SOAKGATE_HEAP_WALK=1 before the process's first allocation, which a test bundle cannot have).
final class RetentionWalkTests: XCTestCase {
    private func walk(_ name: String) async throws -> RetentionReport {
        let plan = try MeasurementPlan()
        let runner = IsolatedMeasurement(
            executable: try Command.path(of: "soakgate"), plan: plan, timeoutSeconds: 300,
            baseEnvironment: ProcessInfo.processInfo.environment)
        // Only the name crosses to the child; the parent never makes the workload.
        let definition = WorkloadDefinition(name, iteration: {})
        let attribution = await runner.attributeAllocationSites(definition)
        return try XCTUnwrap(attribution.retention, "\(name): \(attribution.note ?? "no walk")")
    }

    /// The not-a-leak cases that grow at first and are flat by the walk's window (a one-off
    /// table, a cache bounded at 64 entries, a thread started once, a lazy singleton): between
    /// the two walks no type grows. Task groups and concurrentPerform are not here: they fill a
    /// runtime pool of about a thousand 64-byte blocks over their first few thousand iterations
    /// (the measuring run's bound of about 65 KiB), which the walk, 1,000 to 3,000 iterations in,
    /// sees filling; a window past it takes minutes with every allocation profiled
    /// (docs/method.md, limits).
    func testCleanCasesShowNoGrowingType() async throws {
        for name in ["one-off-init", "bounded-cache", "thread-once", "lazy-singleton"] {
            let retention = try await walk("planted.clean." + name)
            XCTAssertNil(retention.note, name)
            XCTAssertGreaterThan(retention.blocks, 100, "\(name): the walk saw the heap")
            XCTAssertEqual(retention.types.map(\.name), [], name)
        }
    }

    /// A task group's pool fills over the walk's window: what grows is one pool of 64-byte
    /// blocks in a chain, held from the workload's own task, and nothing typed.
    func testTaskGroupPoolIsTheOnlyGrowth() async throws {
        let retention = try await walk("planted.clean.task-group")
        XCTAssertNil(retention.note)
        for type in retention.types {
            XCTAssertEqual(type.name, "untyped 64 B block")
            XCTAssertLessThan(type.objectsAfter, 2048, "a pool of about a thousand blocks, not a leak")
        }
    }

    /// A process started without the live-block table says so instead of walking half a heap.
    func testWalkWithoutTheTableSaysWhy() throws {
        XCTAssertEqual(HeapWalker.unavailableReason, "the process was not started with SOAKGATE_HEAP_WALK=1")
        XCTAssertThrowsError(try HeapWalker())
    }
}
