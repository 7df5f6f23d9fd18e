import LotoFeatures
import XCTest

/// Holidays against the Cabinet Office's published calendars for known special cases.
final class JapaneseHolidaysTests: XCTestCase {
    private func day(_ text: String) -> CivilDay { CivilDay(iso: Substring(text))! }
    private func holidays(_ year: Int) -> [String] {
        JapaneseHolidays.all.filter { $0.year == year }.map(\.description)
    }

    func test2019HasTheAccessionWeekAndNoEmperorsBirthday() {
        XCTAssertEqual(
            holidays(2019),
            [
                "2019-01-01", "2019-01-14", "2019-02-11", "2019-03-21", "2019-04-29", "2019-04-30", "2019-05-01",
                "2019-05-02",
                "2019-05-03", "2019-05-04", "2019-05-05", "2019-05-06", "2019-07-15", "2019-08-11", "2019-08-12",
                "2019-09-16",
                "2019-09-23", "2019-10-14", "2019-10-22", "2019-11-03", "2019-11-04", "2019-11-23",
            ])
    }

    func test2020And2021MovedTheOlympicHolidays() {
        XCTAssertEqual(
            holidays(2020),
            [
                "2020-01-01", "2020-01-13", "2020-02-11", "2020-02-23", "2020-02-24", "2020-03-20", "2020-04-29",
                "2020-05-03",
                "2020-05-04", "2020-05-05", "2020-05-06", "2020-07-23", "2020-07-24", "2020-08-10", "2020-09-21",
                "2020-09-22",
                "2020-11-03", "2020-11-23",
            ])
        XCTAssertEqual(
            holidays(2021),
            [
                "2021-01-01", "2021-01-11", "2021-02-11", "2021-02-23", "2021-03-20", "2021-04-29", "2021-05-03",
                "2021-05-04",
                "2021-05-05", "2021-07-22", "2021-07-23", "2021-08-08", "2021-08-09", "2021-09-20", "2021-09-23",
                "2021-11-03",
                "2021-11-23",
            ])
    }

    func testSilverWeekCitizensHolidayAndOldRules() {
        // Between Respect for the Aged Day and the equinox.
        XCTAssertEqual(JapaneseHolidays.isHoliday(day("2009-09-22")), true)
        XCTAssertEqual(JapaneseHolidays.isHoliday(day("2015-09-22")), true)
        // A citizens' holiday before Greenery Day moved.
        XCTAssertEqual(JapaneseHolidays.isHoliday(day("1998-05-04")), true)
        XCTAssertEqual(JapaneseHolidays.isHoliday(day("1997-05-04")), false) // a Sunday then: not a citizens' holiday
        XCTAssertEqual(JapaneseHolidays.isHoliday(day("1997-05-06")), false) // before 2007 a Sunday 4 May moved nothing
        XCTAssertEqual(JapaneseHolidays.isHoliday(day("1990-11-12")), true) // enthronement ceremony
        XCTAssertEqual(JapaneseHolidays.isHoliday(day("1993-06-09")), true) // the Crown Prince's wedding
        XCTAssertEqual(JapaneseHolidays.isHoliday(day("1999-01-15")), true) // Coming of Age Day, before Happy Monday
        XCTAssertEqual(JapaneseHolidays.isHoliday(day("2008-05-06")), true) // 2007 rule: substitute for Sunday 4 May
        XCTAssertEqual(JapaneseHolidays.isHoliday(day("2018-12-24")), true) // substitute for the Emperor's Birthday
        XCTAssertNil(JapaneseHolidays.isHoliday(day("1989-06-01")))
    }

    func testEquinoxesByFormula() {
        XCTAssertEqual(JapaneseHolidays.isHoliday(day("2012-09-22")), true)
        XCTAssertEqual(JapaneseHolidays.isHoliday(day("2024-03-20")), true)
        XCTAssertEqual(JapaneseHolidays.isHoliday(day("2025-09-23")), true)
        XCTAssertEqual(JapaneseHolidays.isHoliday(day("2044-09-22")), true)
    }

    func testDistancesToTheNearestHolidays() {
        XCTAssertEqual(JapaneseHolidays.features(of: day("2021-01-05")), [0, 4, 6]) // 1 Jan before, 11 Jan after
        XCTAssertEqual(JapaneseHolidays.features(of: day("2021-01-11")), [1, 0, 0])
        XCTAssertTrue(JapaneseHolidays.features(of: day("2100-01-04")).allSatisfy(\.isNaN))
    }
}
