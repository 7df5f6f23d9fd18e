import SoakGateBasics

/// A PostgreSQL failure, as one line. Never carries the connection string or a password.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    /// Where it happened: the server as `host:port/database`, or the connection string with its
    /// secrets replaced by `***` when it could not be parsed; never the password.
    public var target: String
    /// libpq's or the server's message, first line only, with the connection's secrets removed.
    public var message: String
    /// The SQLSTATE code when the server sent one.
    public var sqlState: String?

    /// An error whose `message` came from libpq or the server: libpq echoes a connection string
    /// (or the token it could not parse) in its messages, so both texts are scrubbed of every
    /// secret of `connectionString` here, where every such error is made.
    init(target: String, message: String, sqlState: String?, connectionString: String) {
        self.target = Redaction.scrub(target, secretsOf: connectionString)
        self.message = Redaction.scrub(message, secretsOf: connectionString)
        self.sqlState = sqlState
    }

    public var description: String {
        let state = sqlState.map { " [SQLSTATE \($0)]" } ?? ""
        return "PostgreSQL at \(target): \(message)\(state)"
    }
}
