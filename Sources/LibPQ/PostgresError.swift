/// A PostgreSQL failure, as one line. Never carries the connection string or a password.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    /// Where it happened: the server as `host:port/database`, never the password.
    public var target: String
    /// libpq's or the server's message, first line only.
    public var message: String
    /// The SQLSTATE code when the server sent one.
    public var sqlState: String?

    public var description: String {
        let state = sqlState.map { " [SQLSTATE \($0)]" } ?? ""
        return "PostgreSQL at \(target): \(message)\(state)"
    }
}
