import Foundation
import LibPQ
import XCTest

/// libpq echoes a connection string, or the token it could not parse, in its messages: every
/// error made from them names the server or the redacted string and never holds the password.
/// These run against the real library and need no server (nothing listens on port 1).
final class PostgresSecretsTests: XCTestCase {
    private let password = "pw-\(UUID().uuidString.prefix(8))-secret"

    /// The error `connectionString` gives, as one line, after checking it holds no password.
    private func refusal(_ connectionString: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try PostgresConnection(connectionString: connectionString)
            XCTFail("'\(connectionString)' connected", file: file, line: line)
            return ""
        } catch {
            let text = String(describing: error)
            XCTAssertFalse(text.contains(password), "the password is in: \(text)", file: file, line: line)
            XCTAssertFalse(text.contains(where: \.isNewline), "more than one line: \(text)", file: file, line: line)
            XCTAssertTrue(error is PostgresError, "\(type(of: error))", file: file, line: line)
            return text
        }
    }

    func testAnUnparseableURLIsNamedRedactedWithoutItsPassword() {
        let text = refusal("postgresql://alice:\(password)@[::1/shop")
        XCTAssertTrue(text.contains("postgresql://***@[::1/shop"), text)
    }

    func testABadPercentEscapeInThePasswordIsNeverEchoed() {
        let text = refusal("postgresql://alice:\(password)%zz@127.0.0.1:1/shop")
        XCTAssertTrue(text.contains("postgresql://***@127.0.0.1:1/shop"), text)
        XCTAssertFalse(text.contains("%zz"), text)
    }

    func testAnUnknownQueryParameterIsRefusedWithoutThePassword() {
        let text = refusal("postgresql://alice:\(password)@127.0.0.1:1/shop?no_such_option=1")
        XCTAssertTrue(text.contains("127.0.0.1:1/shop"), text)
    }

    func testAKeywordValueStringNamesTheHostButNotThePassword() {
        let text = refusal("host=127.0.0.1 port=1 dbname=shop user=alice password='\(password)' connect_timeout=2")
        XCTAssertTrue(text.contains("127.0.0.1:1/shop"), text)
    }

    func testAnUnterminatedKeywordValueStringHidesThePassword() {
        let text = refusal("host=127.0.0.1 port=1 password='\(password)")
        XCTAssertTrue(text.contains("password=***"), text)
    }

    func testAPasswordInAQueryParameterIsNeverEchoed() {
        let text = refusal("postgresql://alice@127.0.0.1:1/shop?password=\(password)&connect_timeout=2")
        XCTAssertTrue(text.contains("127.0.0.1:1/shop"), text)
    }

    func testAnUnreachablePortNamesTheServerWithoutThePassword() {
        let text = refusal("postgresql://alice:\(password)@127.0.0.1:1/shop?connect_timeout=2")
        XCTAssertTrue(text.contains("127.0.0.1:1/shop"), text)
    }

    func testTheSyntaxCheckAloneNeedsNoServer() throws {
        XCTAssertNoThrow(try PostgresConnection.checkSyntax("postgresql://alice:\(password)@127.0.0.1:1/shop"))
        XCTAssertThrowsError(try PostgresConnection.checkSyntax("postgresql://alice:\(password)@[::1/shop")) { error in
            XCTAssertFalse(String(describing: error).contains(password), "\(error)")
        }
    }
}
