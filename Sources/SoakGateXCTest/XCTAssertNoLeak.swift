import CSoakGateTCacheOff
import SoakGate
import XCTest

/// Fails the test if `body` leaks: runs it through the ladder (and confirmation windows) in
/// this process and reports the verdict, growth class and slope.
///
/// ```swift
/// func testParserDoesNotLeak() {
///     XCTAssertNoLeak { _ = try Parser().parse(sample) }
/// }
/// ```
/// Use it from a synchronous test method: an `async` one makes XCTest spin the main run loop,
/// which itself keeps memory as time passes. Linking this module turns jemalloc's thread cache
/// off for the whole test process, so figures are exact.
public func XCTAssertNoLeak(
    _ name: String = #function, plan: MeasurementPlan? = nil, file: StaticString = #filePath, line: UInt = #line,
    _ body: @escaping @Sendable () async throws -> Void
) {
    _ = soakgate_compiled_malloc_conf()
    do {
        let result = try LeakCheck.run(name, plan: try plan ?? MeasurementPlan(), body)
        if let message = LeakCheck.failureMessage(result) {
            XCTFail(message, file: file, line: line)
        }
    } catch {
        XCTFail("\(name) could not be measured: \(error)", file: file, line: line)
    }
}
