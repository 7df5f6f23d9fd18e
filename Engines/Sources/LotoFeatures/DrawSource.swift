import LibPQ
import SoakGateBasics

/// Where draws come from: a CSV file or a PostgreSQL table.
public enum DrawSource {
    /// Reads every series from `input` (a CSV path or a `postgres://` URL; `table` names the
    /// PostgreSQL table), sorted by key.
    public static func read(_ input: String, table: String = "draws") throws -> [DrawSeries] {
        if input.hasPrefix("postgres://") || input.hasPrefix("postgresql://") {
            return try PostgresDrawReader.read(connectionString: input, table: table)
        }
        return try CSVDrawReader.read(path: input)
    }

    /// Why `input` cannot be read, when that is known without reading it: a PostgreSQL URL
    /// that libpq cannot parse (the message never holds its secrets). Nil otherwise.
    public static func problem(_ input: String) -> String? {
        guard input.hasPrefix("postgres://") || input.hasPrefix("postgresql://") else { return nil }
        return connectionProblem(input)
    }

    /// libpq's parse error for `connectionString`, scrubbed of its secrets; nil when it parses.
    static func connectionProblem(_ connectionString: String) -> String? {
        do {
            try PostgresConnection.checkSyntax(connectionString)
            return nil
        } catch {
            return error.message
        }
    }
}

/// Reads draws from a PostgreSQL table through a cursor (bounded memory on the client), with
/// the same checks as the CSV reader: missing columns, bad values, duplicate keys.
public enum PostgresDrawReader {
    /// Rows fetched per round trip.
    static let fetchRows = 10_000

    public static func read(connectionString: String, table: String) throws -> [DrawSeries] {
        guard InputIdentifier.isValid(table) else {
            throw LotoFeaturesError.usage(
                "--input-table '\(table)' is not a plain table name; use e.g. --input-table draws")
        }
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection(connectionString: connectionString)
        } catch let error as PostgresError {
            // The URL as given (secrets hidden): libpq may not have got as far as a host.
            throw LotoFeaturesError.source(target: Redaction.url(connectionString), problem: error.message)
        }
        let where_ = "postgresql://\(connection.target) table \(table)"
        do {
            let parts = table.split(separator: ".").map(String.init)
            let columns = try connection.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = coalesce($1, current_schema()) AND table_name = $2",
                [parts.count == 2 ? parts[0] : nil, parts.last!])
            let names = Set((0..<columns.rowCount).compactMap { columns.value(row: $0, column: 0) })
            if names.isEmpty {
                throw LotoFeaturesError.source(
                    target: where_, problem: "no such table (or no columns); load the draws first or pass --input-table"
                )
            }
            for column in CSVDrawReader.required where !names.contains(column) {
                throw LotoFeaturesError.source(
                    target: where_,
                    problem:
                        "column '\(column)' is missing; the table needs loto, unique_id, ds, y (num, co, prize optional)"
                )
            }
            // The identifier was checked above and is quoted here; values are never spliced.
            let quoted = parts.map { "\"\($0)\"" }.joined(separator: ".")
            let num = names.contains("num") ? "num::text" : "NULL"
            let co = names.contains("co") ? "co::text" : "NULL"
            let prize = names.contains("prize") ? "prize::text" : "NULL"
            try connection.execute("BEGIN")
            defer { _ = try? connection.execute("ROLLBACK") }
            try connection.execute(
                "DECLARE draws_cursor NO SCROLL CURSOR FOR SELECT loto::text, unique_id::text, ds::date::text, y::text, \(num), \(co), \(prize) FROM \(quoted) ORDER BY loto, unique_id, ds"
            )
            var series: [DrawSeries] = []
            var rowNumber = 0
            while true {
                let rows = try connection.execute("FETCH \(fetchRows) FROM draws_cursor")
                if rows.rowCount == 0 { break }
                for row in 0..<rows.rowCount {
                    rowNumber += 1
                    let loto = rows.value(row: row, column: 0) ?? ""
                    let uniqueId = rows.value(row: row, column: 1) ?? ""
                    let dsText = rows.value(row: row, column: 2) ?? ""
                    func fail(_ column: String, _ problem: String) -> LotoFeaturesError {
                        let row = [loto, uniqueId, dsText].map { Shown.text(Array($0.utf8)) }.joined(separator: ", ")
                        return .source(target: where_, problem: "row (\(row)), column '\(column)': \(problem)")
                    }
                    /// `text` as a number in `range` for `column`, refused otherwise.
                    func number(_ text: String, _ column: String, _ range: ClosedRange<Double>) throws -> Double {
                        guard let value = Double(text) else {
                            throw fail(column, "'\(Shown.text(Array(text.utf8)))' is not a number")
                        }
                        do {
                            return try CheckedNumber.checked(value, in: range, source: column)
                        } catch {
                            throw fail(
                                column, "'\(Shown.text(Array(text.utf8)))' is out of range: expected \(error.expected)")
                        }
                    }
                    guard !loto.isEmpty, !uniqueId.isEmpty else {
                        throw fail(loto.isEmpty ? "loto" : "unique_id", "is empty or NULL")
                    }
                    guard let day = CivilDay(iso: Substring(dsText)) else { throw fail("ds", "is NULL or not a date") }
                    var y = Double.nan
                    if let text = rows.value(row: row, column: 3), text != "NaN" {
                        y = try number(text, "y", CSVDrawReader.yRange)
                    }
                    let num = try rows.value(row: row, column: 4).map { text -> Int in
                        do {
                            return try CheckedNumber.integer(text, in: CSVDrawReader.numRange, source: "num")
                        } catch {
                            throw fail(
                                "num",
                                "'\(Shown.text(Array(text.utf8)))' is not a whole number from \(CSVDrawReader.numRange.lowerBound) to \(CSVDrawReader.numRange.upperBound)"
                            )
                        }
                    }
                    let co = try rows.value(row: row, column: 5).map { text -> Double in
                        try number(text, "co", CSVDrawReader.coRange)
                    }
                    let prize = try rows.value(row: row, column: 6).map { text -> Double in
                        try number(text, "prize", CSVDrawReader.prizeRange)
                    }
                    if series.last?.loto != loto || series.last?.uniqueId != uniqueId {
                        series.append(DrawSeries(loto: loto, uniqueId: uniqueId))
                    } else if series[series.count - 1].days.last == day {
                        throw fail("ds", "duplicate key: each series has one row per day")
                    }
                    series[series.count - 1].append(day: day, y: y, num: num, co: co, prize: prize)
                }
            }
            guard !series.isEmpty else {
                throw LotoFeaturesError.source(target: where_, problem: "the table has no rows")
            }
            // The server's text order may differ from Swift's byte order: sort by our key.
            return series.sorted { $0.key < $1.key }
        } catch let error as PostgresError {
            throw LotoFeaturesError.source(target: where_, problem: error.message)
        }
    }
}
