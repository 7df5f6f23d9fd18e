/// How close usage is to the budget, from calm to out of memory.
public enum PressureLevel: Int, Sendable, Codable, Comparable, CaseIterable, CustomStringConvertible {
    /// Below the warning threshold.
    case normal
    /// Log once per crossing and raise an alert.
    case warn
    /// Shrink batch sizes; engines go light.
    case throttle
    /// New jobs are refused.
    case refuse
    /// Running jobs stop at their next safe point; caches are dropped; arenas purged.
    case emergency

    public static func < (a: PressureLevel, b: PressureLevel) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .normal: return "normal"
        case .warn: return "warn"
        case .throttle: return "throttle"
        case .refuse: return "refuse"
        case .emergency: return "emergency"
        }
    }
}

/// Fractions of the budget where each level starts: warn 80 %, throttle 90 %, refuse 95 %,
/// emergency at the hard cap (100 %).
public struct PressureThresholds: Sendable, Equatable, Codable {
    public var warn: Double
    public var throttle: Double
    public var refuse: Double
    public var emergency: Double

    /// Thresholds must rise strictly from warn to emergency, within (0, 1].
    public init(warn: Double = 0.80, throttle: Double = 0.90, refuse: Double = 0.95, emergency: Double = 1.0) throws {
        let values = [warn, throttle, refuse, emergency]
        guard values.allSatisfy({ $0 > 0 && $0 <= 1 && $0.isFinite }) else {
            throw ThresholdError(values: values, reason: "every threshold must be above 0 % and at most 100 %")
        }
        guard zip(values, values.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw ThresholdError(values: values, reason: "thresholds must rise: warn < throttle < refuse < emergency")
        }
        self.warn = warn
        self.throttle = throttle
        self.refuse = refuse
        self.emergency = emergency
    }

    /// The level for a fraction of the budget in use.
    public func level(for fraction: Double) -> PressureLevel {
        if fraction >= emergency { return .emergency }
        if fraction >= refuse { return .refuse }
        if fraction >= throttle { return .throttle }
        if fraction >= warn { return .warn }
        return .normal
    }

    public struct ThresholdError: Error, CustomStringConvertible, Equatable {
        public var values: [Double]
        public var reason: String
        public var description: String {
            let shown = values.map { "\(($0 * 1000).rounded() / 10) %" }.joined(separator: ", ")
            return "memory thresholds \(shown) are not usable: \(reason)"
        }
    }
}
