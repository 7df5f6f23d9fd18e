/// One series of draws: one game (`loto`) and one number position (`unique_id`), sorted by day.
///
/// Columns rather than rows: a series is read and written column by column, and 2,000 draws
/// of six columns fit in a few cache lines per column.
public struct DrawSeries: Sendable, Equatable {
    /// The game, e.g. `loto6`.
    public var loto: String
    /// The number's position, e.g. `N1`.
    public var uniqueId: String
    /// Draw days, strictly increasing.
    public var days: [CivilDay]
    /// The drawn number; NaN where the source had none.
    public var y: [Double]
    /// Draw numbers (`num`); nil where the source had none.
    public var num: [Int?]
    /// Carry-over amounts (`co`); nil where the source had none.
    public var co: [Double?]
    /// Prize amounts (`prize`, optional in the input); nil where the source had none.
    public var prize: [Double?]

    public init(
        loto: String, uniqueId: String, days: [CivilDay] = [], y: [Double] = [], num: [Int?] = [], co: [Double?] = [],
        prize: [Double?] = []
    ) {
        self.loto = loto
        self.uniqueId = uniqueId
        self.days = days
        self.y = y
        self.num = num
        self.co = co
        self.prize = prize.isEmpty ? [Double?](repeating: nil, count: days.count) : prize
    }

    /// Number of draws.
    public var count: Int { days.count }

    /// The series key, `loto/unique_id`, for messages.
    public var key: SeriesKey { SeriesKey(loto: loto, uniqueId: uniqueId) }

    /// Appends one draw.
    public mutating func append(
        day: CivilDay, y value: Double, num drawNumber: Int?, co carryOver: Double?, prize amount: Double? = nil
    ) {
        if prize.count < days.count { prize += [Double?](repeating: nil, count: days.count - prize.count) }
        days.append(day)
        y.append(value)
        num.append(drawNumber)
        co.append(carryOver)
        prize.append(amount)
    }
}

/// A series' key: game and number position, ordered by game then position.
public struct SeriesKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var loto: String
    public var uniqueId: String

    public init(loto: String, uniqueId: String) {
        self.loto = loto
        self.uniqueId = uniqueId
    }

    public static func < (lhs: SeriesKey, rhs: SeriesKey) -> Bool {
        (lhs.loto, lhs.uniqueId) < (rhs.loto, rhs.uniqueId)
    }

    public var description: String { "\(loto)/\(uniqueId)" }
}
