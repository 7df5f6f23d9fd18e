import CSQLite

/// One SQLite connection, closed (`sqlite3_close_v2`) when the value goes away, on every path.
///
/// Not Sendable: one connection serves one task at a time.
public final class SQLiteDatabase {
    let handle: OpaquePointer
    /// The file, for messages.
    public let path: String

    /// Opens (creating if missing) the database file at `path`. (Not `SQLITE_OPEN_NOFOLLOW`:
    /// SQLite applies it to every directory of the path, refusing a store under a linked home
    /// or data directory; ``StoreLocation/problem`` refuses a link at the file itself.)
    public init(path: String) throws {
        var handle: OpaquePointer?
        let code = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(handle)
            throw LotoFeaturesError.store(target: "sqlite:\(path)", problem: "cannot be opened: \(message)")
        }
        self.handle = handle
        self.path = path
        sqlite3_busy_timeout(handle, 10_000)
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// Runs statements that take no values and return no rows (DDL, BEGIN, COMMIT).
    public func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        defer { sqlite3_free(message) }
        guard code == SQLITE_OK else {
            throw failure(message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code)))
        }
    }

    /// A prepared statement; values are bound to its `?` parameters, never spliced.
    public func prepare(_ sql: String) throws -> SQLiteStatement {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            sqlite3_finalize(statement)
            throw failure(lastError)
        }
        return SQLiteStatement(owning: statement, database: self)
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE (an upsert that found equal values
    /// changes none).
    public var changes: Int { Int(sqlite3_changes(handle)) }

    var lastError: String { String(cString: sqlite3_errmsg(handle)) }

    func failure(_ message: String) -> LotoFeaturesError {
        .store(target: "sqlite:\(path)", problem: message)
    }
}

/// A prepared statement, finalized when the value goes away, on every path.
public final class SQLiteStatement {
    private let handle: OpaquePointer
    private let database: SQLiteDatabase

    init(owning handle: OpaquePointer, database: SQLiteDatabase) {
        self.handle = handle
        self.database = database
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Binds a REAL (NULL for NaN or ±infinity) to parameter `index` (1-based).
    public func bind(_ value: Double?, at index: Int32) {
        if let value, value.isFinite {
            sqlite3_bind_double(handle, index, value)
        } else {
            sqlite3_bind_null(handle, index)
        }
    }

    /// Binds TEXT (NULL for nil); SQLite copies the bytes.
    public func bind(_ value: String?, at index: Int32) {
        guard let value else {
            sqlite3_bind_null(handle, index)
            return
        }
        sqlite3_bind_text(handle, index, value, -1, csqlite_transient())
    }

    /// Binds UTF-8 bytes as TEXT; SQLite copies them.
    public func bindText(_ bytes: UnsafeRawBufferPointer, at index: Int32) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return bind("", at: index) }
        sqlite3_bind_text(
            handle, index, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), csqlite_transient())
    }

    /// Binds UTF-8 bytes as TEXT without copying them (`SQLITE_STATIC`): they must stay valid
    /// and unchanged until the parameter is bound to something else, so the caller rebinds it
    /// (e.g. to NULL) before they go away.
    public func bindTextNoCopy(_ bytes: UnsafeRawBufferPointer, at index: Int32) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return bind("", at: index) }
        sqlite3_bind_text(handle, index, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil)
    }

    /// Binds an INTEGER (NULL for nil).
    public func bind(_ value: Int?, at index: Int32) {
        guard let value else {
            sqlite3_bind_null(handle, index)
            return
        }
        sqlite3_bind_int64(handle, index, Int64(value))
    }

    /// Runs the statement to completion and readies it for the next values; returns the rows
    /// it changed.
    @discardableResult
    public func run() throws -> Int {
        defer { sqlite3_reset(handle) }
        // total_changes, not changes: an upsert that changed nothing must read 0, not the
        // count of an earlier statement.
        let before = sqlite3_total_changes64(database.handle)
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE || code == SQLITE_ROW else { throw database.failure(database.lastError) }
        return Int(sqlite3_total_changes64(database.handle) - before)
    }

    /// Steps to the next row; false when there is none.
    public func step() throws -> Bool {
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW { return true }
        if code == SQLITE_DONE { return false }
        throw database.failure(database.lastError)
    }

    /// Readies the statement for another run.
    public func reset() { sqlite3_reset(handle) }

    /// A column of the current row as text (nil for NULL).
    public func text(_ column: Int32) -> String? {
        sqlite3_column_text(handle, column).map { String(cString: $0) }
    }

    /// A column of the current row as a double (nil for NULL).
    public func double(_ column: Int32) -> Double? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_double(handle, column)
    }

    /// A column of the current row as an integer.
    public func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }
}
