/// One unit of work the harness repeats and measures.
///
/// Adopt it in your own package: `setUp()` and `tearDown()` run outside the measurement,
/// `run()` is one iteration. Each workload is measured in a process of its own, so state kept
/// in the value (or in globals) lives exactly as long as one measurement.
///
/// ```swift
/// struct ParseInvoice: Workload {
///     var parser = InvoiceParser()
///     mutating func run() async throws { _ = try parser.parse(sampleInvoice) }
/// }
/// ```
public protocol Workload: SendableMetatype {
    /// Prepares state before the baseline is read. Not measured.
    mutating func setUp() async throws
    /// One iteration. Memory it keeps beyond its return is what the harness measures.
    mutating func run() async throws
    /// Releases state after the last reading. Not measured.
    mutating func tearDown() async throws
    /// A table the workload adds to the report about itself (a usage report, say), read after
    /// the last reading and before tear-down. Nil (the default) adds nothing.
    func reportSection() -> ReportSection?
}

extension Workload {
    public mutating func setUp() async throws {}
    public mutating func tearDown() async throws {}
    public func reportSection() -> ReportSection? { nil }
}

/// A workload's own table in the report: a title and rows of text, the first row the header.
/// Every cell is escaped where it is shown.
public struct ReportSection: Sendable, Equatable, Codable {
    public var title: String
    public var rows: [[String]]

    public init(title: String, rows: [[String]]) {
        self.title = title
        self.rows = rows
    }
}

/// A named workload the harness can list, select and measure.
///
/// `make` builds a fresh workload in the measuring process; it runs there only, so the
/// value it returns never crosses a process or a task boundary.
public struct WorkloadDefinition: Sendable {
    /// Dotted name used on the command line, e.g. `parser.invoice`.
    public let name: String
    /// One sentence for `soakgate list` and the report.
    public let summary: String
    /// Whether `soakgate check` without `--workload` measures it. Planted leaks say no: they
    /// exist to show the harness finding a leak, and run only when named.
    public let runsByDefault: Bool
    /// What one iteration handles (`issues`, `nodes`, `draws`), when it says; nil otherwise.
    public let unit: WorkloadUnit?
    /// Builds the workload in the measuring process.
    public let make: @Sendable () -> any Workload

    /// A workload built from a type that adopts ``Workload``.
    public init<W: Workload>(
        _ name: String, summary: String = "", runsByDefault: Bool = true, unit: WorkloadUnit? = nil,
        make: @escaping @Sendable () -> W
    ) {
        self.name = name
        self.summary = summary
        self.runsByDefault = runsByDefault
        self.unit = unit
        self.make = { make() }
    }

    /// A workload whose iteration is a closure, for work that keeps no state between
    /// iterations.
    public init(
        _ name: String, summary: String = "", runsByDefault: Bool = true, unit: WorkloadUnit? = nil,
        iteration: @escaping @Sendable () async throws -> Void
    ) {
        self.init(name, summary: summary, runsByDefault: runsByDefault, unit: unit) {
            ClosureWorkload(iteration: iteration)
        }
    }
}

/// A stateless workload: each iteration calls the closure.
struct ClosureWorkload: Workload {
    let iteration: @Sendable () async throws -> Void
    mutating func run() async throws { try await iteration() }
}
