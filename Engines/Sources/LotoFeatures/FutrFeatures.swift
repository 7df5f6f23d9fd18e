import Foundation

/// `features_futr`: what is known of a draw day in advance — calendar columns, cyclic
/// encodings, Fourier terms and Japanese public holidays.
///
/// Day of week has Monday = 0 (pandas' `dayofweek`); the week is the ISO week. Fourier terms
/// are `sin(2πkt/p)` and `cos(2πkt/p)` with `t` the days since 1970-01-01.
public enum FutrFeatures {
    /// Calendar columns, in order.
    public static let calendarColumns = [
        "futr_ds_year", "futr_ds_quarter", "futr_ds_month", "futr_ds_week", "futr_ds_day", "futr_ds_dayofweek",
        "futr_ds_dayofyear", "futr_ds_is_weekend", "futr_ds_month_start", "futr_ds_month_end",
    ]
    /// Cyclic encodings of day of week, month and day of year.
    public static let cyclicColumns = [
        "futr_dow_sin", "futr_dow_cos", "futr_month_sin", "futr_month_cos", "futr_doy_sin", "futr_doy_cos",
    ]
    /// Fourier periods and orders.
    public static let fourierPeriods = [7, 30, 365]
    public static let fourierOrders = [1, 2]
    public static let fourierColumns: [String] = fourierPeriods.flatMap { p in
        fourierOrders.flatMap { k in ["futr_p\(p)_k\(k)_sin", "futr_p\(p)_k\(k)_cos"] }
    }
    /// Holiday columns.
    public static let holidayColumns = ["futr_is_holiday", "futr_days_since_holiday", "futr_days_until_holiday"]

    /// Every column after the key, in table order.
    public static let columns = calendarColumns + cyclicColumns + fourierColumns + holidayColumns

    /// The rows of one series: one per draw day.
    public static func compute(_ series: DrawSeries) -> FeatureBlock {
        let width = columns.count
        var values = [Double](repeating: .nan, count: series.count * width)
        for (row, day) in series.days.enumerated() {
            let (year, month, dom) = day.components
            let weekday = day.weekday
            let dayOfYear = day.dayOfYear
            let daysInYear = CivilDay.isLeap(year) ? 366.0 : 365.0
            var cells: [Double] = [
                Double(year), Double((month - 1) / 3 + 1), Double(month), Double(day.isoWeek), Double(dom),
                Double(weekday),
                Double(dayOfYear), weekday >= 5 ? 1 : 0, dom == 1 ? 1 : 0,
                dom == CivilDay.daysInMonth(year: year, month: month) ? 1 : 0,
                sin(2 * .pi * Double(weekday) / 7), cos(2 * .pi * Double(weekday) / 7),
                sin(2 * .pi * Double(month - 1) / 12), cos(2 * .pi * Double(month - 1) / 12),
                sin(2 * .pi * Double(dayOfYear - 1) / daysInYear), cos(2 * .pi * Double(dayOfYear - 1) / daysInYear),
            ]
            let t = Double(day.daysSinceEpoch)
            for p in fourierPeriods {
                for k in fourierOrders {
                    let angle = 2 * .pi * Double(k) * t / Double(p)
                    cells.append(sin(angle))
                    cells.append(cos(angle))
                }
            }
            cells += JapaneseHolidays.features(of: day)
            values.replaceSubrange(row * width..<(row + 1) * width, with: cells)
        }
        return FeatureBlock(key: series.key, days: series.days, columnCount: width, values: values)
    }
}
