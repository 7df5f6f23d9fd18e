import Foundation
import SoakGate
import SoakGateBasics

/// Renders a ``LeakReport`` as JUnit XML: one test case per workload, a leak as a failure whose
/// text is the verdict and slope, an inconclusive workload as a failure of type
/// `inconclusive` (the gate rejects it unless the policy accepts it), a crash as an error. A
/// workload with benchmark figures (`check --bench`) carries them as properties.
public enum JUnitReport {
    public static func render(_ report: LeakReport) -> String {
        let failures = report.workloads.filter { $0.verdict == .leak || $0.verdict == .inconclusive }.count
        let errors = report.workloads.filter { $0.verdict == .crashed }.count
        let seconds = report.workloads.reduce(0) { $0 + $1.durationSeconds }
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml +=
            "<testsuites name=\"soakgate\" tests=\"\(report.workloads.count)\" failures=\"\(failures)\" errors=\"\(errors)\" time=\"\(format(seconds))\">\n"
        xml +=
            "  <testsuite name=\"soakgate.check\" tests=\"\(report.workloads.count)\" failures=\"\(failures)\" errors=\"\(errors)\" time=\"\(format(seconds))\" timestamp=\"\(escape(report.startedAt))\">\n"
        for workload in report.workloads {
            // JUnit's schema puts a test case's properties before its failure or error.
            let properties = workload.bench?.figures.map { BenchJUnit.properties($0, indent: "      ") } ?? ""
            xml +=
                "    <testcase classname=\"soakgate\" name=\"\(escape(workload.name))\" time=\"\(format(workload.durationSeconds))\""
            switch workload.verdict {
            case .pass:
                xml += properties.isEmpty ? "/>\n" : ">\n" + properties + "    </testcase>\n"
            case .leak:
                let rate = workload.bytesPerIteration.map(ByteCount.rate) ?? "?"
                let message = "leak (\(workload.growth.rawValue), \(rate))"
                var text = message + ": " + (workload.evidenceSummary ?? "")
                for site in workload.allocationSites?.sites.prefix(3) ?? [] {
                    text +=
                        "\n  \(ByteCount.rate(site.bytesPerIteration)) allocated by \(site.frames.joined(separator: " <- "))"
                }
                for type in workload.allocationSites?.retention?.types.prefix(3) ?? [] {
                    text += "\n  grows: \(type.name), \(ByteCount.rate(type.bytesPerIteration))"
                    if let path = type.path { text += "; held by \(path.description)" }
                }
                xml +=
                    ">\n" + properties
                    + "      <failure message=\"\(escape(message))\" type=\"leak\">\(escape(text))</failure>\n    </testcase>\n"
            case .inconclusive:
                let message = "inconclusive within the \(String(format: "%g", report.plan.budgetSeconds)) s budget"
                let text = message + ": " + (workload.evidenceSummary ?? "")
                xml +=
                    ">\n" + properties
                    + "      <failure message=\"\(escape(message))\" type=\"inconclusive\">\(escape(text))</failure>\n    </testcase>\n"
            case .crashed:
                let reason = workload.failure?.reason ?? "crashed"
                let output = workload.failure?.outputTail.suffix(40).joined(separator: "\n") ?? ""
                xml +=
                    ">\n" + properties
                    + "      <error message=\"\(escape(reason))\" type=\"crashed\">\(escape(output))</error>\n    </testcase>\n"
            }
        }
        return xml + "  </testsuite>\n</testsuites>\n"
    }

    static func format(_ seconds: Double) -> String { String(format: "%.3f", seconds) }

    /// XML-escapes text and drops the control characters XML 1.0 cannot carry (a crash's
    /// terminal colours, say).
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) { continue }
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
