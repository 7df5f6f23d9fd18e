import SoakGateBasics

/// Watches readings as they arrive: the recent growth rate of each workload, and the alert
/// thresholds. Warns once per crossing; a workload that falls back below can warn again.
public struct SoakAlertMonitor: Sendable {
    public struct Alert: Sendable, Equatable {
        public enum Kind: String, Sendable {
            case bytesPerHour = "bytes_per_hour"
            case liveBytes = "live_bytes"
        }
        public var kind: Kind
        public var workload: String
        public var message: String
    }

    private struct Recent: Sendable {
        var seconds: [Double] = []
        var retained: [Double] = []
        var segment = -1
        var carried = 0.0
        var firstLive = 0
        var above: Set<Alert.Kind> = []
    }

    public let policy: SoakAlertPolicy
    private var recent: [String: Recent] = [:]

    public init(policy: SoakAlertPolicy) {
        self.policy = policy
    }

    /// Feeds readings already on disk (a resumed soak) without alerting.
    public mutating func prime(with samples: [SoakSample]) {
        for sample in samples { _ = record(sample) }
    }

    /// Bytes per hour over the recent window; nil until there are 5 readings.
    public func recentBytesPerHour(_ workload: String) -> Double? {
        guard let state = recent[workload], state.seconds.count >= 5 else { return nil }
        return SoakAnalysis.bytesPerHour(seconds: state.seconds, retained: state.retained)?.slope
    }

    /// Records a reading and returns the alerts it raises.
    public mutating func observe(_ sample: SoakSample) -> [Alert] {
        record(sample)
        var alerts: [Alert] = []
        var state = recent[sample.workload]!
        if let limit = policy.liveBytes {
            let over = sample.liveBytes > limit
            if over && !state.above.contains(.liveBytes) {
                alerts.append(
                    Alert(
                        kind: .liveBytes, workload: sample.workload,
                        message:
                            "\(sample.workload) holds \(ByteCount.format(sample.liveBytes)) live, above the alert at \(ByteCount.format(limit))"
                    ))
            }
            if over { state.above.insert(.liveBytes) } else { state.above.remove(.liveBytes) }
        }
        // A rate needs a few readings and a quarter of the window to mean anything.
        if let limit = policy.bytesPerHour, state.seconds.count >= 8,
            state.seconds.last! - state.seconds.first! >= policy.windowSeconds / 4,
            let slope = SoakAnalysis.bytesPerHour(seconds: state.seconds, retained: state.retained)
        {
            let over = slope.lowerBound95 > limit
            if over && !state.above.contains(.bytesPerHour) {
                let span = SoakDuration.format(state.seconds.last! - state.seconds.first!)
                alerts.append(
                    Alert(
                        kind: .bytesPerHour, workload: sample.workload,
                        message:
                            "\(sample.workload) grows \(ByteCount.format(slope.slope))/h over the last \(span) (95 % lower bound \(ByteCount.format(slope.lowerBound95))/h), above the alert at \(ByteCount.format(limit))/h"
                    ))
            }
            if over {
                state.above.insert(.bytesPerHour)
            } else if slope.slope <= limit {
                state.above.remove(.bytesPerHour)
            }
        }
        recent[sample.workload] = state
        return alerts
    }

    @discardableResult
    private mutating func record(_ sample: SoakSample) -> Recent {
        var state = recent[sample.workload] ?? Recent()
        if sample.segment != state.segment {
            state.carried = state.retained.last ?? 0
            state.firstLive = sample.liveBytes
            state.segment = sample.segment
        }
        state.seconds.append(sample.elapsedSeconds)
        state.retained.append(state.carried + Double(sample.liveBytes - state.firstLive))
        let cutoff = sample.elapsedSeconds - policy.windowSeconds
        if let keep = state.seconds.firstIndex(where: { $0 >= cutoff }), keep > 0 {
            state.seconds.removeFirst(keep)
            state.retained.removeFirst(keep)
        }
        recent[sample.workload] = state
        return state
    }
}
