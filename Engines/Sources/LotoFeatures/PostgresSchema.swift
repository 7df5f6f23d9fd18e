import LibPQ

/// Creates and drops a schema of its own for a run (the harness workload and tests use one so
/// they never touch a user's tables). The name must be a plain identifier.
public enum PostgresSchema {
    public static func create(_ name: String, at connectionString: String) throws {
        try run("CREATE SCHEMA IF NOT EXISTS", name, connectionString)
    }

    public static func drop(_ name: String, at connectionString: String) throws {
        try run("DROP SCHEMA IF EXISTS", name, connectionString, suffix: " CASCADE")
    }

    private static func run(_ verb: String, _ name: String, _ connectionString: String, suffix: String = "") throws {
        guard InputIdentifier.isValid(name), !name.contains(".") else {
            throw LotoFeaturesError.usage("'\(name)' is not a plain schema name")
        }
        do {
            let connection = try PostgresConnection(connectionString: connectionString)
            try connection.execute("SET client_min_messages = warning")
            try connection.execute("\(verb) \(name)\(suffix)")
        } catch let error as PostgresError {
            throw LotoFeaturesError.store(target: "postgresql://\(error.target)", problem: error.message)
        }
    }
}
