import Foundation
import Mustache
import SoakGate
import SoakGateBasics

/// How the benchmark half's figures read, the same in every format: durations, counts and
/// rates to three significant digits, which is as much as a ±2 % interval supports.
public enum BenchFormat {
    /// Iterations per second, and units per second when the workload declares a unit:
    /// `237,000 iterations/s · 1,180,000 issues/s`.
    public static func throughput(_ figures: BenchFigures) -> String {
        var text = perSecond(figures.iterationsPerSecond, "iterations")
        if let unit = figures.unit, let perUnit = figures.perUnit {
            text += " · " + perSecond(perUnit.unitsPerSecond, unit.name)
        }
        return text
    }

    /// `1,240 issues/s`: three significant digits, thousands grouped.
    static func perSecond(_ value: Double, _ name: String) -> String {
        guard value.isFinite else { return "– \(name)/s" }
        let rounded = BenchText.significant(value)
        let number =
            abs(rounded) >= 1000 && abs(rounded) < 9e18 ? ByteCount.grouped(Int(rounded)) : BenchText.digits(rounded)
        return "\(number) \(name)/s"
    }

    /// Bytes per unit of work, written as ``ByteCount/rate(_:)`` writes bytes per iteration:
    /// `3.20 B/issue`.
    static func bytesPerUnit(_ bytes: Double, unit: String) -> String {
        let magnitude = abs(bytes)
        let amount =
            magnitude >= 1024
            ? ByteCount.format(bytes)
            : magnitude >= 10 || magnitude == 0 ? String(format: "%.1f B", bytes) : String(format: "%.3g B", bytes)
        return amount + "/" + singular(unit)
    }

    /// `issues` → `issue`: enough for the plural names workloads give their units.
    static func singular(_ name: String) -> String {
        name.count > 1 && name.hasSuffix("s") ? String(name.dropLast()) : name
    }

    /// The summary columns every format shows after the workload's name.
    static let summaryHeader = [
        "median", "95 % interval", "p90", "p99", "CPU/iter", "allocs/iter", "bytes/iter", "peak RSS", "throughput",
    ]

    /// One workload's cells under ``summaryHeader``, unescaped.
    static func summaryCells(_ figures: BenchFigures) -> [String] {
        let wall = figures.wall
        return [
            BenchText.duration(wall.median),
            BenchText.duration(wall.medianLow95) + " – " + BenchText.duration(wall.medianHigh95),
            BenchText.duration(wall.p90),
            BenchText.duration(wall.p99),
            BenchText.duration(figures.cpu.median),
            BenchText.count(figures.allocationsPerIteration),
            ByteCount.format(figures.allocatedBytesPerIteration),
            ByteCount.format(figures.timing.peakResidentBytes),
            throughput(figures),
        ]
    }

}

/// The benchmark figures as Markdown for a pull-request comment or `$GITHUB_STEP_SUMMARY`:
/// alone (`soakgate bench`) or under a leak summary (`soakgate check --bench`).
public enum BenchMarkdown {
    /// One row per workload in the given order; a failed workload's row gives the reason.
    public static func table(_ results: [BenchResult]) -> String {
        let columns = BenchFormat.summaryHeader.count
        var lines = [
            "| workload | " + BenchFormat.summaryHeader.joined(separator: " | ") + " |",
            "| --- |" + String(repeating: " ---: |", count: columns),
        ]
        for result in results {
            let cells: [String]
            if let figures = result.figures {
                cells = BenchFormat.summaryCells(figures).map(MarkdownSummary.escape)
            } else {
                let reason = result.failure.map { "**failed**: " + MarkdownSummary.escape($0.reason) }
                cells = [reason ?? "no figures"] + Array(repeating: "–", count: columns - 1)
            }
            lines.append("| " + ([MarkdownSummary.escape(result.name)] + cells).joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A headline, the tool and the plan, then ``table(_:)``.
    public static func render(_ report: BenchReport) -> String {
        let count = report.workloads.count
        let failed = report.workloads.filter { $0.failure != nil }.count
        var headline = "### SoakGate bench: \(count) workload\(count == 1 ? "" : "s")"
        if failed > 0 { headline += ", \(failed) failed" }
        let plan = report.plan
        let tool = "\(MarkdownSummary.escape(report.tool.name)) \(MarkdownSummary.escape(report.tool.version))"
        let meta =
            "\(tool) · budget \(String(format: "%g", plan.budgetSeconds)) s per workload after \(String(format: "%g", plan.warmupSeconds)) s warm-up · times per iteration"
        return [headline, "", meta, "", table(report.workloads)].joined(separator: "\n")
    }
}

/// The benchmark figures as HTML: a self-contained page for `soakgate bench`, and the
/// per-workload fragment the leak report's page shows for `soakgate check --bench`.
public enum BenchHTML {
    /// The page: the summary table, then per workload its histogram and figures. The same report
    /// always renders to the same bytes.
    /// With `gate`, the gate's decisions show as on the leak report's page: a table under the
    /// summary and each workload's line, with its deltas against the baseline, under its heading.
    public static func render(_ report: BenchReport, gate: [GateDecision]? = nil) throws -> String {
        let template = try MustacheTemplate(string: page)
        var view = view(of: report)
        HTMLReport.addGate(gate, to: &view, names: report.workloads.map(\.name))
        return template.render(view)
    }

    /// The fragment for a leak report's workload that ran the benchmark half: its histogram and
    /// figures, or why the timed run failed; nil when it did not run.
    public static func section(for workload: WorkloadResult) -> String? {
        if let figures = workload.bench?.figures { return fragment(figures) }
        if let failure = workload.bench?.failure {
            return "<h3>Benchmark</h3>\n<p>The timed run failed: \(escape(failure.reason))</p>\n"
        }
        return nil
    }

    static func view(of report: BenchReport) -> [String: Any] {
        let plan = report.plan
        func seconds(_ value: Double) -> String { String(format: "%g s", value) }
        return [
            "tool": "\(report.tool.name) \(report.tool.version)",
            "startedAt": report.startedAt,
            "swiftVersion": report.swiftVersion,
            "host":
                "\(report.host.operatingSystem), \(report.host.processorCount) cores, \(ByteCount.format(report.host.physicalMemoryBytes))",
            "mallocConf": report.mallocConf,
            "plan":
                "budget \(seconds(plan.budgetSeconds)) per workload after \(seconds(plan.warmupSeconds)) of warm-up · sampling stops when the median’s 95 % interval is within ±\(String(format: "%g", plan.targetRelativeInterval * 100)) %, or at \(plan.maximumSamples) samples",
            "measuredCount": report.workloads.filter { $0.figures != nil }.count,
            "failedCount": report.workloads.filter { $0.failure != nil }.count,
            "header": BenchFormat.summaryHeader,
            "workloads": report.workloads.enumerated().map { index, result in view(of: result, index: index) },
        ]
    }

    static func view(of result: BenchResult, index: Int) -> [String: Any] {
        var view: [String: Any] = ["anchor": "b\(index + 1)", "name": result.name, "summary": result.summary]
        if let figures = result.figures {
            view["cells"] = BenchFormat.summaryCells(figures)
            view["fragment"] = fragment(figures)
        } else {
            view["failedRow"] = [
                "label": result.failure == nil ? "no figures" : "failed", "reason": result.failure?.reason ?? "",
                "span": "\(BenchFormat.summaryHeader.count)",
            ]
        }
        if let failure = result.failure {
            view["failure"] = [
                "reason": failure.reason, "output": failure.outputTail.suffix(40).joined(separator: "\n"),
            ]
        }
        return view
    }

    /// One workload's histogram and figure list; every string in it escaped here.
    static func fragment(_ figures: BenchFigures) -> String {
        func time(_ nanoseconds: Double) -> String { BenchText.duration(nanoseconds) }
        let timing = figures.timing
        let wall = figures.wall
        var rows: [(String, String)] = [
            (
                "wall median",
                "\(time(wall.median)) (95 % interval \(time(wall.medianLow95)) – \(time(wall.medianHigh95)))"
            ),
            ("p90 / p99", "\(time(wall.p90)) / \(time(wall.p99))"),
            ("CPU median", time(figures.cpu.median)),
            ("allocations/iteration", BenchText.count(figures.allocationsPerIteration)),
            ("bytes/iteration", ByteCount.format(figures.allocatedBytesPerIteration)),
            ("peak RSS", ByteCount.format(timing.peakResidentBytes)),
            ("throughput", BenchFormat.throughput(figures)),
        ]
        if let unit = figures.unit, let perUnit = figures.perUnit {
            rows.append(
                (
                    "per \(BenchFormat.singular(unit.name))",
                    "\(time(perUnit.wallMedianNanoseconds)) wall, \(time(perUnit.cpuMedianNanoseconds)) CPU, \(BenchText.count(perUnit.allocations)) allocations, \(ByteCount.format(perUnit.allocatedBytes))"
                ))
        }
        rows.append(
            (
                "samples",
                "\(timing.wallNanoseconds.count) × \(ByteCount.grouped(timing.iterationsPerSample)) iterations, after \(ByteCount.grouped(timing.warmupIterations)) warm-up iterations"
            ))
        rows.append(("sampling stopped", timing.stoppedBecause))
        var html = "<h3>Benchmark</h3>\n"
        html += "<p class=\"meta\">Wall time per iteration, one value per sample; the line marks the median.</p>\n"
        html += histogramSVG(timing.wallNanoseconds) + "\n<table>\n"
        for (name, value) in rows {
            html += "<tr><th>\(escape(name))</th><td>\(escape(value))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    /// A histogram of wall nanoseconds per iteration as inline SVG: 20 bins over the samples'
    /// range and the median as a line. It holds numbers and formatted durations only, so the
    /// same samples always give the same markup.
    public static func histogramSVG(_ values: [Double]) -> String {
        let sorted = values.filter(\.isFinite).sorted()
        guard let lowest = sorted.first, let highest = sorted.last else {
            return
                #"<svg xmlns="http://www.w3.org/2000/svg" width="640" height="40" class="chart"><text x="8" y="24" font-size="13">no samples</text></svg>"#
        }
        func f(_ value: Double) -> String { SVGChart.f(value) }
        let width = 640.0
        let height = 220.0
        let left = 56.0
        let right = 24.0
        let top = 24.0
        let bottom = 42.0
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let binCount = 20
        // Samples all alike still get a bar with room around it.
        let spread = highest > lowest ? highest - lowest : max(abs(lowest) * 0.01, 1)
        let low = highest > lowest ? lowest : lowest - spread / 2
        let binWidth = spread / Double(binCount)
        var counts = Array(repeating: 0, count: binCount)
        for value in sorted {
            counts[min(binCount - 1, max(0, Int((value - low) / binWidth)))] += 1
        }
        let tallest = Double(counts.max() ?? 1)
        // Whole-number count ticks, 1, 2 or 5 × 10^k apart, about four of them.
        let rawStep = tallest / 4
        let magnitude = pow(10, floor(log10(max(rawStep, 1))))
        let step = max(1, [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rawStep } ?? 10 * magnitude)
        let yTop = max(step, (tallest / step).rounded(.up) * step)
        func px(_ x: Double) -> Double { left + (x - low) / spread * plotWidth }
        func py(_ y: Double) -> Double { top + (yTop - y) / yTop * plotHeight }

        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" width=\"\(f(width))\" height=\"\(f(height))\" role=\"img\" class=\"chart histogram\">"
        svg +=
            "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" class=\"plot\" fill=\"#fbfcfe\" stroke=\"#c9ced8\"/>"
        var tick = 0.0
        while tick <= yTop + step / 2 {
            svg +=
                "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(py(tick)))\" y2=\"\(f(py(tick)))\" class=\"grid\" stroke=\"#e3e7ee\"/>"
            svg +=
                "<text x=\"\(f(left - 6))\" y=\"\(f(py(tick) + 4))\" text-anchor=\"end\" class=\"tick\" font-size=\"11\">\(String(format: "%.0f", tick))</text>"
            tick += step
        }
        for (index, count) in counts.enumerated() where count > 0 {
            let x0 = px(low + Double(index) * binWidth)
            let x1 = px(low + Double(index + 1) * binWidth)
            svg +=
                "<rect x=\"\(f(x0 + 0.5))\" y=\"\(f(py(Double(count))))\" width=\"\(f(max(x1 - x0 - 1, 0.5)))\" height=\"\(f(py(0) - py(Double(count))))\" class=\"bar\" fill=\"#2f6fd6\"/>"
        }
        for index in 0...4 {
            let x = low + spread * Double(index) / 4
            svg +=
                "<text x=\"\(f(px(x)))\" y=\"\(f(height - bottom + 16))\" text-anchor=\"middle\" class=\"tick\" font-size=\"11\">\(SVGChart.xml(BenchText.duration(x)))</text>"
        }
        let median = BenchStatistics.quantile(sorted, 0.5)
        let medianX = px(median)
        svg +=
            "<line x1=\"\(f(medianX))\" x2=\"\(f(medianX))\" y1=\"\(f(top))\" y2=\"\(f(height - bottom))\" class=\"median\" stroke=\"#e0662b\" stroke-width=\"2\"/>"
        let anchor = medianX < left + 60 ? "start" : medianX > width - right - 60 ? "end" : "middle"
        svg +=
            "<text x=\"\(f(medianX))\" y=\"\(f(top - 6))\" text-anchor=\"\(anchor)\" class=\"label\" font-size=\"11\">\(SVGChart.xml("median " + BenchText.duration(median)))</text>"
        svg +=
            "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 6))\" text-anchor=\"middle\" class=\"label\" font-size=\"11\">wall time per iteration</text>"
        svg +=
            "<text x=\"14\" y=\"\(f(top + plotHeight / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(f(top + plotHeight / 2)))\" class=\"label\" font-size=\"11\">samples</text>"
        return svg + "</svg>"
    }

    /// HTML-escapes text the way the Mustache templates do.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// `{{x}}` escapes; only ``fragment(_:)``, built and escaped above, goes in as `{{{fragment}}}`.
    static let page = """
        \(HTMLTemplate.head(title: "SoakGate bench report"))
        <body>
        <h1>SoakGate bench report</h1>
        <p class="meta">{{tool}} (Swift {{swiftVersion}}) · started {{startedAt}} · {{host}} · MALLOC_CONF={{mallocConf}}<br>
        {{plan}}</p>
        <p><strong>{{measuredCount}} measured</strong>, <strong>{{failedCount}} failed</strong>. Times, allocations and bytes are per iteration.</p>
        <table>
        <tr><th>workload</th>{{#header}}<th>{{.}}</th>{{/header}}</tr>
        {{#workloads}}
        <tr><td><a href="#{{anchor}}">{{name}}</a></td>{{#cells}}<td class="num">{{.}}</td>{{/cells}}{{#failedRow}}<td colspan="{{span}}"><span class="verdict crashed">{{label}}</span> {{reason}}</td>{{/failedRow}}</tr>
        {{/workloads}}
        </table>
        \(HTMLTemplate.gateTable)
        {{#workloads}}
        <h2 id="{{anchor}}">{{name}}</h2>
        <p class="meta">{{summary}}</p>
        \(HTMLTemplate.gateLines)
        {{{fragment}}}
        {{#failure}}
        <h3>What happened</h3>
        <p>{{reason}}</p>
        <pre>{{output}}</pre>
        {{/failure}}
        {{/workloads}}
        </body>
        </html>

        """
}

/// The benchmark figures as JUnit XML: one test case per workload carrying its figures as
/// properties, a failed workload as a failure. A benchmark alone judges nothing, so a measured
/// workload always passes; the gate compares.
public enum BenchJUnit {
    public static func render(_ report: BenchReport) -> String {
        let failures = report.workloads.filter { $0.failure != nil }.count
        let seconds = report.workloads.reduce(0) { $0 + timedSeconds($1) }
        let escape = JUnitReport.escape
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml +=
            "<testsuites name=\"soakgate\" tests=\"\(report.workloads.count)\" failures=\"\(failures)\" errors=\"0\" time=\"\(JUnitReport.format(seconds))\">\n"
        xml +=
            "  <testsuite name=\"soakgate.bench\" tests=\"\(report.workloads.count)\" failures=\"\(failures)\" errors=\"0\" time=\"\(JUnitReport.format(seconds))\" timestamp=\"\(escape(report.startedAt))\">\n"
        for result in report.workloads {
            var children = result.figures.map { properties($0, indent: "      ") } ?? ""
            if let failure = result.failure {
                let output = failure.outputTail.suffix(40).joined(separator: "\n")
                children +=
                    "      <failure message=\"\(escape(failure.reason))\" type=\"crashed\">\(escape(output))</failure>\n"
            }
            xml +=
                "    <testcase classname=\"soakgate.bench\" name=\"\(escape(result.name))\" time=\"\(JUnitReport.format(timedSeconds(result)))\""
            xml += children.isEmpty ? "/>\n" : ">\n" + children + "    </testcase>\n"
        }
        return xml + "  </testsuite>\n</testsuites>\n"
    }

    /// The figures as `<properties>`, each line starting with `indent`; the leak report's JUnit
    /// gives the same for `check --bench`.
    static func properties(_ figures: BenchFigures, indent: String) -> String {
        let values = [
            ("bench.wall.median.ns", number(figures.wall.median)),
            ("bench.wall.p90.ns", number(figures.wall.p90)),
            ("bench.wall.p99.ns", number(figures.wall.p99)),
            ("bench.cpu.median.ns", number(figures.cpu.median)),
            ("bench.allocations.per.iteration", number(figures.allocationsPerIteration)),
            ("bench.bytes.per.iteration", number(figures.allocatedBytesPerIteration)),
            ("bench.peak.rss.bytes", String(figures.timing.peakResidentBytes)),
        ]
        var xml = indent + "<properties>\n"
        for (name, value) in values {
            xml += indent + "  <property name=\"\(name)\" value=\"\(value)\"/>\n"
        }
        return xml + indent + "</properties>\n"
    }

    /// Seconds of timed sampling (samples × iterations × wall time, warm-up aside), or until
    /// the failure.
    static func timedSeconds(_ result: BenchResult) -> Double {
        if let timing = result.figures?.timing {
            return timing.wallNanoseconds.reduce(0, +) * Double(timing.iterationsPerSample) / 1e9
        }
        return result.failure?.seconds ?? 0
    }

    /// A figure for a machine: plain decimals, at most three of them.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return String(value) }
        if value == value.rounded() && abs(value) < 1e15 { return String(format: "%.0f", value) }
        return BenchText.trimmingZeros(String(format: "%.3f", value))
    }
}
