import CLibPQ

/// One `COPY … FROM STDIN` (text format) in progress on a connection.
///
/// Rows go in field by field (``appendField(_:)``, ``endRow()``), whole (``appendRow(_:)``) or
/// as text already in COPY's format (``appendFormatted(_:)``); they are gathered and sent in chunks.
/// ``finish()`` ends the COPY and returns the rows stored. If the value goes away unfinished
/// (a thrown error), `deinit` ends the COPY with an error, so the server discards the
/// statement, and clears every result: the connection is usable again afterwards.
///
/// Not Sendable, like its connection; one COPY at a time per connection.
public final class PostgresCopy {
    private let connection: PostgresConnection
    private var buffer: [UInt8] = []
    private var rowHasField = false
    private var finished = false
    /// Bytes gathered before one `PQputCopyData` call.
    static let chunkBytes = 256 * 1024

    /// Starts `sql` (a `COPY table (columns) FROM STDIN` statement) on `connection`.
    public init(connection: PostgresConnection, sql: String) throws {
        self.connection = connection
        guard let started = PQexec(connection.handle, sql) else {
            finished = true
            throw connection.error(nil)
        }
        let result = PostgresResult(owning: started)
        guard PQresultStatus(started) == PGRES_COPY_IN else {
            finished = true
            throw connection.error(result)
        }
        buffer.reserveCapacity(Self.chunkBytes + 4096)
    }

    deinit {
        if !finished { abort("abandoned by the client") }
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
        appendEscaped(value, to: &buffer)
    }

    /// Ends the current row, sending the gathered rows when the chunk is full.
    public func endRow() throws {
        buffer.append(UInt8(ascii: "\n"))
        rowHasField = false
        if buffer.count >= Self.chunkBytes { try flush() }
    }

    /// Appends text already in COPY's format: fields escaped (``copyTextField(_:)``), separated
    /// by tabs, each row ending in a newline.
    public func appendFormatted(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.chunkBytes { try flush() }
    }

    /// Sends what is gathered, ends the COPY and returns the number of rows the server stored.
    @discardableResult
    public func finish() throws -> Int {
        do {
            try flush()
        } catch {
            abort("aborted by the client")
            throw error
        }
        finished = true
        guard PQputCopyEnd(connection.handle, nil) == 1 else {
            let error = connection.error(nil)
            drainResults()
            throw error
        }
        var rows = 0
        var failure: PostgresError?
        while let next = PQgetResult(connection.handle) {
            let result = PostgresResult(owning: next)
            if PQresultStatus(next) == PGRES_COMMAND_OK {
                rows += result.affectedRows
            } else if failure == nil {
                failure = connection.error(result)
            }
        }
        if let failure { throw failure }
        return rows
    }

    /// Ends the COPY with an error (the server discards it) and clears its results.
    func abort(_ reason: String) {
        guard !finished else { return }
        finished = true
        _ = PQputCopyEnd(connection.handle, reason)
        drainResults()
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        let sent = buffer.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) {
                PQputCopyData(connection.handle, $0.baseAddress, Int32($0.count))
            }
        }
        buffer.removeAll(keepingCapacity: true)
        guard sent == 1 else { throw connection.error(nil) }
    }

    private func drainResults() {
        while let next = PQgetResult(connection.handle) { PQclear(next) }
    }
}

extension PostgresConnection {
    /// Runs `COPY … FROM STDIN` (text format): `rows` appends the data through a
    /// ``PostgresCopy``; returns the rows the server copied. If `rows` throws, the copy is
    /// aborted (the server discards it) and the error rethrown; every libpq result is cleared
    /// on every path.
    @discardableResult
    public func copyIn(_ sql: String, rows: (PostgresCopy) throws -> Void) throws -> Int {
        let copy = try PostgresCopy(connection: self, sql: sql)
        do {
            try rows(copy)
        } catch {
            copy.abort("aborted by the client")
            throw error
        }
        return try copy.finish()
    }
}

/// Escapes one value for COPY's text format (backslash, tab, newline, return); nil is `\N`.
public func copyTextField(_ value: String?) -> String {
    guard let value else { return "\\N" }
    guard value.utf8.contains(where: needsEscape) else { return value }
    var bytes: [UInt8] = []
    appendEscaped(value, to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
}

private func needsEscape(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
}

/// Appends `value` in COPY's text format: the four special bytes escaped, nil as `\N`.
private func appendEscaped(_ value: String?, to buffer: inout [UInt8]) {
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
