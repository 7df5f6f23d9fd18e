import Foundation
import HeapProbe
import SoakGateBasics

/// Turns a soak's readings into verdicts over time.
///
/// Readings of each process are joined into one series of retained bytes: a resumed process's
/// readings are shifted so its first continues from the previous process's last (what grew
/// while the soak was down is not seen). Against soak time and against iterations the series
/// gets the ladder's constant/linear/quadratic fits (``GrowthFits``) and a Theil–Sen slope
/// with Sen's bounds. A workload leaks when the lower 95 % bound of its bytes per hour exceeds
/// the tolerance both over the whole soak and over its second half: a cache that filled early
/// and stopped fails the second test, a steady leak passes both.
public enum SoakAnalysis {
    /// Readings needed before a verdict is given.
    public static let minimumReadings = 8
    /// Points kept in a report's timeline.
    public static let timelinePoints = 720
    /// Points the Theil–Sen slopes are computed from (evenly spaced readings), keeping the
    /// pairwise slopes to about 80,000.
    static let slopePoints = 400

    public static func report(_ contents: SoakDirectory.Contents, tool: LeakReport.Tool, state: String) -> SoakReport {
        let manifest = contents.manifest
        let results = manifest.workloads.map { name in
            analyze(
                name, samples: contents.samples.filter { $0.workload == name },
                events: contents.events.filter { $0.workload == name }, manifest: manifest)
        }
        return SoakReport(
            tool: tool, manifest: manifest, state: state, unreadableLines: contents.unreadableLines,
            events: contents.events, workloads: results)
    }

    /// Retained bytes per reading, segments joined; the segments as they were joined.
    public static func joined(_ samples: [SoakSample]) -> (retained: [Double], segments: [SoakSegment]) {
        var retained: [Double] = []
        retained.reserveCapacity(samples.count)
        var segments: [SoakSegment] = []
        var carried = 0.0
        var first = 0
        for (index, sample) in samples.enumerated() {
            if index == 0 || sample.segment != samples[index - 1].segment {
                carried = retained.last ?? 0
                first = sample.liveBytes
                segments.append(
                    SoakSegment(
                        segment: sample.segment, fromSeconds: sample.elapsedSeconds, toSeconds: sample.elapsedSeconds,
                        readings: 0, firstLiveBytes: first))
            }
            retained.append(carried + Double(sample.liveBytes - first))
            segments[segments.count - 1].toSeconds = sample.elapsedSeconds
            segments[segments.count - 1].readings += 1
        }
        return (retained, segments)
    }

    /// Theil–Sen slope per hour over at most ``slopePoints`` evenly spaced points.
    public static func bytesPerHour(seconds: [Double], retained: [Double]) -> TheilSenSlope? {
        let picked = evenlySpaced(seconds.count, limit: slopePoints)
        return TheilSenSlope.fit(x: picked.map { seconds[$0] / 3600 }, y: picked.map { retained[$0] })
    }

    static func analyze(_ name: String, samples unsorted: [SoakSample], events: [SoakEvent], manifest: SoakManifest)
        -> SoakWorkloadResult
    {
        let samples = unsorted.sorted { ($0.elapsedSeconds, $0.segment) < ($1.elapsedSeconds, $1.segment) }
        let (retained, segments) = joined(samples)
        let seconds = samples.map(\.elapsedSeconds)
        let failures = events.filter { $0.kind == .crashed }.map(\.message)
        var result = SoakWorkloadResult(
            name: name, verdict: .inconclusive, growth: .none, evidence: "", readings: samples.count,
            iterations: samples.last?.iterations ?? 0,
            durationSeconds: (seconds.last ?? 0) - (seconds.first ?? 0), iterationsPerSecond: nil,
            bytesPerHour: nil, bytesPerHourLowerBound: nil, bytesPerHourUpperBound: nil, lateBytesPerHour: nil,
            lateBytesPerHourLowerBound: nil, bytesPerIteration: nil, fitsVersusHours: nil, fitsVersusIterations: nil,
            steps: [], checkpoints: samples.filter { $0.kind == .settled }.map(\.elapsedSeconds), segments: segments,
            peakLiveBytes: samples.map(\.liveBytes).max() ?? 0,
            peakProcessResidentBytes: samples.map(\.processResidentBytes).max() ?? 0,
            meanIterationSeconds: nil, maxIterationSeconds: samples.compactMap(\.maxIterationSeconds).max(),
            sizeClasses: sizeClassGrowth(samples, classes: manifest.sizeClasses),
            timeline: evenlySpaced(samples.count, limit: timelinePoints).map { index in
                SoakPoint(
                    elapsedSeconds: samples[index].elapsedSeconds, iterations: samples[index].iterations,
                    retainedBytes: Int(retained[index]), liveBytes: samples[index].liveBytes,
                    processResidentBytes: samples[index].processResidentBytes)
            },
            failures: failures)
        let means = samples.compactMap(\.meanIterationSeconds)
        if !means.isEmpty { result.meanIterationSeconds = means.reduce(0, +) / Double(means.count) }
        if result.durationSeconds > 0, let first = samples.first, let last = samples.last {
            result.iterationsPerSecond = Double(last.iterations - first.iterations) / result.durationSeconds
        }

        guard samples.count >= minimumReadings else {
            if !failures.isEmpty {
                result.verdict = .crashed
                result.evidence = "\(failures[0]) (after \(samples.count) readings)"
            } else {
                result.evidence =
                    "\(samples.count) readings; a verdict needs \(minimumReadings) (soak longer or sample more often)"
            }
            return result
        }

        let whole = bytesPerHour(seconds: seconds, retained: retained)
        let halfway = (seconds.first! + seconds.last!) / 2
        let lateStart = seconds.firstIndex { $0 >= halfway } ?? 0
        let late = bytesPerHour(seconds: Array(seconds[lateStart...]), retained: Array(retained[lateStart...]))
        result.bytesPerHour = whole?.slope
        result.bytesPerHourLowerBound = whole?.lowerBound95
        result.bytesPerHourUpperBound = whole?.upperBound95
        result.lateBytesPerHour = late?.slope
        result.lateBytesPerHourLowerBound = late?.lowerBound95
        let picked = evenlySpaced(samples.count, limit: slopePoints)
        result.bytesPerIteration =
            TheilSenSlope.fit(
                x: picked.map { Double(samples[$0].iterations) }, y: picked.map { retained[$0] })?.slope
        result.fitsVersusHours = GrowthFits.fit(x: seconds.map { $0 / 3600 }, y: retained)
        result.fitsVersusIterations = GrowthFits.fit(x: samples.map { Double($0.iterations) }, y: retained)
        result.steps = StepDetector.find(
            seconds: seconds, bytes: retained, minimumBytes: Double(manifest.stepThresholdBytes))

        let tolerated = manifest.toleratedBytesPerHour
        let wholeBound = whole?.lowerBound95 ?? 0
        let lateBound = late?.lowerBound95 ?? 0
        let rate = ByteCount.format(whole?.slope ?? 0) + "/h"
        if wholeBound > tolerated && lateBound > tolerated {
            result.verdict = .leak
            let quadratic =
                result.fitsVersusHours.map { $0.chosenDegree == 2 && $0.quadratic.coefficients[2] > 0 } ?? false
            result.growth = quadratic ? .superlinear : .linear
            result.evidence =
                "grows \(rate) (95 % lower bound \(ByteCount.format(wholeBound))/h) and still \(ByteCount.format(late?.slope ?? 0))/h over the second half"
        } else {
            result.verdict = .pass
            result.evidence =
                wholeBound > tolerated
                ? "grew early (\(rate)) but not over the second half (lower bound \(ByteCount.format(lateBound))/h): a cache that filled, not a leak"
                : "no steady growth above \(ByteCount.format(tolerated))/h (95 % lower bound of the slope \(ByteCount.format(wholeBound))/h)"
        }
        if let step = result.steps.max(by: { abs($0.bytes) < abs($1.bytes) }) {
            result.evidence +=
                "; a step of \(ByteCount.format(step.bytes)) between \(SoakDuration.clock(step.fromSeconds)) and \(SoakDuration.clock(step.toSeconds))"
        }
        if !failures.isEmpty {
            // A process that died is a failed soak whatever its readings said before.
            result.verdict = .crashed
            result.evidence = "\(failures[0]); before that: \(result.evidence)"
        }
        return result
    }

    /// Growth per size class from the first to the last reading with counts, within the last segment.
    static func sizeClassGrowth(_ samples: [SoakSample], classes: [SizeClass]) -> [SizeClassGrowth] {
        guard let lastSegment = samples.last?.segment else { return [] }
        let counted = samples.filter { $0.segment == lastSegment && $0.sizeClassCounts != nil }
        guard counted.count >= 2, let before = counted.first?.sizeClassCounts, let after = counted.last?.sizeClassCounts
        else { return [] }
        var rows: [SizeClassGrowth] = []
        for (index, sizeClass) in classes.enumerated() {
            let from = before[index] ?? 0
            let to = after[index] ?? 0
            guard from != to else { continue }
            rows.append(
                SizeClassGrowth(
                    size: sizeClass.size, kind: sizeClass.kind, countAtBaseline: from, countAtEnd: to,
                    countDelta: to - from,
                    bytesDelta: (to - from) * sizeClass.size))
        }
        return rows.sorted { (abs($0.bytesDelta), -$0.size) > (abs($1.bytesDelta), -$1.size) }
    }

    /// Up to `limit` indices of `0..<count`, evenly spaced, first and last included.
    static func evenlySpaced(_ count: Int, limit: Int) -> [Int] {
        guard count > limit else { return Array(0..<count) }
        return (0..<limit).map { Int((Double($0) * Double(count - 1) / Double(limit - 1)).rounded()) }
    }
}
