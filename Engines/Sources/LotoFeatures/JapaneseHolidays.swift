/// Japanese public holidays for 1990–2099, computed from the Act on National Holidays
/// (国民の祝日に関する法律): the dated and Happy-Monday holidays as the law stood each year,
/// the equinoxes by the usual formula (valid 1980–2099), the one-off imperial holidays and the
/// 2020/2021 Olympic moves, substitute holidays (振替休日) and citizens' holidays (国民の休日).
public enum JapaneseHolidays {
    /// The years covered; outside them the holiday columns are NULL.
    public static let years = 1990...2099

    /// Every holiday in ``years``, sorted.
    public static let all: [CivilDay] = {
        var days: [CivilDay] = []
        for year in years { days += holidays(in: year) }
        return days.sorted()
    }()

    /// Whether `day` is a public holiday (national, substitute or citizens'); nil outside 1990–2099.
    public static func isHoliday(_ day: CivilDay) -> Bool? {
        guard years.contains(day.year) else { return nil }
        return binarySearch(day) != nil
    }

    /// `futr_is_holiday` (1/0), `futr_days_since_holiday` (days since the latest holiday on or
    /// before the day; 0 on a holiday) and `futr_days_until_holiday` (days to the next on or
    /// after it); NaN where the answer lies outside 1990–2099.
    public static func features(of day: CivilDay) -> [Double] {
        guard years.contains(day.year) else { return [.nan, .nan, .nan] }
        let index = firstIndex(notBefore: day)
        let isHoliday = index < all.count && all[index] == day
        let until = index < all.count ? Double(all[index].daysSinceEpoch - day.daysSinceEpoch) : .nan
        let since: Double
        if isHoliday {
            since = 0
        } else {
            since = index > 0 ? Double(day.daysSinceEpoch - all[index - 1].daysSinceEpoch) : .nan
        }
        return [isHoliday ? 1 : 0, since, until]
    }

    /// The national holidays of one year (祝日 only: no substitute or citizens' holidays).
    static func nationalHolidays(in year: Int) -> [CivilDay] {
        func day(_ month: Int, _ dom: Int) -> CivilDay { CivilDay(year: year, month: month, day: dom)! }
        func monday(_ month: Int, _ nth: Int) -> CivilDay {
            let first = day(month, 1)
            return first.adding(days: (7 - first.weekday) % 7 + 7 * (nth - 1))
        }
        var days = [day(1, 1), day(2, 11), day(4, 29), day(5, 3), day(5, 5), day(11, 3), day(11, 23)]
        days.append(year < 2000 ? day(1, 15) : monday(1, 2)) // Coming of Age Day
        if year <= 2018 { days.append(day(12, 23)) } // the Emperor's Birthday (Heisei)
        if year >= 2020 { days.append(day(2, 23)) } // the Emperor's Birthday (Reiwa); none in 2019
        days.append(day(3, vernalEquinox(year)))
        days.append(day(9, autumnalEquinox(year)))
        if year >= 2007 { days.append(day(5, 4)) } // Greenery Day moved to 4 May
        switch year { // Marine Day
        case 1996...2002: days.append(day(7, 20))
        case 2020: days.append(day(7, 23))
        case 2021: days.append(day(7, 22))
        case 2003...: days.append(monday(7, 3))
        default: break
        }
        switch year { // Mountain Day
        case 2020: days.append(day(8, 10))
        case 2021: days.append(day(8, 8))
        case 2016...: days.append(day(8, 11))
        default: break
        }
        days.append(year <= 2002 ? day(9, 15) : monday(9, 3)) // Respect for the Aged Day
        switch year { // Health and Sports Day, Sports Day from 2020
        case ...1999: days.append(day(10, 10))
        case 2020: days.append(day(7, 24))
        case 2021: days.append(day(7, 23))
        default: days.append(monday(10, 2))
        }
        // One-off holidays by special acts.
        switch year {
        case 1990: days.append(day(11, 12)) // enthronement ceremony (Heisei)
        case 1993: days.append(day(6, 9)) // the Crown Prince's wedding
        case 2019: days += [day(5, 1), day(10, 22)] // accession; enthronement ceremony (Reiwa)
        default: break
        }
        return days.sorted()
    }

    /// National, substitute and citizens' holidays of one year.
    static func holidays(in year: Int) -> [CivilDay] {
        let national = nationalHolidays(in: year) + [CivilDay(year: year + 1, month: 1, day: 1)!]
        let isNational = Set(national)
        var result = Set(national.filter { $0.year == year })
        // Substitute holiday: a national holiday on a Sunday makes the next day that is not a
        // national holiday a holiday (before 2007 always the Monday, which came to the same).
        for holiday in national where holiday.weekday == 6 {
            var next = holiday.adding(days: 1)
            while isNational.contains(next) { next = next.adding(days: 1) }
            if next.year == year { result.insert(next) }
        }
        // Citizens' holiday: a day between two national holidays that is not one itself
        // (before 2007 also not a Sunday nor a substitute holiday).
        for holiday in national {
            let between = holiday.adding(days: 1)
            guard between.year == year, !isNational.contains(between), isNational.contains(between.adding(days: 1))
            else { continue }
            if year < 2007, between.weekday == 6 || result.contains(between) { continue }
            result.insert(between)
        }
        return result.sorted()
    }

    /// 春分日: day of March, by the formula valid 1980–2099.
    static func vernalEquinox(_ year: Int) -> Int {
        Int(20.8431 + 0.242194 * Double(year - 1980)) - (year - 1980) / 4
    }

    /// 秋分日: day of September, by the formula valid 1980–2099.
    static func autumnalEquinox(_ year: Int) -> Int {
        Int(23.2488 + 0.242194 * Double(year - 1980)) - (year - 1980) / 4
    }

    private static func firstIndex(notBefore day: CivilDay) -> Int {
        var low = 0
        var high = all.count
        while low < high {
            let mid = (low + high) / 2
            if all[mid] < day { low = mid + 1 } else { high = mid }
        }
        return low
    }

    private static func binarySearch(_ day: CivilDay) -> Int? {
        let index = firstIndex(notBefore: day)
        return index < all.count && all[index] == day ? index : nil
    }
}
