/// Pipeline P13: what a draw means as a lottery draw. Every per-draw value at draw t uses the
/// game's draws up to and including t, never a later one, so extending the input leaves
/// earlier rows as they were.
///
/// A game's draws are the distinct days of its series in the input (as `gameDrawCount`), in
/// order; draw index t counts them from 0. A number *appears* in a draw when it is drawn in the
/// number's *pool*:
/// - pick games (loto6, loto7, miniloto: distinct numbers from one range): the pool is the whole
///   draw, every position; the chance that a given number appears in a draw is p = k / R, k the
///   positions of the game present in the input (N1 … Nk), R the size of the range (43 for loto6);
/// - bingo5 and the digit games (numbers3, numbers4): each position is its own pool with its own
///   range (bingo5's N3 draws from 11–15; a digit from 0–9); p = 1 / R.
/// A game the engine does not know has no range: each position is its own pool, and the columns
/// that need the range (the hot/cold scores and the low/high counts) are NULL.
///
/// Columns of features_hist, for the row of series s at draw t with value v = yₜ (NULL where v is
/// missing or not a whole number in the pool's range):
/// - `hist_num_hot_w{10,30,100}`: the draws among the last w (t − w + 1 … t) in which v appears in
///   its pool, over the w · p such draws a uniform game expects: 1 is as often as chance, above 1
///   hot, below 1 cold. NULL until the game has w draws.
/// - `hist_num_gap`: draws since v last appeared in its pool before t (1: in the previous draw);
///   NULL when v had not appeared before t.
/// - `hist_num_mean_gap`: the mean gap between v's consecutive appearances up to and including
///   t; NULL when t is its first.
/// - `hist_num_streak`: the consecutive draws ending at t in which v appeared (1: not in t − 1).
/// Draw columns, the same for every position of a draw (NULL when a position of the game is
/// missing from the draw, or a value is not a whole number):
/// - `hist_draw_sum`: the sum of the draw's numbers;
/// - `hist_draw_odd_count`, `hist_draw_even_count`: its odd and even numbers;
/// - `hist_draw_low_count`, `hist_draw_high_count`: its numbers in the lower and upper half of
///   their position's range (low when v − min < R / 2: 1–22 of loto6's 1–43, 0–4 of a digit).
///
/// Columns of features_stat, where the input has prize amounts (the optional `prize` column;
/// a draw's prize is the first of its positions' in key order that has one): the Pearson
/// correlation of the prize with this position's value (`stat_prize_corr_y`) and with the
/// draw's sum, odd count and low count (`stat_prize_corr_draw_sum`, `…_odd_count`,
/// `…_low_count`), over the draws where both are present. NULL without prizes, with fewer than
/// three such draws, or when either side is constant over them.
public enum LotteryFeatures {
    public static let hotWindows = [10, 30, 100]

    public static let histColumns: [String] =
        hotWindows.map { "hist_num_hot_w\($0)" } + [
            "hist_num_gap", "hist_num_mean_gap", "hist_num_streak", "hist_draw_sum", "hist_draw_odd_count",
            "hist_draw_even_count", "hist_draw_low_count", "hist_draw_high_count",
        ]

    /// The whole-number columns (the rest are floats).
    public static let integerColumns: Set<String> = [
        "hist_num_gap", "hist_num_streak", "hist_draw_odd_count", "hist_draw_even_count", "hist_draw_low_count",
        "hist_draw_high_count",
    ]

    public static let statColumns = [
        "stat_prize_corr_y", "stat_prize_corr_draw_sum", "stat_prize_corr_odd_count", "stat_prize_corr_low_count",
    ]

    /// One series' columns: hist (one array per column, one value per draw of the series) and
    /// stat. Without the game's draws (a series on its own), the game is this series alone.
    public static func compute(_ series: DrawSeries, draws: GameDraws?) -> (hist: [[Double]], stat: [Double]) {
        let game = draws ?? GameDraws(game: LotoGame.named(series.loto), series: [series])
        let n = series.count
        var hist = [[Double]](repeating: [Double](repeating: .nan, count: n), count: histColumns.count)
        guard let position = game.uniqueIds.firstIndex(of: series.uniqueId) else {
            return (hist, [Double](repeating: .nan, count: statColumns.count))
        }
        let pool = game.pools[game.poolOfPosition[position]]
        let range = game.ranges[position]
        var drawIndex = 0
        for row in 0..<n {
            let day = series.days[row].daysSinceEpoch
            while game.days[drawIndex] < day { drawIndex += 1 }
            let t = drawIndex
            hist[6][row] = game.drawSum[t]
            hist[7][row] = game.oddCount[t]
            hist[8][row] = game.drawCount[t] - game.oddCount[t]
            if game.lowCount[t].isNaN {
                hist[9][row] = .nan
                hist[10][row] = .nan
            } else {
                hist[9][row] = game.lowCount[t]
                hist[10][row] = game.drawCount[t] - game.lowCount[t]
            }
            guard let v = GameDraws.whole(series.y[row]), let list = pool.appearances[v] else { continue }
            if let range, !range.contains(v) { continue }
            // v appears at t (this position drew it): k is its place in v's appearances.
            let k = GameDraws.lowerBound(list, t)
            if k > 0 {
                hist[3][row] = Double(t - Int(list[k - 1]))
                hist[4][row] = Double(t - Int(list[0])) / Double(k)
            }
            hist[5][row] = Double(pool.streaks[v]![k])
            if range != nil, pool.chance > 0 {
                for (index, w) in hotWindows.enumerated() where t >= w - 1 {
                    let inWindow = k + 1 - GameDraws.lowerBound(list, t - w + 1)
                    hist[index][row] = Double(inWindow) / (Double(w) * pool.chance)
                }
            }
        }
        var stat = [Double](repeating: .nan, count: statColumns.count)
        if game.prize.contains(where: { !$0.isNaN }) {
            var y = [Double](repeating: .nan, count: game.days.count)
            drawIndex = 0
            for row in 0..<n {
                while game.days[drawIndex] < series.days[row].daysSinceEpoch { drawIndex += 1 }
                y[drawIndex] = series.y[row]
            }
            for (index, values) in [y, game.drawSum, game.oddCount, game.lowCount].enumerated() {
                stat[index] = pearson(game.prize, values)
            }
        }
        return (hist, stat)
    }

    /// Pearson's r over the indices where both are present (two passes: means, then sums of
    /// products); NaN below three pairs or when either side is constant.
    static func pearson(_ a: [Double], _ b: [Double]) -> Double {
        var count = 0
        var sumA = 0.0
        var sumB = 0.0
        for i in a.indices where !a[i].isNaN && !b[i].isNaN {
            count += 1
            sumA += a[i]
            sumB += b[i]
        }
        guard count >= 3 else { return .nan }
        let meanA = sumA / Double(count)
        let meanB = sumB / Double(count)
        var ab = 0.0
        var aa = 0.0
        var bb = 0.0
        for i in a.indices where !a[i].isNaN && !b[i].isNaN {
            let da = a[i] - meanA
            let db = b[i] - meanB
            ab += da * db
            aa += da * da
            bb += db * db
        }
        guard aa > 0, bb > 0 else { return .nan }
        return ab / (aa * bb).squareRoot()
    }
}

/// The draws of one game across its positions, built once per run and shared by every series of
/// the game: per draw the draw-level values, per pool each number's appearances.
public final class GameDraws: Sendable {
    /// The game's draw days (days since 1970-01-01), increasing.
    public let days: [Int]
    /// The positions' unique ids, in key order.
    public let uniqueIds: [String]
    /// Per position, its number range (nil for a game the engine does not know).
    let ranges: [ClosedRange<Int>?]
    let poolOfPosition: [Int]
    let pools: [Pool]
    /// Per draw: sum, odd count, low count (NaN where the draw is incomplete, or low count where
    /// the ranges are unknown) and present numbers.
    let drawSum: [Double]
    let oddCount: [Double]
    let lowCount: [Double]
    let drawCount: [Double]
    /// Per draw, the prize (NaN where none).
    let prize: [Double]

    struct Pool: Sendable {
        /// Per number, the draw indices in which it appears, increasing, each once.
        var appearances: [Int: [Int32]] = [:]
        /// Per number, per appearance, the consecutive draws ending there in which it appeared.
        var streaks: [Int: [Int32]] = [:]
        /// The chance p that a given number appears in a draw (0 when unknown).
        var chance = 0.0
    }

    /// The largest range a pool tracks; the games the engine knows have at most 43 numbers.
    static let largestValue = 1_000_000

    /// `series`: the game's positions (any order); `game`: the game, nil when unknown.
    public init(game: LotoGame?, series: [DrawSeries]) {
        let series = series.sorted { $0.key < $1.key }
        uniqueIds = series.map(\.uniqueId)
        var allDays = Set<Int>()
        for one in series { allDays.formUnion(one.days.lazy.map(\.daysSinceEpoch)) }
        let days = allDays.sorted()
        self.days = days
        let drawOf = Dictionary(uniqueKeysWithValues: days.enumerated().map { ($1, $0) })
        // Position k of a known game is unique_id N(k+1); anything else is a position of its own.
        let positions: [Int?] = series.map { one in
            guard let game, one.uniqueId.first == "N", let k = Int(one.uniqueId.dropFirst()),
                (1...game.count).contains(k)
            else { return nil }
            return k - 1
        }
        ranges = positions.map { position in position.flatMap { game?.range($0) } }
        let shared = game?.distinctSorted == true
        var poolOfPosition: [Int] = []
        var sharedPool: Int?
        var poolCount = 0
        for position in positions {
            if shared, position != nil {
                if sharedPool == nil {
                    sharedPool = poolCount
                    poolCount += 1
                }
                poolOfPosition.append(sharedPool!)
            } else {
                poolOfPosition.append(poolCount)
                poolCount += 1
            }
        }
        self.poolOfPosition = poolOfPosition
        let draws = days.count
        var sum = [Double](repeating: 0, count: draws)
        var odd = [Double](repeating: 0, count: draws)
        var low = [Double](repeating: 0, count: draws)
        var present = [Int](repeating: 0, count: draws)
        var prize = [Double](repeating: .nan, count: draws)
        var pools = [Pool](repeating: Pool(), count: poolCount)
        for (index, one) in series.enumerated() {
            let pool = poolOfPosition[index]
            let range = ranges[index]
            for row in 0..<one.count {
                let t = drawOf[one.days[row].daysSinceEpoch]!
                if prize[t].isNaN, row < one.prize.count, let amount = one.prize[row] { prize[t] = amount }
                guard let v = Self.whole(one.y[row]) else { continue }
                present[t] += 1
                sum[t] += Double(v)
                if v & 1 != 0 { odd[t] += 1 }
                if let range {
                    if 2 * (v - range.lowerBound) < range.count { low[t] += 1 }
                } else {
                    low[t] = .nan
                }
                // A number twice in one pool's draw (two positions of a pick game) appears once.
                if pools[pool].appearances[v]?.last != Int32(t) {
                    pools[pool].appearances[v, default: []].append(Int32(t))
                }
            }
        }
        for (index, position) in positions.enumerated() {
            guard let position, let range = game?.range(position) else { continue }
            let members = poolOfPosition.filter { $0 == poolOfPosition[index] }.count
            pools[poolOfPosition[index]].chance =
                shared ? Double(members) / Double(range.count) : 1 / Double(range.count)
        }
        for pool in pools.indices {
            // Appearances were appended in series order, not draw order, in a shared pool.
            for (v, list) in pools[pool].appearances {
                let sorted = Set(list).sorted()
                pools[pool].appearances[v] = sorted
                var streaks = [Int32](repeating: 1, count: sorted.count)
                for k in sorted.indices.dropFirst() where sorted[k] == sorted[k - 1] + 1 {
                    streaks[k] = streaks[k - 1] + 1
                }
                pools[pool].streaks[v] = streaks
            }
        }
        let complete = series.count
        for t in 0..<draws where present[t] < complete {
            sum[t] = .nan
            odd[t] = .nan
            low[t] = .nan
        }
        self.pools = pools
        drawSum = sum
        oddCount = odd
        lowCount = low
        drawCount = present.map { $0 < complete ? .nan : Double($0) }
        self.prize = prize
    }

    /// `value` as a whole number the pools track, or nil.
    static func whole(_ value: Double) -> Int? {
        guard value.isFinite, value == value.rounded(), abs(value) <= Double(largestValue) else { return nil }
        return Int(value)
    }

    /// The first index of `list` whose value is ≥ `t`.
    static func lowerBound(_ list: [Int32], _ t: Int) -> Int {
        var low = 0
        var high = list.count
        while low < high {
            let mid = (low + high) / 2
            if Int(list[mid]) < t { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
