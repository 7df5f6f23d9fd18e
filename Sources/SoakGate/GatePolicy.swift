import Foundation
import SoakGateBasics

/// What a merge gate accepts, read from a JSON file (see `ci/soakgate-policy.json`).
///
/// ```json
/// {
///   "toleratedBytesPerIteration": 0,
///   "inconclusive": "reject",
///   "allowedGrowth": ["none"],
///   "workloads": [
///     { "match": "planted.leak.*", "expect": "leak" },
///     { "match": "parser.*", "toleratedBytesPerIteration": 4, "allowedGrowth": ["none", "linear"] }
///   ],
///   "baseline": { "relativeTolerance": 0.10, "absoluteToleranceBytesPerIteration": 1 },
///   "bench": { "allocationsTolerance": 0, "minimumEffect": 0.05, "cpuMinimumEffect": 0.10, "confidence": 0.99 }
/// }
/// ```
/// Every key is optional; the first `workloads` entry whose `match` pattern fits a workload
/// sets its rule, the top-level keys apply to the rest. Unknown keys are refused.
public struct GatePolicy: Sendable, Equatable, Codable {
    /// A rule for the workloads one pattern matches.
    public struct WorkloadRule: Sendable, Equatable, Codable {
        /// A name or a pattern with `*`.
        public var match: String
        /// `leak` for a workload that must leak (a planted case); `pass` (the default) otherwise.
        public var expect: Verdict?
        public var toleratedBytesPerIteration: Double?
        /// For soak reports: growth per hour of soak time that is accepted.
        public var toleratedBytesPerHour: Double?
        public var allowedGrowth: [GrowthClass]?
        /// What an inconclusive verdict does to these workloads.
        public var inconclusive: InconclusiveRule?
    }

    /// What the gate does with an `inconclusive` verdict: `reject` (the default: it proves
    /// nothing) or `accept` (for a workload known to fill a cache slower than any budget).
    public enum InconclusiveRule: String, Sendable, Equatable, Codable {
        case reject
        case accept
    }

    /// How far a workload's slope may rise over the baseline report's before it is a
    /// regression: more than `baseline × (1 + relativeTolerance) + absoluteToleranceBytesPerIteration`.
    public struct BaselineRule: Sendable, Equatable, Codable {
        public var relativeTolerance: Double?
        public var absoluteToleranceBytesPerIteration: Double?
    }

    public var toleratedBytesPerIteration: Double?
    /// For soak reports: growth per hour of soak time that is accepted (default 0).
    public var toleratedBytesPerHour: Double?
    public var allowedGrowth: [GrowthClass]?
    /// What an inconclusive verdict does, unless a workload's entry says otherwise (default reject).
    public var inconclusive: InconclusiveRule?
    public var workloads: [WorkloadRule]?
    public var baseline: BaselineRule?
    /// How benchmark figures are compared with the baseline's (see ``BenchRule``).
    public var bench: BenchRule?

    public init() {}

    /// The rule for one workload: the first matching entry, filled in from the top level.
    public func rule(for name: String) -> (expect: Verdict, tolerated: Double, allowed: [GrowthClass]) {
        let entry = workloads?.first { WorkloadSelection.matches(name, pattern: $0.match) }
        return (
            entry?.expect ?? .pass,
            entry?.toleratedBytesPerIteration ?? toleratedBytesPerIteration ?? 0,
            entry?.allowedGrowth ?? allowedGrowth ?? [.none]
        )
    }

    /// Whether an inconclusive verdict passes the gate for one workload.
    public func acceptsInconclusive(_ name: String) -> Bool {
        let entry = workloads?.first { WorkloadSelection.matches(name, pattern: $0.match) }
        return (entry?.inconclusive ?? inconclusive ?? .reject) == .accept
    }

    /// The bytes per hour a soaked workload may grow by: the first matching entry's, else the top level's, else 0.
    public func toleratedBytesPerHour(for name: String) -> Double {
        let entry = workloads?.first { WorkloadSelection.matches(name, pattern: $0.match) }
        return entry?.toleratedBytesPerHour ?? toleratedBytesPerHour ?? 0
    }

    /// Reads a policy, refusing unknown keys and bad values with one line that names them.
    public static func read(from data: Data, path: String) throws -> GatePolicy {
        guard let object = try? JSONSerialization.jsonObject(with: data), let top = object as? [String: Any] else {
            throw PolicyError(path: path, reason: "is not a JSON object")
        }
        try checkKeys(
            top,
            known: [
                "toleratedBytesPerIteration", "toleratedBytesPerHour", "allowedGrowth", "inconclusive", "workloads",
                "baseline", "bench",
            ],
            at: "the top level", path: path)
        if let entries = top["workloads"] as? [Any] {
            for (index, entry) in entries.enumerated() {
                guard let entry = entry as? [String: Any] else {
                    throw PolicyError(path: path, reason: "workloads[\(index)] is not an object")
                }
                try checkKeys(
                    entry,
                    known: [
                        "match", "expect", "toleratedBytesPerIteration", "toleratedBytesPerHour", "allowedGrowth",
                        "inconclusive",
                    ],
                    at: "workloads[\(index)]", path: path)
                guard entry["match"] is String else {
                    throw PolicyError(path: path, reason: "workloads[\(index)] has no \"match\" pattern")
                }
                if let expect = entry["expect"] as? String, expect != "pass", expect != "leak" {
                    throw PolicyError(
                        path: path, reason: "workloads[\(index)].expect is '\(expect)'; write \"pass\" or \"leak\"")
                }
            }
        }
        var rules: [(String, Any?)] = [("inconclusive", top["inconclusive"])]
        for (index, entry) in ((top["workloads"] as? [[String: Any]]) ?? []).enumerated() {
            rules.append(("workloads[\(index)].inconclusive", entry["inconclusive"]))
        }
        for case (let key, let value?) in rules where (value as? String).flatMap(InconclusiveRule.init) == nil {
            throw PolicyError(path: path, reason: "\(key) is '\(value)'; write \"reject\" or \"accept\"")
        }
        if let baseline = top["baseline"] as? [String: Any] {
            try checkKeys(
                baseline, known: ["relativeTolerance", "absoluteToleranceBytesPerIteration"], at: "baseline", path: path
            )
        }
        if let bench = top["bench"] {
            guard let bench = bench as? [String: Any] else {
                throw PolicyError(path: path, reason: "bench is not an object")
            }
            try checkKeys(
                bench,
                known: [
                    "allocationsTolerance", "minimumEffect", "cpuMinimumEffect", "effectQuantile", "confidence",
                    "peakResidentTolerance", "metrics",
                ],
                at: "bench", path: path)
            for case let metric as String in (bench["metrics"] as? [Any]) ?? []
            where BenchMetric(rawValue: metric) == nil {
                throw PolicyError(
                    path: path,
                    reason:
                        "bench.metrics has '\(metric)'; write any of \(BenchMetric.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))"
                )
            }
        }
        do {
            let policy = try JSONDecoder().decode(GatePolicy.self, from: data)
            // Every number through one checked range: 0 to 1 PiB (a relative tolerance to 1000 ×).
            var tolerances: [(String, Double?, ClosedRange<Double>)] = [
                ("toleratedBytesPerIteration", policy.toleratedBytesPerIteration, 0...Self.maximumBytes),
                ("toleratedBytesPerHour", policy.toleratedBytesPerHour, 0...Self.maximumBytes),
                ("baseline.relativeTolerance", policy.baseline?.relativeTolerance, 0...1000),
                (
                    "baseline.absoluteToleranceBytesPerIteration", policy.baseline?.absoluteToleranceBytesPerIteration,
                    0...Self.maximumBytes
                ),
            ]
            tolerances += [
                ("bench.allocationsTolerance", policy.bench?.allocationsTolerance, 0...1e12),
                ("bench.minimumEffect", policy.bench?.minimumEffect, 0...100),
                ("bench.cpuMinimumEffect", policy.bench?.cpuMinimumEffect, 0...100),
                ("bench.effectQuantile", policy.bench?.effectQuantile, 0...0.5),
                ("bench.confidence", policy.bench?.confidence, 0.5...0.999_999),
                ("bench.peakResidentTolerance", policy.bench?.peakResidentTolerance, 0...1000),
            ]
            for (index, rule) in (policy.workloads ?? []).enumerated() {
                tolerances.append(
                    (
                        "workloads[\(index)].toleratedBytesPerIteration", rule.toleratedBytesPerIteration,
                        0...Self.maximumBytes
                    ))
                tolerances.append(
                    ("workloads[\(index)].toleratedBytesPerHour", rule.toleratedBytesPerHour, 0...Self.maximumBytes))
            }
            for case (let key, let value?, let range) in tolerances {
                do {
                    try CheckedNumber.checked(value, in: range, source: key)
                } catch {
                    throw PolicyError(path: path, reason: "\(error)")
                }
            }
            return policy
        } catch let error as PolicyError {
            throw error
        } catch let DecodingError.dataCorrupted(context), let DecodingError.typeMismatch(_, context) {
            throw PolicyError(
                path: path, reason: "has a bad value at \(describe(context.codingPath)): \(context.debugDescription)")
        } catch {
            throw PolicyError(path: path, reason: "cannot be read: \(error)")
        }
    }

    /// 1 PiB: the largest tolerance a policy may give.
    static let maximumBytes = 1_125_899_906_842_624.0

    private static func checkKeys(_ object: [String: Any], known: [String], at place: String, path: String) throws {
        for key in object.keys.sorted() where !known.contains(key) {
            throw PolicyError(
                path: path, reason: "has unknown key '\(key)' in \(place); known keys: \(known.joined(separator: ", "))"
            )
        }
    }

    private static func describe(_ path: [CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(
            in: CharacterSet(charactersIn: "."))
    }

    /// A policy file that cannot be used.
    public struct PolicyError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "policy '\(path)' \(reason)" }
    }
}
