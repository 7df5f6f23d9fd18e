import CLibPQ

/// One `COPY … FROM STDIN` in progress on a connection, fed as text (ast2graph streams its
/// chunks through it; `PostgresConnection.copyIn` is the row-by-row form): send rows with ``send(_:)``, then
/// ``finish()``. If the value goes away unfinished (a thrown error), `deinit` ends the COPY
/// with an error so the server rolls that statement back, and frees every result: the
/// connection is usable again afterwards.
///
/// Not Sendable, like its connection; only one COPY at a time per connection.
public final class PostgresCopyStream {
    private let connection: PostgresConnection
    private var finished = false

    /// Starts `sql` (a `COPY table (columns) FROM STDIN` statement) on `connection`.
    public init(connection: PostgresConnection, sql: String) throws {
        self.connection = connection
        guard let started = PQexec(connection.handle, sql) else {
            throw connection.error(nil)
        }
        let result = PostgresResult(owning: started)
        guard PQresultStatus(started) == PGRES_COPY_IN else {
            finished = true
            throw connection.error(result)
        }
    }

    deinit {
        if !finished {
            _ = PQputCopyEnd(connection.handle, "abandoned by the client")
            drainResults()
        }
    }

    /// Sends bytes of COPY text-format data (rows end in a newline).
    public func send(_ text: String) throws {
        var text = text
        let status = text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { PQputCopyData(connection.handle, $0.baseAddress, Int32($0.count)) }
        }
        guard status == 1 else { throw connection.error(nil) }
    }

    /// Ends the COPY and returns the number of rows the server stored.
    @discardableResult
    public func finish() throws -> Int {
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

    private func drainResults() {
        while let next = PQgetResult(connection.handle) { PQclear(next) }
    }
}

/// Escapes one value for COPY's text format (backslash, tab, newline, return); nil is `\N`.
public func copyTextField(_ value: String?) -> String {
    guard let value else { return "\\N" }
    guard value.utf8.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else { return value }
    var out = ""
    for character in value.unicodeScalars {
        switch character {
        case "\\": out += "\\\\"
        case "\t": out += "\\t"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        default: out.unicodeScalars.append(character)
        }
    }
    return out
}
