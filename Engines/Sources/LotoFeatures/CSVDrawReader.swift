import Foundation
import SoakGateBasics

/// Reads draws from CSV: a header naming at least `loto`, `unique_id`, `ds` and `y` (`num`,
/// `co` and `prize` are optional; other columns are ignored), one row per draw and position.
///
/// Rows of different series may interleave, but each series' rows must come in increasing
/// `ds`. Every refusal names the file, the line and the column. An empty `y` (or `NaN`) is a
/// missing value, kept as NaN: pandas would read it so. Every number is checked against the
/// ranges below before it enters any arithmetic.
public enum CSVDrawReader {
    static let required = ["loto", "unique_id", "ds", "y"]
    /// Values of `y` the features can square, sum and multiply without overflowing or losing
    /// whole-number precision (Double holds every integer up to 2^53, about 9e15).
    public static let yRange: ClosedRange<Double> = -1e15...1e15
    /// Draw numbers (`num`): an ordinal from 0; a billion draws is far beyond any real game.
    public static let numRange: ClosedRange<Int> = 0...1_000_000_000
    /// Carry-over amounts (`co`): money, never negative, and within `yRange`'s precision.
    public static let coRange: ClosedRange<Double> = 0...1e15
    /// Prize amounts (`prize`): money, as `co`.
    public static let prizeRange: ClosedRange<Double> = 0...1e15

    /// Reads and checks the whole file; the series come back sorted by key. Only a regular file
    /// is read (a FIFO or a device named as the input is refused at once, never waited on).
    public static func read(path: String) throws -> [DrawSeries] {
        // A connection string given where a file was expected ("host=… password=…") must not
        // be echoed whole: the path is shown as Redaction shows URLs (a plain path is unchanged).
        let name = Redaction.url(path)
        let bytes: [UInt8]
        do {
            bytes = try RegularFile.read(path)
        } catch {
            let missing = RegularFile.irregularKind(path) == nil && !FileManager.default.fileExists(atPath: path)
            let hint = missing ? "; make one with 'loto-features sample --loto loto6 --out \(name)'" : ""
            throw LotoFeaturesError.file(path: name, problem: "cannot be read: \(error.reason)\(hint)")
        }
        return try bytes.withUnsafeBufferPointer { try parse($0, name: name) }
    }

    /// Parses CSV bytes; `name` is what errors call the input.
    public static func parse(_ data: Data, name: String) throws -> [DrawSeries] {
        try data.withUnsafeBytes { raw in try parse(raw.bindMemory(to: UInt8.self), name: name) }
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>, name: String) throws -> [DrawSeries] {
        var lines = LineIterator(bytes: bytes)
        guard let headerLine = lines.next() else {
            throw LotoFeaturesError.csv(
                file: name, line: 1, column: nil,
                problem: "the file is empty; a header 'loto,unique_id,ds,y,num,co' is required")
        }
        let header = fields(of: headerLine).map {
            String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
        }
        func index(of column: String) -> Int? { header.firstIndex(of: column) }
        for column in required where index(of: column) == nil {
            let found = Shown.text(Array(headerLine), limit: 60)
            throw LotoFeaturesError.csv(
                file: name, line: 1, column: column,
                problem:
                    "missing from the header (found: '\(found)'); the header needs loto,unique_id,ds,y and may have num,co,prize"
            )
        }
        let lotoAt = index(of: "loto")!
        let idAt = index(of: "unique_id")!
        let dsAt = index(of: "ds")!
        let yAt = index(of: "y")!
        let numAt = index(of: "num")
        let coAt = index(of: "co")
        let prizeAt = index(of: "prize")
        // Series by the hash of their key bytes (verified against the stored bytes), so a row
        // costs no String unless it starts a new series.
        var positions: [UInt64: [Int]] = [:]
        var keyBytes: [[UInt8]] = []
        var series: [DrawSeries] = []
        var lastPosition = -1
        var lineNumber = 1
        var row: [Range<Int>] = []
        row.reserveCapacity(header.count + 1)
        while let line = lines.next() {
            lineNumber += 1
            if line.isEmpty { continue }
            FieldSplitter.split(line, into: &row)
            guard row.count >= header.count else {
                throw LotoFeaturesError.csv(
                    file: name, line: lineNumber, column: header[row.count],
                    problem: "missing: the row has \(row.count) fields, the header \(header.count)")
            }
            // More fields than the header names is a broken row (an unquoted comma, two rows
            // run together), as pandas says too: never read on with shifted columns.
            guard row.count == header.count else {
                throw LotoFeaturesError.csv(
                    file: name, line: lineNumber, column: nil,
                    problem: "the row has \(row.count) fields, the header \(header.count)")
            }
            /// A field as a message shows it: one line, short, no control characters.
            func shown(_ at: Int) -> String { Shown.text(FieldParser.trim(bytes[row[at]])) }
            func fail(_ column: String, _ problem: String) -> LotoFeaturesError {
                .csv(file: name, line: lineNumber, column: column, problem: problem)
            }
            /// `value` if it lies in `range`, else an error naming the file, line and column.
            func checked(_ value: Double, _ range: ClosedRange<Double>, _ column: String, _ shownText: String) throws
                -> Double
            {
                do {
                    return try CheckedNumber.checked(
                        value, in: range, source: "\(name):\(lineNumber), column '\(column)'")
                } catch {
                    throw fail(column, "'\(shownText)' is out of range: expected \(error.expected)")
                }
            }
            let lotoRange = row[lotoAt]
            let idRange = row[idAt]
            guard !lotoRange.isEmpty, !idRange.isEmpty else {
                throw fail(lotoRange.isEmpty ? "loto" : "unique_id", "is empty")
            }
            guard let day = FieldParser.day(bytes[row[dsAt]]) else {
                throw fail("ds", "'\(shown(dsAt))' is not a date; write YYYY-MM-DD")
            }
            let y: Double
            if let value = FieldParser.number(bytes[row[yAt]]) {
                y = try checked(value, yRange, "y", shown(yAt))
            } else if FieldParser.isMissing(bytes[row[yAt]]) {
                y = .nan
            } else if FieldParser.isBeyondDouble(bytes[row[yAt]]) {
                throw fail("y", "'\(shown(yAt))' is out of range: expected \(expectation(yRange))")
            } else {
                throw fail("y", "'\(shown(yAt))' is not a number")
            }
            var num: Int?
            if let numAt, !row[numAt].isEmpty {
                guard let value = FieldParser.integer(bytes[row[numAt]]) else {
                    // More digits than any Int: out of range rather than "not a number".
                    if FieldParser.isBeyondDouble(bytes[row[numAt]]) {
                        throw fail(
                            "num",
                            "'\(shown(numAt))' is out of range: expected a whole number from \(numRange.lowerBound) to \(numRange.upperBound)"
                        )
                    }
                    throw fail("num", "'\(shown(numAt))' is not a whole number")
                }
                guard numRange.contains(value) else {
                    throw fail(
                        "num",
                        "'\(shown(numAt))' is out of range: expected a whole number from \(numRange.lowerBound) to \(numRange.upperBound)"
                    )
                }
                num = value
            }
            /// An optional amount column: nil when empty, else a number in `range`.
            func amount(_ at: Int?, _ column: String, _ range: ClosedRange<Double>) throws -> Double? {
                guard let at, !row[at].isEmpty else { return nil }
                guard let value = FieldParser.number(bytes[row[at]]) else {
                    throw fail(
                        column,
                        FieldParser.isBeyondDouble(bytes[row[at]])
                            ? "'\(shown(at))' is out of range: expected \(expectation(range))"
                            : "'\(shown(at))' is not a number")
                }
                return try checked(value, range, column, shown(at))
            }
            let co = try amount(coAt, "co", coRange)
            let prize = try amount(prizeAt, "prize", prizeRange)
            let hash = FieldParser.hash(bytes[lotoRange], bytes[idRange])
            func matches(_ position: Int) -> Bool {
                let stored = keyBytes[position]
                return stored.count == lotoRange.count + 1 + idRange.count
                    && stored[0..<lotoRange.count].elementsEqual(bytes[lotoRange])
                    && stored[(lotoRange.count + 1)...].elementsEqual(bytes[idRange])
            }
            var position = -1
            if lastPosition >= 0, matches(lastPosition) {
                position = lastPosition
            } else if let candidates = positions[hash], let found = candidates.first(where: matches) {
                position = found
            }
            if position >= 0 {
                let last = series[position].days.last!
                let loto = Shown.text(Array(series[position].loto.utf8))
                let uniqueId = Shown.text(Array(series[position].uniqueId.utf8))
                if day == last {
                    throw fail("ds", "duplicate key (\(loto), \(uniqueId), \(day)): each series has one row per day")
                }
                if day < last {
                    throw fail(
                        "ds",
                        "rows of \(loto)/\(uniqueId) are not sorted: \(day) comes after \(last); sort the file by loto, unique_id, ds"
                    )
                }
            } else {
                // Keys are stored and compared as text: bytes that are not UTF-8 would all
                // read as U+FFFD and two different keys would become one.
                guard let loto = String(validating: bytes[lotoRange], as: UTF8.self) else {
                    throw fail("loto", "'\(shown(lotoAt))' is not UTF-8 text")
                }
                guard let uniqueId = String(validating: bytes[idRange], as: UTF8.self) else {
                    throw fail("unique_id", "'\(shown(idAt))' is not UTF-8 text")
                }
                position = series.count
                positions[hash, default: []].append(position)
                keyBytes.append(Array(bytes[lotoRange]) + [0] + Array(bytes[idRange]))
                series.append(DrawSeries(loto: loto, uniqueId: uniqueId))
            }
            lastPosition = position
            series[position].append(day: day, y: y, num: num, co: co, prize: prize)
        }
        guard !series.isEmpty else {
            throw LotoFeaturesError.csv(file: name, line: lineNumber, column: nil, problem: "no rows after the header")
        }
        return series.sorted { $0.key < $1.key }
    }

    /// What `range` accepts, worded as every other range refusal of the project words it.
    static func expectation(_ range: ClosedRange<Double>) -> String {
        do {
            try CheckedNumber.checked(Double.nan, in: range, source: "")
            return "a number in \(range)"
        } catch {
            return error.expected
        }
    }

    /// The fields of one line, split at commas outside double quotes (quotes are removed; a
    /// doubled quote inside quotes is not unescaped, as draw data has none).
    private static func fields(of line: UnsafeBufferPointer<UInt8>.SubSequence) -> [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        result.reserveCapacity(8)
        var current: [UInt8] = []
        var quoted = false
        for byte in line {
            if byte == UInt8(ascii: "\"") {
                quoted.toggle()
            } else if byte == UInt8(ascii: ","), !quoted {
                result.append(current[...])
                current.removeAll(keepingCapacity: true)
            } else {
                current.append(byte)
            }
        }
        result.append(current[...])
        return result
    }
}

/// Lines of a byte buffer without their `\n` or `\r\n`.
struct LineIterator {
    let bytes: UnsafeBufferPointer<UInt8>
    var start = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        // A UTF-8 byte order mark is not part of the first column's name.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
    }

    mutating func next() -> UnsafeBufferPointer<UInt8>.SubSequence? {
        guard start < bytes.count else { return nil }
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
        var lineEnd = end
        if lineEnd > start, bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
        let line = bytes[start..<lineEnd]
        start = end + 1
        return line
    }
}
