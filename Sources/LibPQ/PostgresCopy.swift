import CLibPQ

/// Rows for a `COPY … FROM STDIN` in PostgreSQL's text format, sent in chunks as they fill.
///
/// Only valid inside ``PostgresConnection/copyIn(_:rows:)``'s closure.
public final class PostgresCopyIn {
    private let connection: PostgresConnection
    private var buffer: [UInt8] = []
    private var rowHasField = false
    /// Bytes gathered before one `PQputCopyData` call.
    static let chunkBytes = 256 * 1024

    init(connection: PostgresConnection) {
        self.connection = connection
        buffer.reserveCapacity(Self.chunkBytes + 4096)
    }

    /// Appends one row: each value escaped for the text format, nil as `\N`.
    public func appendRow(_ values: [String?]) throws {
        for value in values { appendField(value) }
        try endRow()
    }

    /// Appends one field of the current row (call ``endRow()`` after the last).
    public func appendField(_ value: String?) {
        if rowHasField { buffer.append(UInt8(ascii: "\t")) }
        rowHasField = true
        guard let value else {
            buffer.append(UInt8(ascii: "\\"))
            buffer.append(UInt8(ascii: "N"))
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\t"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case UInt8(ascii: "\n"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            default: buffer.append(byte)
            }
        }
    }

    /// Ends the current row, sending the gathered rows when the chunk is full.
    public func endRow() throws {
        buffer.append(UInt8(ascii: "\n"))
        rowHasField = false
        if buffer.count >= Self.chunkBytes { try flush() }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        let sent = buffer.withUnsafeBufferPointer { bytes in
            bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                PQputCopyData(connection.handle, $0, Int32(bytes.count))
            }
        }
        buffer.removeAll(keepingCapacity: true)
        guard sent == 1 else {
            throw PostgresError(target: connection.target, message: PostgresConnection.firstLine(PQerrorMessage(connection.handle)), sqlState: nil)
        }
    }
}

extension PostgresConnection {
    /// Runs `COPY … FROM STDIN` (text format): `rows` appends the data, which is sent in chunks;
    /// returns the rows the server copied. If `rows` throws, the copy is aborted (the server
    /// discards it) and the error rethrown; every libpq result is cleared on every path.
    @discardableResult
    public func copyIn(_ sql: String, rows: (PostgresCopyIn) throws -> Void) throws -> Int {
        guard let started = PQexec(handle, sql) else {
            throw PostgresError(target: target, message: Self.firstLine(PQerrorMessage(handle)), sqlState: nil)
        }
        let start = PostgresResult(owning: started)
        guard PQresultStatus(started) == PGRES_COPY_IN else {
            _ = start
            throw PostgresError(target: target, message: Self.firstLine(PQresultErrorMessage(started)), sqlState: Self.sqlState(started))
        }
        let writer = PostgresCopyIn(connection: self)
        do {
            try rows(writer)
            try writer.flush()
        } catch {
            PQputCopyEnd(handle, "aborted by the client")
            _ = try? drainResults()
            throw error
        }
        guard PQputCopyEnd(handle, nil) == 1 else {
            let message = Self.firstLine(PQerrorMessage(handle))
            _ = try? drainResults()
            throw PostgresError(target: target, message: message, sqlState: nil)
        }
        return try drainResults()
    }

    /// Reads every pending result (as libpq requires before the next command), clearing each;
    /// throws the first failure, returns the copied row count of the last success.
    private func drainResults() throws -> Int {
        var failure: PostgresError?
        var copied = 0
        while let next = PQgetResult(handle) {
            let result = PostgresResult(owning: next)
            switch PQresultStatus(next) {
            case PGRES_COMMAND_OK:
                copied = result.affectedRows
            default:
                if failure == nil {
                    failure = PostgresError(target: target, message: Self.firstLine(PQresultErrorMessage(next)), sqlState: Self.sqlState(next))
                }
            }
        }
        if let failure { throw failure }
        return copied
    }

    static func sqlState(_ result: OpaquePointer) -> String? {
        PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
    }
}
