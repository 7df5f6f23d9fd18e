import Foundation

/// P12, calendar: what is known of a draw day in advance (features_futr) — calendar columns,
/// cyclic encodings, Fourier terms and Japanese public holidays.
///
/// Calendar columns are pandas' `dt` accessors: `dayofweek` with Monday = 0, the ISO week
/// (`isocalendar().week`), `is_quarter_start` / `is_quarter_end` / `is_month_start` /
/// `is_month_end`, `is_leap_year`, `days_in_month`; `futr_ds_is_weekend` is Saturday or Sunday.
///
/// Cyclic encodings are `sin(2π·(v − 1)/p)` and `cos(…)` of a 1-based value v over its period p:
/// day of month over the month's days, ISO week over the ISO year's weeks (52 or 53), month
/// over 12, quarter over 4 — so the first day, week, month or quarter is angle 0 and the last
/// is one step before a full turn. This project's own `futr_dow_*` (weekday, Monday = 0, over 7)
/// and `futr_doy_*` (day of year over 365 or 366) follow the same rule.
///
/// Fourier terms are `sin(2πkt/p)` and `cos(2πkt/p)` with `t` the days since 1970-01-01.
/// Holidays: ``JapaneseHolidays`` (NULL outside 1990–2099).
public struct CalendarPipeline: FeaturePipeline {
    public init() {}
    public var id: PipelineID { .p12 }
    public var title: String { "calendar" }
    public var reference: String { "pandas dt accessors; the Japanese holiday law (JapaneseHolidays)" }
    public var columns: [FeatureColumn] {
        FeatureSchema.futr.map { FeatureColumn($0.0, $0.1, table: .futr, pipeline: id) }
            + FutrFeatures.extraColumns.map { FeatureColumn($0, table: .futr, pipeline: id) }
    }

    public func compute(_ series: DrawSeries, context: SeriesContext) -> PipelineOutput {
        PipelineOutput(futr: FutrFeatures.compute(series.days))
    }
}

/// The computations of ``CalendarPipeline``.
public enum FutrFeatures {
    /// Fourier periods and orders.
    public static let fourierPeriods = [7, 30, 365]
    public static let fourierOrders = [1, 2]
    public static let fourierColumns: [String] = fourierPeriods.flatMap { p in
        fourierOrders.flatMap { k in ["futr_p\(p)_k\(k)_sin", "futr_p\(p)_k\(k)_cos"] }
    }
    /// This project's own cyclic encodings of weekday and day of year.
    public static let extraColumns = ["futr_dow_sin", "futr_dow_cos", "futr_doy_sin", "futr_doy_cos"]

    /// Every column, in table order (the schema's, then ``extraColumns``).
    public static let columns = FeatureSchema.futr.map(\.0) + extraColumns

    /// One array per column, one value per day.
    public static func compute(_ days: [CivilDay]) -> [[Double]] {
        var out = [[Double]](repeating: [Double](repeating: .nan, count: days.count), count: columns.count)
        for (row, day) in days.enumerated() {
            for (column, value) in cells(of: day).enumerated() { out[column][row] = value }
        }
        return out
    }

    /// The values of one day, in column order.
    static func cells(of day: CivilDay) -> [Double] {
        let (year, month, dom) = day.components
        let weekday = day.weekday
        let dayOfYear = day.dayOfYear
        let week = day.isoWeek
        let quarter = (month - 1) / 3 + 1
        let monthDays = CivilDay.daysInMonth(year: year, month: month)
        let quarterMonth = (month - 1) % 3
        func flag(_ condition: Bool) -> Double { condition ? 1 : 0 }
        func turn(_ value: Int, of period: Int) -> [Double] {
            let angle = 2 * Double.pi * Double(value) / Double(period)
            return [sin(angle), cos(angle)]
        }
        var cells: [Double] = [
            Double(year), Double(quarter), Double(month), Double(week), Double(dom), Double(dayOfYear), Double(weekday),
            Double(monthDays),
            flag(weekday >= 5), flag(CivilDay.isLeap(year)), flag(quarterMonth == 0 && dom == 1),
            flag(quarterMonth == 2 && dom == monthDays), flag(dom == 1), flag(dom == monthDays),
        ]
        cells += turn(dom - 1, of: monthDays)
        cells += turn(week - 1, of: isoWeeks(of: day))
        cells += turn(month - 1, of: 12)
        cells += turn(quarter - 1, of: 4)
        let t = Double(day.daysSinceEpoch)
        for p in fourierPeriods {
            for k in fourierOrders { cells += fourier(t, k, p) }
        }
        cells += JapaneseHolidays.features(of: day)
        cells += turn(weekday, of: 7)
        cells += turn(dayOfYear - 1, of: CivilDay.isLeap(year) ? 366 : 365)
        return cells
    }

    private static func fourier(_ t: Double, _ k: Int, _ p: Int) -> [Double] {
        let angle = 2 * .pi * Double(k) * t / Double(p)
        return [sin(angle), cos(angle)]
    }

    /// Weeks in the ISO year the day's ISO week belongs to: the week of its 28 December.
    static func isoWeeks(of day: CivilDay) -> Int {
        let (year, month, _) = day.components
        var isoYear = year
        if month == 1 && day.isoWeek >= 52 { isoYear -= 1 }
        if month == 12 && day.isoWeek == 1 { isoYear += 1 }
        return CivilDay(year: isoYear, month: 12, day: 28)?.isoWeek ?? 52
    }
}
