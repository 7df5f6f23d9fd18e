/// A Japanese lottery game as the sample generator draws it: its numbers, range and draw days.
public struct LotoGame: Sendable, Equatable {
    /// The name used in the `loto` column and on the command line.
    public var name: String
    /// How many numbers one draw has (`N1` … `Nk`).
    public var count: Int
    /// The smallest and largest number for each position.
    public var range: @Sendable (Int) -> ClosedRange<Int>
    /// Whether the numbers of one draw are distinct and sorted ascending (loto6, loto7,
    /// miniloto) rather than independent digits or columns.
    public var distinctSorted: Bool
    /// Draw weekdays, Monday = 0.
    public var weekdays: [Int]
    /// The first draw day of the synthetic history.
    public var firstDay: CivilDay
    /// Whether the game carries a jackpot over (the `co` column).
    public var carriesOver: Bool

    public static func == (lhs: LotoGame, rhs: LotoGame) -> Bool { lhs.name == rhs.name }

    /// The six games, by name.
    public static let all: [LotoGame] = [
        // Loto 6: 6 of 1–43, Monday and Thursday.
        LotoGame(
            name: "loto6", count: 6, range: { _ in 1...43 }, distinctSorted: true, weekdays: [0, 3],
            firstDay: CivilDay(year: 2011, month: 4, day: 4)!, carriesOver: true),
        // Loto 7: 7 of 1–37, Friday.
        LotoGame(
            name: "loto7", count: 7, range: { _ in 1...37 }, distinctSorted: true, weekdays: [4],
            firstDay: CivilDay(year: 2013, month: 4, day: 5)!, carriesOver: true),
        // Mini Loto: 5 of 1–31, Tuesday.
        LotoGame(
            name: "miniloto", count: 5, range: { _ in 1...31 }, distinctSorted: true, weekdays: [1],
            firstDay: CivilDay(year: 1999, month: 4, day: 13)!, carriesOver: false),
        // Bingo 5: 8 numbers, one from each column of five (1–5, 6–10, …, 36–40), Wednesday.
        LotoGame(
            name: "bingo5", count: 8, range: { position in (5 * position - 4)...(5 * position) }, distinctSorted: false,
            weekdays: [2], firstDay: CivilDay(year: 2017, month: 4, day: 5)!, carriesOver: true),
        // Numbers 3 and 4: digits 0–9, Monday to Friday.
        LotoGame(
            name: "numbers3", count: 3, range: { _ in 0...9 }, distinctSorted: false, weekdays: [0, 1, 2, 3, 4],
            firstDay: CivilDay(year: 1994, month: 10, day: 7)!, carriesOver: false),
        LotoGame(
            name: "numbers4", count: 4, range: { _ in 0...9 }, distinctSorted: false, weekdays: [0, 1, 2, 3, 4],
            firstDay: CivilDay(year: 1994, month: 10, day: 7)!, carriesOver: false),
    ]

    /// The kind of game: `pick` (distinct numbers from one range), `bingo` (one number from
    /// each column) or `digits` (independent digits).
    public var kind: String { distinctSorted ? "pick" : name.hasPrefix("bingo") ? "bingo" : "digits" }

    /// The game called `name`, or nil.
    public static func named(_ name: String) -> LotoGame? { all.first { $0.name == name } }

    /// The names, for help and errors.
    public static var names: [String] { all.map(\.name) }

    /// The draw days from `firstDay` on (the first is the first draw weekday on or after it).
    public func drawDays(_ draws: Int) -> [CivilDay] {
        var days: [CivilDay] = []
        days.reserveCapacity(draws)
        var day = firstDay
        while days.count < draws {
            if weekdays.contains(day.weekday) { days.append(day) }
            day = day.adding(days: 1)
        }
        return days
    }
}
