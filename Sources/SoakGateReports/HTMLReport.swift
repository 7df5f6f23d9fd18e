import Foundation
import Mustache
import SoakGate
import SoakGateBasics

/// Renders a ``LeakReport`` as one self-contained HTML page: a summary table, then per workload
/// a chart of retained bytes against iterations with the chosen fit drawn over the readings,
/// the ladder, the windows, the fits, the size classes that changed, and what happened to a
/// workload that crashed. The same report always renders to the same bytes.
public enum HTMLReport {
    /// With `gate`, the page also shows the gate's decisions: under the summary as a table, and
    /// each workload's under its heading (with a baseline, the deltas against it).
    public static func render(_ report: LeakReport, gate: [GateDecision]? = nil) throws -> String {
        let template = try MustacheTemplate(string: HTMLTemplate.report)
        var view = view(of: report)
        HTMLReport.addGate(gate, to: &view, names: report.workloads.map(\.name))
        return template.render(view)
    }

    /// Puts the gate's decisions into a page's view: `gate` (headline and rows) for the table
    /// under the summary, and `gateOutcome`/`gateReason` into each workload's view, found by
    /// name (the gate decides once per workload, twice with both halves: then both lines show).
    static func addGate(_ gate: [GateDecision]?, to view: inout [String: Any], names: [String]) {
        guard let gate else { return }
        func row(_ decision: GateDecision) -> [String: Any] {
            [
                "workload": decision.workload, "outcome": decision.outcome.rawValue, "reason": decision.reason,
                "class": decision.outcome == .accepted || decision.outcome == .expectedLeak ? "pass" : "leak",
            ]
        }
        let failed = Gate.exitCode(gate) != 0
        view["gate"] = ["headline": failed ? "Gate: failed" : "Gate: passed", "rows": gate.map(row)]
        guard var workloads = view["workloads"] as? [[String: Any]], workloads.count == names.count else { return }
        for index in workloads.indices {
            let decisions = gate.filter { $0.workload == names[index] }
            if !decisions.isEmpty { workloads[index]["gateDecisions"] = decisions.map(row) }
        }
        view["workloads"] = workloads
    }

    static func view(of report: LeakReport) -> [String: Any] {
        let policy = report.plan.policy
        return [
            "tool": "\(report.tool.name) \(report.tool.version)",
            "startedAt": report.startedAt,
            "swiftVersion": report.swiftVersion,
            "host":
                "\(report.host.operatingSystem), \(report.host.processorCount) cores, \(ByteCount.format(report.host.physicalMemoryBytes))",
            "mallocConf": report.mallocConf,
            "ladder": report.plan.ladder.map(String.init).joined(separator: ", "),
            "budget": String(format: "%g s", report.plan.budgetSeconds),
            "tolerated": ByteCount.format(policy.toleratedBytesPerIteration),
            "floor": ByteCount.format(policy.floorBytesPerIteration),
            "passCount": report.workloads.filter { $0.verdict == .pass }.count,
            "leakCount": report.workloads.filter { $0.verdict == .leak }.count,
            "crashCount": report.workloads.filter { $0.verdict == .crashed }.count,
            "inconclusiveCount": report.workloads.filter { $0.verdict == .inconclusive }.count,
            "workloads": report.workloads.enumerated().map { index, workload in view(of: workload, index: index) },
        ]
    }

    /// How far the measurement followed the workload, and why it stopped there.
    static func followed(_ workload: WorkloadResult) -> String {
        guard !workload.samples.isEmpty else { return "" }
        var text =
            "followed to \(ByteCount.grouped(workload.iterationsRun)) iterations in \(String(format: "%.1f", workload.durationSeconds)) s"
        if workload.stop?.budgetEnded == true { text += ", where the budget ended" }
        if let bound = workload.evidence?.boundBytes, workload.verdict == .pass {
            text += "; settled at \(ByteCount.format(bound)) over the baseline"
        }
        if let exponent = workload.growthExponent, workload.verdict != .pass {
            text += String(format: "; growth ∝ iterations^%.2f", exponent.exponent)
        }
        return text
    }

    static func view(of workload: WorkloadResult, index: Int) -> [String: Any] {
        var view: [String: Any] = [
            "anchor": "w\(index + 1)",
            "name": workload.name,
            "summary": workload.summary,
            "verdict": workload.verdict.rawValue,
            "growth": workload.growth.rawValue,
            "rate": workload.bytesPerIteration.map(ByteCount.rate) ?? "–",
            "lowerBound": workload.bytesPerIterationLowerBound.map(ByteCount.rate) ?? "–",
            "evidence": workload.evidenceSummary ?? workload.failure?.reason ?? "",
            "hasChart": !workload.samples.isEmpty,
            "hasWindows": !workload.windows.isEmpty,
            "followed": followed(workload),
            "hasSizeClasses": !workload.sizeClasses.isEmpty,
        ]
        if !workload.samples.isEmpty {
            view["chart"] = chart(workload)
            view["fitName"] = workload.fits.map { ["constant", "linear", "quadratic"][$0.chosenDegree] } ?? "no"
            view["seed"] =
                workload.seedRule.map { seed in
                    let ratio = seed.ratio.map { String(format: "%.1f×", $0) } ?? "–"
                    let agreement = seed.agreesWithVerdict.map { $0 ? "agrees" : "disagrees" } ?? "no call"
                    return "\(ratio): \(seed.reading) (\(agreement))"
                } ?? "–"
            view["ladder"] = workload.ladder.map {
                ["iterations": "\($0.iterations)", "bytes": ByteCount.format($0.retainedBytes)]
            }
            view["windows"] = workload.windows.map { window in
                [
                    "number": "\(window.window)",
                    "range": "\(window.fromIteration)→\(window.toIteration)",
                    "gained": ByteCount.format(window.growthBytes),
                    "rate": ByteCount.rate(window.bytesPerIteration),
                    "grew": window.grew ? "yes" : "no",
                ]
            }
            view["fits"] =
                workload.fits.map { fits in
                    [fits.constant, fits.linear, fits.quadratic].map { fit -> [String: Any] in
                        [
                            "model": ["constant", "linear", "quadratic"][fit.degree],
                            "chosen": fit.degree == fits.chosenDegree,
                            "coefficients": fit.coefficients.map { String(format: "%.6g", $0) }.joined(separator: ", "),
                            "rss": String(format: "%.4g", fit.residualSumOfSquares),
                            "bic": String(format: "%.2f", fit.bic),
                        ]
                    }
                } ?? []
        }
        view["sizeClasses"] = workload.sizeClasses.prefix(12).map { row in
            [
                "size": ByteCount.format(row.size), "kind": row.kind.rawValue, "before": "\(row.countAtBaseline)",
                "after": "\(row.countAtEnd)", "delta": String(format: "%+d", row.countDelta),
                "bytes": ByteCount.format(row.bytesDelta),
            ]
        }
        if let attribution = workload.allocationSites {
            view["hasSites"] = !attribution.sites.isEmpty
            view["siteIterations"] =
                attribution.sites.first.map {
                    "\(Int(($0.bytes > 0 ? Double($0.bytes) / $0.bytesPerIteration : 0).rounded()))"
                } ?? ""
            view["sites"] = attribution.sites.map { site in
                [
                    "frames": site.frames.joined(separator: " ← "), "location": site.location ?? "",
                    "bytes": ByteCount.format(site.bytes), "objects": "\(site.objects)",
                    "rate": ByteCount.rate(site.bytesPerIteration),
                ]
            }
            if let note = attribution.note { view["sitesNote"] = note }
            if let retention = attribution.retention {
                view["hasRetention"] = !retention.types.isEmpty
                view["retentionIterations"] = "\(retention.iterations)"
                view["retentionWalk"] =
                    "\(retention.blocks) live blocks, \(ByteCount.format(retention.bytes)), walked in \(String(format: "%.2f", retention.seconds)) s"
                view["retention"] = retention.types.map { type -> [String: Any] in
                    var row: [String: Any] = [
                        "type": type.name, "kind": type.kind.rawValue,
                        "objects": "\(type.objectsBefore) → \(type.objectsAfter)",
                        "objectRate": String(format: "%+.2f", type.objectsPerIteration),
                        "byteRate": ByteCount.rate(type.bytesPerIteration),
                        "path": type.path?.description ?? "no new object to follow",
                    ]
                    if let path = type.path { row["drawing"] = RetentionDrawing.svg(path) }
                    return row
                }
                if let note = retention.note { view["retentionNote"] = note }
            }
        }
        if let section = workload.section {
            view["section"] =
                [
                    "title": section.title,
                    "header": section.rows.first ?? [],
                    "body": section.rows.dropFirst().map { ["cells": $0] },
                ] as [String: Any]
        }
        if let bench = BenchHTML.section(for: workload) {
            view["benchSection"] = bench
        }
        if let failure = workload.failure {
            view["failure"] = [
                "reason": failure.reason, "output": failure.outputTail.suffix(40).joined(separator: "\n"),
            ]
        }
        return view
    }

    static func chart(_ workload: WorkloadResult) -> String {
        let points = workload.samples.filter { $0.iterations > 0 }
            .map { SVGChart.Point(x: Double($0.iterations), y: Double($0.retainedBytes)) }
        let chosen = workload.fits?.chosen
        var chart = SVGChart(points: points, curve: chosen.map { fit in { fit.value(at: $0) } })
        // A leak reads best on a linear axis (a line stays a line, a parabola bends up); a pass
        // on a logarithmic one, where the first iterations' filling and the flat tail both show.
        chart.logarithmicX = workload.verdict != .leak
        chart.markers = workload.windows.map { Double($0.fromIteration) }
        return chart.render()
    }
}
