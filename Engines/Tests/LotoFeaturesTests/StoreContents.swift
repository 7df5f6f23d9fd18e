import CSQLite
import Foundation
import LibPQ
import LotoFeatures
import XCTest

/// Whole-store comparison for tests: every row of every table, in key order, value by value.
enum StoreContents {
    /// The first difference between the tables of two SQLite files (a row only one holds, or a
    /// value that differs: REAL by bit pattern, TEXT by bytes, NULL only equal to NULL), or nil
    /// when they hold the same rows; `rows` counts the rows compared per table.
    static func firstDifference(sqlite a: String, _ b: String, tables: [FeatureTable], rows: inout [FeatureTable: Int])
        throws -> String?
    {
        let first = try ReadOnlySQLite(a)
        let second = try ReadOnlySQLite(b)
        for table in tables {
            let sql =
                "SELECT \(valueColumns(table)) FROM \(table.name) ORDER BY \(table.keyColumns.joined(separator: ", "))"
            let left = try first.prepare(sql)
            let right = try second.prepare(sql)
            defer {
                sqlite3_finalize(left)
                sqlite3_finalize(right)
            }
            var row = 0
            while true {
                let stepLeft = sqlite3_step(left)
                let stepRight = sqlite3_step(right)
                guard stepLeft == stepRight else { return "\(table.name): row \(row) is in only one store" }
                if stepLeft == SQLITE_DONE { break }
                guard stepLeft == SQLITE_ROW else { throw first.failure("stepping \(table.name)") }
                let columns = sqlite3_column_count(left)
                guard columns == sqlite3_column_count(right) else { return "\(table.name): different columns" }
                for column in 0..<columns {
                    let type = sqlite3_column_type(left, column)
                    let name = String(cString: sqlite3_column_name(left, column))
                    guard type == sqlite3_column_type(right, column) else {
                        return "\(table.name) row \(row) column \(name): one is NULL or of another type"
                    }
                    let equal: Bool
                    switch type {
                    case SQLITE_FLOAT:
                        equal =
                            sqlite3_column_double(left, column).bitPattern
                            == sqlite3_column_double(right, column).bitPattern
                    case SQLITE_INTEGER:
                        equal = sqlite3_column_int64(left, column) == sqlite3_column_int64(right, column)
                    case SQLITE_NULL: equal = true
                    default: equal = text(left, column) == text(right, column)
                    }
                    guard equal else {
                        return
                            "\(table.name) row \(row) (\(text(left, 0)) \(text(left, 1)) \(text(left, 2))) column \(name): \(text(left, column)) ≠ \(text(right, column))"
                    }
                }
                row += 1
            }
            rows[table] = row
        }
        return nil
    }

    /// Every column but `created_at` and `updated_at`, which say when a run wrote the row.
    static func valueColumns(_ table: FeatureTable) -> String {
        table.allColumnNames.filter { !FeatureSchema.timestampColumns.contains($0) }.joined(separator: ", ")
    }

    private static func text(_ statement: OpaquePointer?, _ column: Int32) -> String {
        guard column < sqlite3_column_count(statement), let bytes = sqlite3_column_text(statement, column) else {
            return "NULL"
        }
        return String(cString: bytes)
    }

    /// The same for two schemas of one PostgreSQL database, through cursors (the values as
    /// the server prints them: `double precision` in its shortest exact form, so equal text
    /// is equal bits).
    static func firstDifference(
        postgres url: String, schemas a: String, _ b: String, tables: [FeatureTable], rows: inout [FeatureTable: Int]
    ) throws -> String? {
        let connection = try PostgresConnection(connectionString: url)
        try connection.execute("BEGIN")
        defer { _ = try? connection.execute("COMMIT") }
        for table in tables {
            let order = table.keyColumns.joined(separator: ", ")
            try connection.execute(
                "DECLARE left_rows NO SCROLL CURSOR FOR SELECT \(valueColumns(table)) FROM \(a).\(table.name) ORDER BY \(order)"
            )
            try connection.execute(
                "DECLARE right_rows NO SCROLL CURSOR FOR SELECT \(valueColumns(table)) FROM \(b).\(table.name) ORDER BY \(order)"
            )
            var row = 0
            while true {
                let left = try connection.execute("FETCH 2000 FROM left_rows")
                let right = try connection.execute("FETCH 2000 FROM right_rows")
                guard left.rowCount == right.rowCount, left.columnCount == right.columnCount else {
                    return "\(table.name): rows from \(row) on differ in number or columns"
                }
                if left.rowCount == 0 { break }
                for index in 0..<left.rowCount {
                    for column in 0..<left.columnCount
                    where left.value(row: index, column: column) != right.value(row: index, column: column) {
                        let key = (0..<table.keyColumns.count).map { left.value(row: index, column: $0) ?? "NULL" }
                            .joined(separator: " ")
                        return
                            "\(table.name) row \(row + index) (\(key)) column \(column): \(left.value(row: index, column: column) ?? "NULL") ≠ \(right.value(row: index, column: column) ?? "NULL")"
                    }
                }
                row += left.rowCount
            }
            try connection.execute("CLOSE left_rows")
            try connection.execute("CLOSE right_rows")
            rows[table] = row
        }
        return nil
    }
}

/// An SQLite file opened read-only, closed when the value goes away.
private final class ReadOnlySQLite {
    let handle: OpaquePointer
    let path: String

    init(_ path: String) throws {
        var handle: OpaquePointer?
        guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READONLY, nil) == SQLITE_OK, let handle else {
            sqlite3_close_v2(handle)
            throw LotoFeaturesError.store(target: "sqlite:\(path)", problem: "cannot be opened read-only")
        }
        self.handle = handle
        self.path = path
    }

    deinit { sqlite3_close_v2(handle) }

    func prepare(_ sql: String) throws -> OpaquePointer? {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK else {
            sqlite3_finalize(statement)
            throw failure(sql)
        }
        return statement
    }

    func failure(_ doing: String) -> LotoFeaturesError {
        .store(target: "sqlite:\(path)", problem: "\(doing): \(String(cString: sqlite3_errmsg(handle)))")
    }
}

/// A PostgreSQL schema of the test's own, dropped when the test ends.
struct TestSchema {
    let name: String
    /// The test database's URL with `search_path` set to the schema.
    let url: String

    init(_ test: XCTestCase, databaseURL: String) throws {
        name = "loto_test_\(UUID().uuidString.prefix(8).lowercased())"
        try PostgresConnection(connectionString: databaseURL).execute("CREATE SCHEMA \(name)")
        let name = self.name
        test.addTeardownBlock {
            guard let connection = try? PostgresConnection(connectionString: databaseURL) else { return }
            _ = try? connection.execute("SET client_min_messages = warning")
            _ = try? connection.execute("DROP SCHEMA \(name) CASCADE")
        }
        url = databaseURL + (databaseURL.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(name)"
    }
}
