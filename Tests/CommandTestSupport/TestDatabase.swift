import Foundation
import XCTest

/// The throwaway PostgreSQL that `ci/test.sh` starts (through `ci/with-postgres.sh`), for every
/// test target that needs a real database.
public enum TestDatabase {
    /// `SOAKGATE_TEST_DATABASE_URL`. Without it a test fails in CI (`CI=true`: a database test
    /// must never pass by not running) and is skipped elsewhere, with the command to type.
    public static func url() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["SOAKGATE_TEST_DATABASE_URL"], !url.isEmpty { return url }
        if environment["CI"] == "true" {
            XCTFail(
                "SOAKGATE_TEST_DATABASE_URL is not set in CI: run the tests through 'bash ci/test.sh', which starts PostgreSQL"
            )
            throw CancellationError()
        }
        throw XCTSkip("no PostgreSQL: run 'bash ci/test.sh', or set SOAKGATE_TEST_DATABASE_URL")
    }
}
