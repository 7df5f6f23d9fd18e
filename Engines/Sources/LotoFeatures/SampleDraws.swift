/// A small, fast, seeded generator (SplitMix64): the same seed gives the same draws everywhere.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Synthetic draws of one game: uniform numbers in the game's ranges on its real draw days,
/// draw numbers from 1, and a carry-over that builds up and is won now and then.
public enum SampleDraws {
    /// One series per position (`N1` … `Nk`) of `draws` draws each.
    public static func series(game: LotoGame, draws: Int, seed: UInt64) -> [DrawSeries] {
        // The game's name is mixed in so two games with one seed do not share numbers.
        var generator = SeededGenerator(
            seed: seed
                ^ game.name.utf8.reduce(UInt64(1_469_598_103_934_665_603)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 })
        let days = game.drawDays(draws)
        var result = (1...game.count).map { DrawSeries(loto: game.name, uniqueId: "N\($0)") }
        for index in result.indices {
            result[index].days.reserveCapacity(draws)
            result[index].y.reserveCapacity(draws)
        }
        var carryOver = 0.0
        for (index, day) in days.enumerated() {
            var numbers: [Int]
            if game.distinctSorted {
                var pool = Array(game.range(1))
                for pick in 0..<game.count { pool.swapAt(pick, Int.random(in: pick..<pool.count, using: &generator)) }
                numbers = pool[0..<game.count].sorted()
            } else {
                numbers = (1...game.count).map { Int.random(in: game.range($0), using: &generator) }
            }
            if game.carriesOver {
                // A jackpot is won about one draw in four; otherwise part of the pool carries over.
                carryOver =
                    Int.random(in: 0..<4, using: &generator) == 0
                    ? 0 : carryOver + Double(Int.random(in: 1...200, using: &generator)) * 1_000_000
            }
            for position in 0..<game.count {
                result[position].append(day: day, y: Double(numbers[position]), num: index + 1, co: carryOver)
            }
        }
        return result
    }

    /// The draws as CSV (`loto,unique_id,ds,y,num,co`), one row per number, by draw then position.
    public static func csv(_ series: [DrawSeries]) -> String {
        var text = "loto,unique_id,ds,y,num,co\n"
        guard let length = series.first?.count else { return text }
        for row in 0..<length {
            for one in series {
                let y = one.y[row]
                text +=
                    "\(one.loto),\(one.uniqueId),\(one.days[row]),\(y.isNaN ? "" : String(Int(y))),\(one.num[row].map(String.init) ?? ""),\(one.co[row].map { String(Int($0)) } ?? "")\n"
            }
        }
        return text
    }
}
