import Foundation
import Mustache
import SoakGate
import SoakGateBasics

/// Renders a ``SoakReport`` as one self-contained HTML page: a summary, then per workload a
/// timeline of retained bytes against soak time with the chosen fit, checkpoint and resume
/// markers and any step, the rates with their bounds, the fits, the processes and size classes,
/// and the soak's events.
public enum SoakHTMLReport {
    public static func render(_ report: SoakReport) throws -> String {
        let template = try MustacheTemplate(string: SoakHTMLTemplate.report)
        return template.render(view(of: report))
    }

    static func view(of report: SoakReport) -> [String: Any] {
        let manifest = report.manifest
        return [
            "tool": "\(report.tool.name) \(report.tool.version)",
            "swiftVersion": report.swiftVersion,
            "startedAt": manifest.startedAt,
            "state": report.state,
            "mallocConf": manifest.mallocConf,
            "duration": SoakDuration.format(manifest.durationSeconds),
            "interval": SoakDuration.format(manifest.intervalSeconds),
            "settle": SoakDuration.format(manifest.settleSeconds),
            "checkpoint": SoakDuration.format(manifest.checkpointSeconds),
            "tolerated": ByteCount.format(manifest.toleratedBytesPerHour),
            "passCount": report.workloads.filter { $0.verdict == .pass }.count,
            "leakCount": report.workloads.filter { $0.verdict == .leak }.count,
            "otherCount": report.workloads.filter { $0.verdict == .inconclusive || $0.verdict == .crashed }.count,
            "hasUnreadable": !report.unreadableLines.isEmpty,
            "unreadable": report.unreadableLines,
            "workloads": report.workloads.enumerated().map { view(of: $1, index: $0) },
            "hasEvents": !report.events.isEmpty,
            "events": report.events.map { event in
                [
                    "at": SoakDuration.clock(event.elapsedSeconds), "kind": event.kind.rawValue,
                    "workload": event.workload, "message": event.message,
                ]
            },
        ]
    }

    static func view(of workload: SoakWorkloadResult, index: Int) -> [String: Any] {
        func perHour(_ value: Double?) -> String { value.map { ByteCount.format($0) + "/h" } ?? "–" }
        var view: [String: Any] = [
            "anchor": "s\(index + 1)",
            "name": workload.name,
            "verdict": workload.verdict.rawValue,
            "evidence": workload.evidence,
            "rate": perHour(workload.bytesPerHour),
            "lowerBound": perHour(workload.bytesPerHourLowerBound),
            "upperBound": perHour(workload.bytesPerHourUpperBound),
            "lateRate": perHour(workload.lateBytesPerHour),
            "lateLowerBound": perHour(workload.lateBytesPerHourLowerBound),
            "perIteration": workload.bytesPerIteration.map(ByteCount.rate) ?? "–",
            "iterations": "\(workload.iterations)",
            "readings": "\(workload.readings)",
            "soakTime": SoakDuration.clock(workload.durationSeconds),
            "throughput": workload.iterationsPerSecond.map { String(format: "%.1f", $0) } ?? "–",
            "peakLive": ByteCount.format(workload.peakLiveBytes),
            "peakResident": ByteCount.format(workload.peakProcessResidentBytes),
            "meanIteration": workload.meanIterationSeconds.map(seconds) ?? "–",
            "maxIteration": workload.maxIterationSeconds.map(seconds) ?? "–",
            "segmentCount": "\(workload.segments.count)",
            "hasChart": workload.timeline.count >= 2,
            "hasSteps": !workload.steps.isEmpty,
            "steps": workload.steps.map { step in
                [
                    "between": "\(SoakDuration.clock(step.fromSeconds)) and \(SoakDuration.clock(step.toSeconds))",
                    "bytes": ByteCount.format(step.bytes),
                ]
            },
            "hasSegments": workload.segments.count > 1,
            "segments": workload.segments.map { segment in
                [
                    "segment": "\(segment.segment)", "from": SoakDuration.clock(segment.fromSeconds),
                    "to": SoakDuration.clock(segment.toSeconds), "readings": "\(segment.readings)",
                ]
            },
            "hasSizeClasses": !workload.sizeClasses.isEmpty,
            "sizeClasses": workload.sizeClasses.prefix(12).map { row in
                [
                    "size": ByteCount.format(row.size), "kind": row.kind.rawValue, "before": "\(row.countAtBaseline)",
                    "after": "\(row.countAtEnd)", "delta": String(format: "%+d", row.countDelta),
                    "bytes": ByteCount.format(row.bytesDelta),
                ]
            },
            "failures": workload.failures,
        ]
        if let fits = workload.fitsVersusHours {
            view["hasFits"] = true
            view["fitName"] = ["constant", "linear", "quadratic"][fits.chosenDegree]
            view["fits"] = [fits.constant, fits.linear, fits.quadratic].map { fit -> [String: Any] in
                [
                    "model": ["constant", "linear", "quadratic"][fit.degree], "chosen": fit.degree == fits.chosenDegree,
                    "coefficients": fit.coefficients.map { String(format: "%.6g", $0) }.joined(separator: ", "),
                    "rss": String(format: "%.4g", fit.residualSumOfSquares), "bic": String(format: "%.2f", fit.bic),
                ]
            }
        } else {
            view["fitName"] = "no"
        }
        if workload.timeline.count >= 2 { view["chart"] = chart(workload) }
        return view
    }

    static func chart(_ workload: SoakWorkloadResult) -> String {
        let points = workload.timeline.map { SVGChart.Point(x: $0.elapsedSeconds, y: Double($0.retainedBytes)) }
        let fit = workload.fitsVersusHours?.chosen
        var chart = SVGChart(points: points, curve: fit.map { fit in { fit.value(at: $0 / 3600) } })
        chart.logarithmicX = false
        chart.width = 900
        chart.xLabel = "soak time"
        chart.xTickLabel = { SoakDuration.clock($0) }
        chart.markers = workload.checkpoints + workload.segments.dropFirst().map(\.fromSeconds)
        chart.highlights = workload.steps.map { ($0.fromSeconds + $0.toSeconds) / 2 }
        return chart.render()
    }

    static func seconds(_ value: Double) -> String {
        value >= 1
            ? String(format: "%.2f s", value)
            : value >= 1e-3 ? String(format: "%.2f ms", value * 1e3) : String(format: "%.1f µs", value * 1e6)
    }
}
