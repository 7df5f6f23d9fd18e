import Foundation
import SoakGateBasics

extension BenchReport {
    /// Pretty, key-sorted JSON: the same report always gives the same bytes.
    public func jsonData() throws -> Data {
        try ReportJSON.encode(self)
    }

    /// Reads a bench report, refusing another kind of report, a newer schema, and figures that
    /// are not finite or lie outside 0...1e18 (what a gate could not compare or multiply).
    public static func read(from data: Data, path: String) throws -> BenchReport {
        struct VersionOnly: Decodable { var schemaVersion: Int }
        struct KindOnly: Decodable { var kind: String? }
        let decoder = ReportJSON.decoder()
        guard (try? JSONSerialization.jsonObject(with: data)) != nil else {
            throw ReportReadError(
                path: path, reason: data.isEmpty ? "is empty" : "is not valid JSON (truncated, or another format)")
        }
        guard let version = try? decoder.decode(VersionOnly.self, from: data) else {
            throw ReportReadError(
                path: path, reason: "is JSON but not a SoakGate bench report (it has no schemaVersion)")
        }
        let kind = (try? decoder.decode(KindOnly.self, from: data))?.kind
        guard kind == "bench" else {
            // String(reflecting:) quotes the kind and escapes any line break in it: one line.
            let found = kind.map { "its kind is \(String(reflecting: $0)), not \"bench\"" } ?? "it has no kind"
            throw ReportReadError(path: path, reason: "is not a SoakGate bench report (\(found))")
        }
        let report = try ReportJSON.decode(
            BenchReport.self, from: data, schemaVersion: version.schemaVersion, current: currentSchemaVersion,
            kind: "bench report", path: path)
        do {
            for (index, workload) in report.workloads.enumerated() {
                guard let figures = workload.figures else { continue }
                try checkFigures(figures, place: "workloads[\(index)].figures")
            }
        } catch {
            throw ReportReadError(path: path, reason: "has \(error)")
        }
        return report
    }

    /// The figures a gate compares and multiplies, checked before it does.
    private static func checkFigures(_ figures: BenchFigures, place: String) throws(CheckedNumber.RangeError) {
        let range = 0.0...1e18
        let counts = 0...1_000_000_000_000_000_000
        func check(_ value: Double, _ name: String) throws(CheckedNumber.RangeError) {
            try CheckedNumber.checked(value, in: range, source: "\(place).\(name)")
        }
        let timing = figures.timing
        for (index, value) in timing.wallNanoseconds.enumerated() {
            try check(value, "timing.wallNanoseconds[\(index)]")
        }
        for (index, value) in timing.cpuNanoseconds.enumerated() {
            try check(value, "timing.cpuNanoseconds[\(index)]")
        }
        try CheckedNumber.checked(timing.peakResidentBytes, in: counts, source: "\(place).timing.peakResidentBytes")
        try CheckedNumber.checked(timing.iterationsPerSample, in: counts, source: "\(place).timing.iterationsPerSample")
        for (name, distribution) in [("wall", figures.wall), ("cpu", figures.cpu)] {
            for (field, value) in [
                ("median", distribution.median), ("medianLow95", distribution.medianLow95),
                ("medianHigh95", distribution.medianHigh95), ("p90", distribution.p90), ("p99", distribution.p99),
                ("min", distribution.min), ("max", distribution.max),
            ] {
                try check(value, "\(name).\(field)")
            }
        }
        let allocations = figures.allocations
        try CheckedNumber.checked(
            allocations.iterationsPerBlock, in: counts, source: "\(place).allocations.iterationsPerBlock")
        for (index, value) in allocations.allocationsPerBlock.enumerated() {
            try CheckedNumber.checked(value, in: counts, source: "\(place).allocations.allocationsPerBlock[\(index)]")
        }
        for (index, value) in allocations.bytesPerBlock.enumerated() {
            try CheckedNumber.checked(value, in: counts, source: "\(place).allocations.bytesPerBlock[\(index)]")
        }
        try check(figures.allocationsPerIteration, "allocationsPerIteration")
        try check(figures.allocatedBytesPerIteration, "allocatedBytesPerIteration")
        try check(figures.iterationsPerSecond, "iterationsPerSecond")
        if let perUnit = figures.perUnit {
            for (field, value) in [
                ("wallMedianNanoseconds", perUnit.wallMedianNanoseconds),
                ("cpuMedianNanoseconds", perUnit.cpuMedianNanoseconds), ("allocations", perUnit.allocations),
                ("allocatedBytes", perUnit.allocatedBytes), ("unitsPerSecond", perUnit.unitsPerSecond),
            ] {
                try check(value, "perUnit.\(field)")
            }
        }
    }
}
