import Foundation
import XCTest

@testable import SoakGate
@testable import SoakGateReports

#if canImport(FoundationXML)
import FoundationXML
#endif

final class BenchRenderingTests: XCTestCase {
    /// 40 samples of 4,200 to 4,239 ns per iteration, taken out of order: median 4,219.5 ns.
    /// 7 allocations and 384 bytes per block of 3 iterations at the least.
    private func figures(unit: WorkloadUnit? = nil) -> BenchFigures {
        let wall = (0..<40).map { 4200 + Double(($0 * 17) % 40) }
        let timing = BenchTiming(
            warmupIterations: 2000, iterationsPerSample: 1000, wallNanoseconds: wall,
            cpuNanoseconds: wall.map { $0 * 0.9 }, peakResidentBytes: 12 << 20, threadCacheEnabled: true,
            stoppedBecause: "the median's interval was within ±2 %")
        let allocations = BenchAllocations(
            iterationsPerBlock: 3, allocationsPerBlock: [9, 7, 8], bytesPerBlock: [400, 384, 390])
        return BenchFigures(timing: timing, allocations: allocations, unit: unit)
    }

    private static let crash = Failure(
        reason: "killed by signal 4 (SIGILL): <boom>", exitStatus: nil, signal: 4, timedOut: false,
        outputTail: ["Fatal error: <boom>"], seconds: 0.5)

    private func benchReport() -> BenchReport {
        BenchReport(
            tool: .init(name: "soakgate", version: "test"), startedAt: "2026-11-22T00:00:00Z",
            host: .init(operatingSystem: "Linux", processorCount: 2, physicalMemoryBytes: 1 << 34),
            mallocConf: "background_thread:false", plan: BenchPlan(),
            workloads: [
                BenchResult(
                    name: "parse.issues", summary: "parses five issues",
                    figures: figures(unit: WorkloadUnit("issues", perIteration: 5)), failure: nil),
                BenchResult(name: "a<b>", summary: "a name that is markup", figures: figures(), failure: nil),
                BenchResult(name: "fixture.crash", summary: "", figures: nil, failure: Self.crash),
            ])
    }

    /// A leak report whose one workload also ran the benchmark half (`check --bench`).
    private func leakReportWithBench() throws -> LeakReport {
        var workload = WorkloadResult(
            name: "parse.issues", summary: "", verdict: .pass, growth: .none, bytesPerIteration: 16,
            bytesPerIterationLowerBound: 12, evidence: nil, ladder: [], samples: [], windows: [], fits: nil,
            theilSen: nil, seedRule: nil, sizeClasses: [], iterationsRun: 1000, durationSeconds: 1,
            jemallocVersion: "5.3.0", failure: nil)
        workload.unit = WorkloadUnit("issues", perIteration: 4)
        workload.bench = BenchResult(
            name: "parse.issues", summary: "", figures: figures(unit: workload.unit), failure: nil)
        var report = LeakReport(
            tool: .init(name: "soakgate", version: "test"), startedAt: "2026-11-22T00:00:00Z",
            host: .init(operatingSystem: "Linux", processorCount: 2, physicalMemoryBytes: 1 << 34),
            mallocConf: "tcache:false", plan: try MeasurementPlan(), workloads: [workload])
        report.bench = BenchPlan()
        return report
    }

    private func assertRefused(
        _ data: Data, saying expected: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try BenchReport.read(from: data, path: "bench-report.json"), file: file, line: line) {
            let text = "\($0)"
            XCTAssertTrue(text.hasPrefix("report 'bench-report.json' "), text, file: file, line: line)
            XCTAssertTrue(text.contains(expected), text, file: file, line: line)
            XCTAssertFalse(text.contains("\n"), "one line: \(text)", file: file, line: line)
        }
    }

    func testDurationsAndCountsKeepThreeSignificantDigits() {
        XCTAssertEqual(BenchText.duration(812), "812 ns")
        XCTAssertEqual(BenchText.duration(8.124), "8.12 ns")
        XCTAssertEqual(BenchText.duration(4210), "4.21 µs")
        XCTAssertEqual(BenchText.duration(13.0e6), "13.0 ms")
        XCTAssertEqual(BenchText.duration(1.52e9), "1.52 s")
        XCTAssertEqual(BenchText.duration(999.7), "1.00 µs", "rounding up moves to the next unit")
        XCTAssertEqual(BenchText.count(3), "3")
        XCTAssertEqual(BenchText.count(95094), "95,094")
        XCTAssertEqual(BenchText.count(7.0 / 3), "2.333")
        XCTAssertEqual(BenchText.count(2.5), "2.5")
        XCTAssertEqual(BenchText.count(1.0 / 4096), "0.000244", "a small rate does not read as 0")
    }

    func testMarkdownRowShowsTheMedianAndTheUnitThroughput() {
        let markdown = BenchMarkdown.render(benchReport())
        XCTAssertTrue(markdown.hasPrefix("### SoakGate bench: 3 workloads, 1 failed\n"), markdown)
        XCTAssertTrue(markdown.contains("| parse.issues | 4.22 µs | "), markdown)
        XCTAssertTrue(
            markdown.contains(" | 2.333 | 128 B | 12.0 MiB | 237,000 iterations/s · 1,180,000 issues/s |"), markdown)
        XCTAssertTrue(markdown.contains("| a\\<b\\> | 4.22 µs | "), "names are escaped")
        XCTAssertTrue(markdown.contains("| fixture.crash | **failed**: killed by signal 4 (SIGILL): \\<boom\\> | – |"))
        let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("| ") }
        XCTAssertEqual(rows.count, 5, "header, rule and one row per workload")
        for row in rows {
            XCTAssertEqual(row.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count, 11, String(row))
        }
    }

    func testHTMLDrawsOneHistogramPerMeasuredWorkloadAndEscapesNames() throws {
        let report = benchReport()
        let html = try BenchHTML.render(report)
        XCTAssertEqual(html, try BenchHTML.render(report))
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertEqual(html.components(separatedBy: "<svg").count - 1, 2, "one histogram per measured workload")
        XCTAssertTrue(html.contains("a&lt;b&gt;"))
        XCTAssertFalse(html.contains("a<b>"))
        XCTAssertFalse(html.contains("<boom>"))
        XCTAssertTrue(html.contains("median 4.22 µs"))
        XCTAssertTrue(html.contains("1,180,000 issues/s"))
        for external in ["<script", "<link", "src=", "@import", "url("] {
            XCTAssertFalse(html.contains(external), "the page must not load anything: found \(external)")
        }
    }

    /// With a baseline, the page shows the gate's table under the summary and each workload's
    /// decision, with its deltas, under its heading; without a gate, neither.
    func testHTMLShowsTheGateAndTheDeltasAgainstTheBaseline() throws {
        let report = benchReport()
        var baseline = report.workloads
        for index in baseline.indices {
            guard var figures = baseline[index].figures else { continue }
            figures.timing.wallNanoseconds = figures.timing.wallNanoseconds.map { $0 * 0.8 }
            baseline[index].figures = figures
        }
        let decisions = Gate.evaluateBench(report.workloads, baseline: baseline, rule: BenchRule())
        XCTAssertTrue(decisions.contains { $0.outcome == .rejected }, "25 % slower over 40 samples is a regression")
        let html = try BenchHTML.render(report, gate: decisions)
        XCTAssertTrue(html.contains("<h2>Gate: failed</h2>"))
        XCTAssertFalse(html.contains("a<b>"), "names are escaped in the gate's table too")
        let heading = try XCTUnwrap(html.range(of: "<h2 id=\"b1\">parse.issues</h2>"))
        let nextHeading = try XCTUnwrap(html.range(of: "<h2 id=\"b2\">", range: heading.upperBound..<html.endIndex))
        let section = html[heading.upperBound..<nextHeading.lowerBound]
        XCTAssertTrue(section.contains("gate: <span class=\"verdict leak\">rejected</span>"), String(section))
        XCTAssertTrue(section.contains("wall time per iteration rose +25.0 %"), String(section))
        XCTAssertFalse(try BenchHTML.render(report).contains("Gate:"))
    }

    func testHistogramBinsEverySampleAndMarksTheMedian() {
        let values = (0..<40).map { 4200 + Double($0) }
        let svg = BenchHTML.histogramSVG(values)
        XCTAssertEqual(svg, BenchHTML.histogramSVG(values.reversed()), "the order samples were taken in is not drawn")
        XCTAssertEqual(svg.components(separatedBy: "class=\"bar\"").count - 1, 20, "20 bins, none empty here")
        XCTAssertEqual(svg.components(separatedBy: "class=\"median\"").count - 1, 1)
        XCTAssertTrue(svg.contains(">4.20 µs<") && svg.contains(">4.24 µs<"), "the axis is labelled in durations")
        XCTAssertTrue(BenchHTML.histogramSVG([]).contains("no samples"))
        XCTAssertEqual(
            BenchHTML.histogramSVG([812, 812, 812]).components(separatedBy: "class=\"bar\"").count - 1, 1,
            "equal samples make one bar")
    }

    func testJUnitCarriesTheFiguresAsPropertiesAndAFailure() {
        let xml = BenchJUnit.render(benchReport())
        let parser = XMLParser(data: Data(xml.utf8))
        XCTAssertTrue(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")\n\(xml)")
        XCTAssertTrue(xml.contains("tests=\"3\" failures=\"1\""))
        XCTAssertTrue(xml.contains("<property name=\"bench.wall.median.ns\" value=\"4219.5\"/>"))
        XCTAssertTrue(xml.contains("<property name=\"bench.wall.p90.ns\""))
        XCTAssertTrue(xml.contains("<property name=\"bench.wall.p99.ns\""))
        XCTAssertTrue(xml.contains("<property name=\"bench.cpu.median.ns\""))
        XCTAssertTrue(xml.contains("<property name=\"bench.allocations.per.iteration\" value=\"2.333\"/>"))
        XCTAssertTrue(xml.contains("<property name=\"bench.bytes.per.iteration\" value=\"128\"/>"))
        XCTAssertTrue(xml.contains("<property name=\"bench.peak.rss.bytes\" value=\"12582912\"/>"))
        XCTAssertEqual(xml.components(separatedBy: "<properties>").count - 1, 2)
        XCTAssertTrue(xml.contains("name=\"a&lt;b&gt;\""))
        XCTAssertTrue(
            xml.contains("<failure message=\"killed by signal 4 (SIGILL): &lt;boom&gt;\" type=\"crashed\">"), xml)
    }

    func testALeakReportShowsItsBenchFiguresInEveryFormat() throws {
        let report = try leakReportWithBench()
        let markdown = MarkdownSummary.render(report)
        XCTAssertTrue(markdown.contains("| 16.0 B/iter (4 B/issue) |"), markdown)
        XCTAssertTrue(markdown.contains("\n\n#### Benchmarks\n\n| workload | median |"), markdown)
        XCTAssertTrue(markdown.contains("| parse.issues | 4.22 µs | "), markdown)

        let html = try HTMLReport.render(report)
        XCTAssertEqual(html.components(separatedBy: "<svg").count - 1, 1, "no readings to chart, one histogram")
        XCTAssertTrue(html.contains("<h3>Benchmark</h3>"))

        let xml = JUnitReport.render(report)
        XCTAssertTrue(XMLParser(data: Data(xml.utf8)).parse(), xml)
        XCTAssertTrue(xml.contains("<property name=\"bench.wall.median.ns\" value=\"4219.5\"/>"), xml)

        XCTAssertNil(MarkdownSummary.render(try leakReportWithoutBench()).range(of: "Benchmarks"))
    }

    private func leakReportWithoutBench() throws -> LeakReport {
        var report = try leakReportWithBench()
        report.bench = nil
        report.workloads[0].bench = nil
        return report
    }

    func testABenchReportRoundTripsThroughJSON() throws {
        let report = benchReport()
        let data = try report.jsonData()
        XCTAssertEqual(data, try report.jsonData())
        XCTAssertEqual(try BenchReport.read(from: data, path: "bench-report.json"), report)
    }

    func testAnotherKindOfReportIsRefusedNamingThePath() throws {
        var leak = benchReport()
        leak.kind = "leak"
        assertRefused(try leak.jsonData(), saying: "its kind is \"leak\"")
        assertRefused(try leakReportWithBench().jsonData(), saying: "it has no kind")
        assertRefused(Data("not json".utf8), saying: "is not valid JSON")
        assertRefused(Data(#"{"kind": "bench"}"#.utf8), saying: "has no schemaVersion")
        var newer = benchReport()
        newer.schemaVersion = BenchReport.currentSchemaVersion + 1
        assertRefused(try newer.jsonData(), saying: "newer than this soakgate reads")
    }

    func testANonFiniteOrNegativeFigureIsRefused() throws {
        var nan = benchReport()
        nan.workloads[0].figures!.wall.median = .nan
        assertRefused(try nan.jsonData(), saying: "workloads[0].figures.wall.median 'nan' is out of range")
        var negative = benchReport()
        negative.workloads[1].figures!.timing.cpuNanoseconds[3] = -1
        assertRefused(try negative.jsonData(), saying: "workloads[1].figures.timing.cpuNanoseconds[3]")
        var huge = benchReport()
        huge.workloads[0].figures!.allocatedBytesPerIteration = 2e18
        assertRefused(try huge.jsonData(), saying: "allocatedBytesPerIteration")
    }
}
