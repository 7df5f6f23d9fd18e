/// Batch sizes that grow additively while memory is calm and are cut multiplicatively under
/// pressure (AIMD), between a floor and a ceiling.
public struct AdaptiveBatchSize: Sendable, Equatable, Codable {
    public private(set) var current: Int
    /// The size asked for at the start.
    public let initial: Int
    public let floor: Int
    public let ceiling: Int
    /// Added after each batch at `normal` pressure.
    public let increase: Int
    /// Multiplied in after each batch at `throttle` or above.
    public let decrease: Double

    public init(initial: Int, floor: Int = 1, ceiling: Int, increase: Int = 1, decrease: Double = 0.5) {
        precondition(floor >= 1 && floor <= ceiling, "batch floor must be at least 1 and at most the ceiling")
        precondition(decrease > 0 && decrease < 1, "the decrease factor must be between 0 and 1")
        self.floor = floor
        self.ceiling = ceiling
        self.increase = max(increase, 1)
        self.decrease = decrease
        current = min(max(initial, floor), ceiling)
        self.initial = current
    }

    /// Adjusts for the pressure seen after a batch and returns the next batch's size.
    public mutating func next(at level: PressureLevel) -> Int {
        switch level {
        case .normal:
            current = min(current + increase, ceiling)
        case .warn:
            break
        case .throttle, .refuse, .emergency:
            current = max(Int((Double(current) * decrease).rounded(.down)), floor)
        }
        return current
    }
}
