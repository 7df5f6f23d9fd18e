import Foundation
import HeapProbe
import XCTest

@testable import SoakGate
@testable import SoakGateReports

#if canImport(FoundationXML)
import FoundationXML
#endif

final class ReportRenderingTests: XCTestCase {
    static let heap = HeapSnapshot(
        allocatedBytes: 1, activeBytes: 2, residentBytes: 3, mappedBytes: 4, allocatorRetainedBytes: 5,
        processResidentBytes: 6)

    /// A measurement that follows `retained` through the default plan, as the runner would.
    private func result(_ name: String, summary: String = "", retained: (Int) -> Int) throws -> WorkloadResult {
        let plan = try MeasurementPlan()
        let outcome = RuleSimulation.run(plan, secondsPerIteration: 1e-4, retained: retained)
        let samples = outcome.samples.map {
            HeapSample(
                iterations: $0.iterations, retainedBytes: $0.retainedBytes, heap: Self.heap,
                elapsedSeconds: $0.elapsedSeconds)
        }
        var record = MeasurementRecord(
            workload: name, samples: samples, sizeClasses: [SizeClass(size: 16, kind: .small, index: 1)],
            liveObjectsAtBaseline: [3], liveObjectsAtEnd: [3 + samples.last!.retainedBytes / 16],
            jemallocVersion: "5.3.0",
            threadCacheEnabled: false, iterationsRun: samples.last!.iterations, durationSeconds: 1)
        record.stop = outcome.stop
        return WorkloadAnalysis.analyze(record, summary: summary, plan: plan)
    }

    private func report(_ workloads: [WorkloadResult]) throws -> LeakReport {
        LeakReport(
            tool: .init(name: "soakgate", version: "test"), startedAt: "2026-11-22T00:00:00Z",
            host: .init(operatingSystem: "Linux", processorCount: 2, physicalMemoryBytes: 1 << 34),
            mallocConf: "tcache:false", plan: try MeasurementPlan(), workloads: workloads)
    }

    private func hostileReport() throws -> LeakReport {
        let crash = WorkloadResult.crashed(
            name: "fixture.crash", summary: "",
            failure: Failure(
                reason: "killed by signal 4 (SIGILL): Fatal error: <boom> & \"more\"", exitStatus: nil, signal: 4,
                timedOut: false,
                outputTail: ["\u{1B}[31mred\u{1B}[0m </pre><script>x</script>"], seconds: 0.5))
        return try report([
            try result("<script>alert(1)</script>", summary: "a | b <b>bold</b> & 'quoted'") { 16 * $0 },
            try result("clean.one-off") { $0 >= 1 ? 4096 : 0 },
            crash,
        ])
    }

    func testHTMLIsSelfContainedAndDeterministic() throws {
        let report = try hostileReport()
        let html = try HTMLReport.render(report)
        XCTAssertEqual(html, try HTMLReport.render(report))
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertEqual(html.components(separatedBy: "<svg").count - 1, 2, "one chart per measured workload")
        for external in ["<script", "<link", "src=", "@import", "url("] {
            XCTAssertFalse(html.contains(external), "the page must not load anything: found \(external)")
        }
        let withoutNamespace = html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        XCTAssertFalse(withoutNamespace.contains("http://") || withoutNamespace.contains("https://"))
    }

    func testEveryStringIsEscapedInHTML() throws {
        let html = try HTMLReport.render(try hostileReport())
        XCTAssertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        XCTAssertTrue(html.contains("&lt;b&gt;bold&lt;/b&gt; &amp; &#39;quoted&#39;"))
        XCTAssertTrue(html.contains("&lt;/pre&gt;&lt;script&gt;x&lt;/script&gt;"))
        XCTAssertFalse(html.contains("<b>bold"))
    }

    func testChartDrawsTheFitOverTheReadings() throws {
        let leak = try result("leak") { 16 * $0 }
        let svg = HTMLReport.chart(leak)
        XCTAssertTrue(svg.contains("class=\"fit\""))
        XCTAssertEqual(svg.components(separatedBy: "class=\"point\"").count - 1, leak.samples.count - 1)
        XCTAssertEqual(
            svg.components(separatedBy: "class=\"marker\"").count - 1, leak.windows.count, "one marker per window")
        XCTAssertLessThan(
            svg.range(of: "class=\"point\"")!.lowerBound, svg.range(of: "class=\"fit\"")!.lowerBound,
            "the fit is drawn on top")
        XCTAssertFalse(svg.contains("log scale"), "a leak is drawn on a linear axis")
    }

    func testJUnitIsWellFormedAndCountsLeaksAndCrashes() throws {
        let xml = JUnitReport.render(try hostileReport())
        let parser = XMLParser(data: Data(xml.utf8))
        XCTAssertTrue(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")\n\(xml)")
        XCTAssertTrue(xml.contains("tests=\"3\" failures=\"1\" errors=\"1\""))
        XCTAssertTrue(xml.contains("name=\"&lt;script&gt;alert(1)&lt;/script&gt;\""))
        XCTAssertTrue(xml.contains("<failure message=\"leak (linear, 16.0 B/iter)\""))
        XCTAssertFalse(xml.contains("\u{1B}"), "control characters are dropped")
    }

    func testMarkdownListsLeaksFirstAndKeepsCellsIntact() throws {
        let markdown = MarkdownSummary.render(try hostileReport())
        let rows = markdown.split(separator: "\n").filter {
            $0.hasPrefix("| ") && !$0.hasPrefix("| workload") && !$0.hasPrefix("| ---")
        }
        XCTAssertEqual(rows.count, 3)
        XCTAssertTrue(rows[0].contains("**leak**"))
        XCTAssertTrue(rows[1].contains("**crashed**"))
        XCTAssertTrue(rows[2].contains("**pass**"))
        XCTAssertTrue(markdown.contains("\\<script\\>alert(1)\\</script\\>"))
        XCTAssertTrue(markdown.hasPrefix("### SoakGate: ⚠️ a workload crashed"))
        for row in rows {
            XCTAssertEqual(row.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count, 6, String(row))
        }
    }

    func testAWorkloadsOwnSectionIsRenderedAndEscaped() throws {
        var workload = try result("governed") { $0 >= 1 ? 64 : 0 }
        workload.section = ReportSection(title: "Usage <report>", rows: [["name", "peak"], ["job <b>x</b>", "10 B"]])
        let html = try HTMLReport.render(try report([workload]))
        XCTAssertTrue(html.contains("<h3>Usage &lt;report&gt;</h3>"))
        XCTAssertTrue(html.contains("<th>name</th><th>peak</th>"))
        XCTAssertTrue(html.contains("<td>job &lt;b&gt;x&lt;/b&gt;</td><td>10 B</td>"))
    }
}

/// The "which type grows and who holds it" section, from a hand-made walk: escaped everywhere,
/// drawn without ids or references, and in every format.
final class RetentionRenderingTests: XCTestCase {
    static let path = RetentionPath(
        root: .global, rootName: "App.<registry> & 'co'",
        steps: [
            RetentionStep(type: "App.Registry", field: nil, offset: 0),
            RetentionStep(type: "[Observer] buffer", field: "observers", offset: 16),
            RetentionStep(type: "App.Observer<Evil & 'x'>", field: "[3]", offset: 56),
            RetentionStep(type: "closure context", field: "onChange", offset: 24),
            RetentionStep(type: "App.Observer<Evil & 'x'>", field: nil, offset: 16),
        ],
        cycle: true)

    private func report() throws -> LeakReport {
        var workload = WorkloadResult.crashed(
            name: "app.observers", summary: "",
            failure: Failure(reason: "x", exitStatus: 1, signal: nil, timedOut: false, outputTail: [], seconds: 1))
        workload.verdict = .leak
        workload.failure = nil
        workload.allocationSites = AllocationAttribution(
            sites: [], note: nil,
            retention: RetentionReport(
                types: [
                    GrowingType(
                        name: "App.Observer<Evil & 'x'>", kind: .object, objectsBefore: 10, objectsAfter: 2010,
                        bytesBefore: 480, bytesAfter: 96480, objectsPerIteration: 1, bytesPerIteration: 48,
                        path: Self.path)
                ], iterations: 2000, blocks: 5000, bytes: 1 << 20, seconds: 0.25))
        return LeakReport(
            tool: .init(name: "soakgate", version: "test"), startedAt: "2026-12-03T00:00:00Z",
            host: .init(operatingSystem: "Linux", processorCount: 2, physicalMemoryBytes: 1 << 34),
            mallocConf: "tcache:false", plan: try MeasurementPlan(), workloads: [workload])
    }

    func testPathReadsFromRootToTheCycle() {
        XCTAssertEqual(
            Self.path.description,
            "global App.<registry> & 'co' → Registry → .observers [Observer] buffer → [3] Observer<Evil & 'x'> → .onChange closure context → Observer<Evil & 'x'> (cycle)"
        )
    }

    func testHTMLShowsTheTableAndAnEscapedDrawing() throws {
        let html = try HTMLReport.render(try report())
        XCTAssertTrue(html.contains("Which type grows, and who holds it"))
        XCTAssertTrue(html.contains("App.Observer&lt;Evil &amp; &#39;x&#39;&gt;"))
        XCTAssertFalse(html.contains("<Evil"))
        XCTAssertTrue(html.contains("<svg class=\"retention\""))
        XCTAssertTrue(html.contains(">cycle</text>"), "the cycle's closing arrow is labelled")
        XCTAssertTrue(html.contains("0 → 2010") || html.contains("10 → 2010"))
        XCTAssertFalse(html.contains("url("), "no references inside the page")
        let drawing = try XCTUnwrap(html.range(of: "<svg class=\"retention\"")).lowerBound
        let drawingText = html[drawing...].prefix { $0 != "\n" }
        XCTAssertFalse(drawingText.contains(" id=\""), "many drawings on a page share no ids")
    }

    func testMarkdownAndJUnitCarryTheHolder() throws {
        let report = try report()
        let markdown = MarkdownSummary.render(report)
        XCTAssertTrue(
            markdown.contains("grows: App.Observer\\<Evil & 'x'\\> (48.0 B/iter), held by global App.\\<registry\\>"),
            markdown)
        let junit = JUnitReport.render(report)
        XCTAssertTrue(
            junit.contains("grows: App.Observer&lt;Evil &amp; &apos;x&apos;&gt;")
                || junit.contains("grows: App.Observer&lt;Evil &amp; &#39;x&#39;&gt;"), junit)
    }

    func testLongChainsKeepTheirEnds() {
        let steps = (0..<40).map { RetentionStep(type: "node \($0)", field: "next", offset: 0) }
        let elided = ReferenceGraph.elided(steps)
        XCTAssertEqual(elided.count, 11)
        XCTAssertEqual(elided.first?.type, "node 0")
        XCTAssertEqual(elided[4].type, "… 30 more steps …")
        XCTAssertEqual(elided.last?.type, "node 39")
        XCTAssertEqual(ReferenceGraph.elided(Array(steps.prefix(12))).count, 12)
    }

    func testNamesReadAsSwiftSpellsThem() {
        XCTAssertEqual(HeapWalker.displayName("Swift._ContiguousArrayStorage<Swift.Int>"), "[Int] buffer")
        XCTAssertEqual(
            HeapWalker.displayName("Swift._ContiguousArrayStorage<Swift.Array<Swift.UInt8>>"), "[[UInt8]] buffer")
        XCTAssertEqual(
            HeapWalker.displayName("Swift._DictionaryStorage<Swift.String, App.Entry>"), "[String: App.Entry] storage")
        XCTAssertEqual(HeapWalker.displayName("Swift._SetStorage<Swift.Int>"), "Set<Int> storage")
        XCTAssertEqual(HeapWalker.displayName("Swift.__StringStorage"), "String storage")
        XCTAssertEqual(
            HeapWalker.displayName("App.Box<Swift.ContiguousArray<Swift.Int>>"), "App.Box<ContiguousArray<Int>>")
        XCTAssertEqual(ReferenceGraph.readableGlobal("static App.Center.shared"), "App.Center.shared")
        XCTAssertEqual(ReferenceGraph.readableGlobal("App.(cache in _0123ABCD)"), "App.cache")
        XCTAssertEqual(HeapWalker.elementName(of: "[UInt8] buffer"), "[UInt8]")
        XCTAssertEqual(HeapWalker.elementName(of: "App.Observer"), "Observer")
        XCTAssertEqual(HeapWalker.elementName(of: "Set<Int> storage"), "Set<Int>")
        XCTAssertNil(HeapWalker.elementName(of: "untyped 16 B block"))
        XCTAssertEqual(RetentionPath.shortName("App.Outer.Node"), "Outer.Node")
        XCTAssertEqual(RetentionPath.shortName("[Int] buffer"), "[Int] buffer")
        XCTAssertEqual(RetentionPath.shortName("closure context"), "closure context")
    }
}
