import CLibPQ

/// A libpq result, cleared (`PQclear`) when the value goes away, on every path.
public final class PostgresResult {
    private let handle: OpaquePointer

    init(owning handle: OpaquePointer) {
        self.handle = handle
    }

    /// The libpq result, for this module's own calls; valid while `self` lives.
    var rawHandle: OpaquePointer? { handle }

    deinit {
        PQclear(handle)
    }

    public var rowCount: Int { Int(PQntuples(handle)) }
    public var columnCount: Int { Int(PQnfields(handle)) }

    /// The text value at a row and column, nil for SQL NULL.
    public func value(row: Int, column: Int) -> String? {
        precondition(row < rowCount && column < columnCount, "row \(row), column \(column) is outside the result")
        if PQgetisnull(handle, Int32(row), Int32(column)) == 1 { return nil }
        return String(cString: PQgetvalue(handle, Int32(row), Int32(column)))
    }

    /// Rows affected by an INSERT, UPDATE or DELETE.
    public var affectedRows: Int {
        Int(String(cString: PQcmdTuples(handle))) ?? 0
    }
}
