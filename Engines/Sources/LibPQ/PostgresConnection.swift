import CLibPQ
import SoakGateBasics

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One libpq connection, closed (`PQfinish`) when the value goes away, on every path.
///
/// Not Sendable: a libpq connection serves one thread at a time; give each task its own.
public final class PostgresConnection {
    let handle: OpaquePointer
    /// `host:port/database`, for messages; never holds the password.
    public let target: String
    /// The string this connection was made with, kept only so that every message libpq gives
    /// about it can be scrubbed of its secrets (``PostgresError``); never shown.
    private let connectionString: String

    /// Connects with a libpq connection string (`postgresql://user@host:port/db` or
    /// `host=... port=...`). Throws a ``PostgresError`` that names the server (or the string
    /// with its secrets replaced by `***` when it does not parse) but never a password.
    public init(connectionString: String) throws {
        // Parsed first on its own: libpq's parse errors echo the URI or the token it could not
        // read, so the message is scrubbed and the target is the redacted string.
        try Self.checkSyntax(connectionString)
        guard let handle = PQconnectdb(connectionString) else {
            throw PostgresError(
                target: Redaction.url(connectionString), message: "libpq could not allocate a connection",
                sqlState: nil,
                connectionString: connectionString)
        }
        let target = Self.describe(handle)
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = Self.firstLine(PQerrorMessage(handle))
            PQfinish(handle)
            throw PostgresError(target: target, message: message, sqlState: nil, connectionString: connectionString)
        }
        self.handle = handle
        self.target = Redaction.scrub(target, secretsOf: connectionString)
        self.connectionString = connectionString
    }

    /// Throws when libpq cannot parse `connectionString` (without connecting), with its
    /// message scrubbed of secrets and the string, redacted, as its target: lets a command
    /// refuse a malformed URL as a bad flag before it starts any work.
    public static func checkSyntax(_ connectionString: String) throws(PostgresError) {
        var message: UnsafeMutablePointer<CChar>?
        let options = PQconninfoParse(connectionString, &message)
        defer {
            if let options { PQconninfoFree(options) }
            if let message { PQfreemem(message) }
        }
        guard options == nil else { return }
        let text = message.map { firstLine(UnsafePointer($0)) } ?? "cannot be parsed"
        throw PostgresError(
            target: Redaction.url(connectionString), message: text, sqlState: nil, connectionString: connectionString)
    }

    deinit {
        PQfinish(handle)
    }

    /// Runs one statement with `$1, $2, ...` parameters sent separately from the SQL text, so
    /// no value is ever spliced into SQL. `nil` is SQL NULL.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [String?] = []) throws -> PostgresResult {
        let result = withCStrings(parameters) { pointers in
            PQexecParams(handle, sql, Int32(parameters.count), nil, pointers, nil, nil, 0)
        }
        guard let result else {
            throw PostgresError(
                target: target, message: Self.firstLine(PQerrorMessage(handle)), sqlState: nil,
                connectionString: connectionString)
        }
        let owned = PostgresResult(owning: result)
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return owned
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            throw PostgresError(
                target: target, message: Self.firstLine(PQresultErrorMessage(result)), sqlState: state,
                connectionString: connectionString)
        }
    }

    /// The connection's (or `result`'s) error as a ``PostgresError``; never holds the password.
    func error(_ result: PostgresResult?) -> PostgresError {
        if let result, let raw = result.rawHandle {
            let state = PQresultErrorField(raw, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            return PostgresError(
                target: target, message: Self.firstLine(PQresultErrorMessage(raw)), sqlState: state,
                connectionString: connectionString)
        }
        return PostgresError(
            target: target, message: Self.firstLine(PQerrorMessage(handle)), sqlState: nil,
            connectionString: connectionString)
    }

    /// The server's version number, e.g. 150018 for 15.18.
    public var serverVersion: Int { Int(PQserverVersion(handle)) }

    private static func describe(_ handle: OpaquePointer) -> String {
        let host = PQhost(handle).map { String(cString: $0) } ?? "?"
        let port = PQport(handle).map { String(cString: $0) } ?? "?"
        let database = PQdb(handle).map { String(cString: $0) } ?? "?"
        return "\(host):\(port)/\(database)"
    }

    static func firstLine(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "no message" }
        let text = String(cString: message)
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
        return line.isEmpty ? "no message" : line
    }
}

/// Calls `body` with C strings for `values`, valid only inside `body`.
private func withCStrings<R>(_ values: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) throws -> R) rethrows
    -> R
{
    var storage: [UnsafeMutablePointer<CChar>?] = values.map { $0.map { strdup($0) } ?? nil }
    defer { for pointer in storage { free(pointer) } }
    return try storage.withUnsafeMutableBufferPointer { buffer in
        try buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: max(buffer.count, 1)) {
            try body(values.isEmpty ? nil : $0)
        }
    }
}
