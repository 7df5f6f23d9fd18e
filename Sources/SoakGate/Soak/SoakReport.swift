import Foundation
import HeapProbe
import SoakGateBasics

/// `soak-report.json`: the verdict over time of one soak, written from what is on disk.
public struct SoakReport: Sendable, Equatable, Codable {
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    /// Always `soak`: tells a soak report from a `leak-report.json`.
    public var kind: String
    public var tool: LeakReport.Tool
    public var swiftVersion: String
    public var manifest: SoakManifest
    /// Why the soak ended: `finished`, `stopped: …`, `running` (a report written mid-soak or
    /// after a kill), ….
    public var state: String
    /// Lines of the soak's files that could not be read (a torn last line after a kill).
    public var unreadableLines: [String]
    public var events: [SoakEvent]
    public var workloads: [SoakWorkloadResult]
    /// The shards a merged report joins (`soakgate merge`); nil for the report of one soak.
    public var shards: [ShardRun]?

    public init(
        tool: LeakReport.Tool, manifest: SoakManifest, state: String, unreadableLines: [String], events: [SoakEvent],
        workloads: [SoakWorkloadResult]
    ) {
        self.schemaVersion = Self.currentSchemaVersion
        self.kind = "soak"
        self.tool = tool
        self.swiftVersion = SwiftCompilerVersion.current
        self.manifest = manifest
        self.state = state
        self.unreadableLines = unreadableLines
        self.events = events
        self.workloads = workloads
    }

    /// 3 if a workload crashed, else 1 if one leaked or was inconclusive, else 0.
    public var exitCode: Int32 {
        if workloads.contains(where: { $0.verdict == .crashed }) { return 3 }
        if workloads.contains(where: { $0.verdict == .leak || $0.verdict == .inconclusive }) { return 1 }
        return 0
    }

    /// Pretty, key-sorted JSON.
    public func jsonData() throws -> Data {
        try ReportJSON.encode(self)
    }

    /// Reads a soak report, refusing a newer schema.
    public static func read(from data: Data, path: String) throws -> SoakReport {
        struct Header: Decodable {
            var schemaVersion: Int
            var kind: String?
        }
        let decoder = ReportJSON.decoder()
        guard let header = try? decoder.decode(Header.self, from: data), header.kind == "soak" else {
            throw ReportReadError(path: path, reason: "is not a SoakGate soak report")
        }
        let report = try ReportJSON.decode(
            SoakReport.self, from: data, schemaVersion: header.schemaVersion, current: currentSchemaVersion,
            kind: "soak report", path: path)
        // The figures the gate computes with, checked before it does (abs(Int.min) traps).
        do {
            let bytes = Double(SoakLimits.maximumBytes)
            for (index, workload) in report.workloads.enumerated() {
                let place = "workloads[\(index)]"
                for (name, value) in [
                    ("bytesPerHour", workload.bytesPerHour),
                    ("bytesPerHourLowerBound", workload.bytesPerHourLowerBound),
                ] {
                    if let value { try CheckedNumber.checked(value, in: -bytes...bytes, source: "\(place).\(name)") }
                }
                for (stepIndex, step) in workload.steps.enumerated() {
                    try CheckedNumber.checked(
                        step.bytes, in: -SoakLimits.maximumBytes...SoakLimits.maximumBytes,
                        source: "\(place).steps[\(stepIndex)].bytes")
                    try CheckedNumber.checked(
                        step.toSeconds, in: 0...SoakLimits.maximumElapsedSeconds,
                        source: "\(place).steps[\(stepIndex)].toSeconds")
                }
            }
        } catch {
            throw ReportReadError(path: path, reason: "has \(error)")
        }
        return report
    }
}

/// The soak's verdict on one workload.
public enum SoakVerdict: String, Sendable, Codable {
    case pass
    case leak
    /// Too few readings to judge (fewer than ``SoakAnalysis/minimumReadings``).
    case inconclusive
    /// A soaking process died, threw or hung; the readings before it are still reported.
    case crashed
}

/// One workload over the soak.
public struct SoakWorkloadResult: Sendable, Equatable, Codable {
    public var name: String
    public var verdict: SoakVerdict
    public var growth: GrowthClass
    /// One sentence: why the verdict.
    public var evidence: String
    public var readings: Int
    public var iterations: Int
    /// Soak seconds from the first reading to the last.
    public var durationSeconds: Double
    public var iterationsPerSecond: Double?
    /// Theil–Sen slope of retained bytes against soak time, with Sen's 95 % bounds.
    public var bytesPerHour: Double?
    public var bytesPerHourLowerBound: Double?
    public var bytesPerHourUpperBound: Double?
    /// The same over the second half of the soak only: growth that has stopped shows here.
    public var lateBytesPerHour: Double?
    public var lateBytesPerHourLowerBound: Double?
    /// Theil–Sen slope against iterations.
    public var bytesPerIteration: Double?
    /// Constant, linear and quadratic fits of retained bytes against hours of soak time and
    /// against iterations: the fitting code of the ladder.
    public var fitsVersusHours: GrowthFits?
    public var fitsVersusIterations: GrowthFits?
    public var steps: [SoakStep]
    /// Soak seconds of every settled checkpoint reading.
    public var checkpoints: [Double]
    /// Where each process's readings start, and how they were joined to the one before.
    public var segments: [SoakSegment]
    public var peakLiveBytes: Int
    public var peakProcessResidentBytes: Int
    public var meanIterationSeconds: Double?
    public var maxIterationSeconds: Double?
    /// Live-count changes per size class over the last segment, largest byte change first.
    public var sizeClasses: [SizeClassGrowth]
    /// At most ``SoakAnalysis/timelinePoints`` readings, evenly spaced, for charts.
    public var timeline: [SoakPoint]
    /// Why a process died, if one did.
    public var failures: [String]
}

/// One point of a timeline chart.
public struct SoakPoint: Sendable, Equatable, Codable {
    public var elapsedSeconds: Double
    public var iterations: Int
    /// Live bytes gained since the soak began, segments joined.
    public var retainedBytes: Int
    public var liveBytes: Int
    public var processResidentBytes: Int
}

/// The readings of one soaking process.
public struct SoakSegment: Sendable, Equatable, Codable {
    public var segment: Int
    public var fromSeconds: Double
    public var toSeconds: Double
    public var readings: Int
    /// Live bytes of this process's first reading; its readings are shifted so that reading
    /// continues from the previous segment's last retained figure.
    public var firstLiveBytes: Int
}
