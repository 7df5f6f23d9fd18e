import SoakGateBasics
import XCTest

final class RedactionTests: XCTestCase {
    func testUserInformationIsHidden() {
        XCTAssertEqual(
            Redaction.url("postgresql://u:pw@db.example:5432/features"), "postgresql://***@db.example:5432/features")
        XCTAssertEqual(Redaction.url("https://user@api.example/repos"), "https://***@api.example/repos")
        XCTAssertEqual(Redaction.url("https://api.example/repos?page=2"), "https://api.example/repos?page=2")
    }

    func testUnparseableURLsHideTheirPasswordToo() {
        for url in [
            "postgresql://u:s3cret@[::1/db", "postgresql://u:s3%zzcret@host/db", "postgresql://u:s3/cret@host/db",
            "postgresql://u:s3?cret@host/db",
        ] {
            let shown = Redaction.url(url)
            XCTAssertFalse(shown.contains("s3"), "\(url) → \(shown)")
            XCTAssertFalse(shown.contains("cret"), "\(url) → \(shown)")
        }
    }

    func testPasswordParametersAreHidden() {
        XCTAssertEqual(
            Redaction.url("postgresql://host/db?user=u&password=s3cret&sslmode=disable"),
            "postgresql://host/db?user=u&password=***&sslmode=disable")
        XCTAssertEqual(
            Redaction.url("host=db user=u password=s3cret port=5432"), "host=db user=u password=*** port=5432")
        XCTAssertEqual(Redaction.url("host=db password='s3 cret' port=5432"), "host=db password=*** port=5432")
    }

    func testScrubRemovesEchoedSecretsFromAMessage() {
        let source = "postgresql://u:s3%zzcret@[::1/db"
        let libpqLike = "invalid percent-encoded token: \"s3%zzcret\"; in URI: \"\(source)\""
        let scrubbed = Redaction.scrub(libpqLike, secretsOf: source)
        XCTAssertFalse(scrubbed.contains("s3"), scrubbed)
        XCTAssertTrue(scrubbed.contains("postgresql://***@[::1/db"), scrubbed)
        let decoded = Redaction.scrub("password s3 cret rejected", secretsOf: "postgresql://u:s3%20cret@h/d")
        XCTAssertEqual(decoded, "password *** rejected")
    }

    func testAUserNameWithoutAPasswordIsHiddenBeforeTheHostButOtherWordsStay() {
        let source = "postgresql://postgres@127.0.0.1:5432/postgres"
        let message =
            "connection to postgresql://postgres@127.0.0.1:5432/postgres failed: role postgres@ is unknown; user postgres"
        XCTAssertEqual(
            Redaction.scrub(message, secretsOf: source),
            "connection to postgresql://***@127.0.0.1:5432/postgres failed: role ***@ is unknown; user postgres")
        // A token given as the user name (https://TOKEN@host) is hidden wherever it stands before a host.
        XCTAssertEqual(
            Redaction.scrub(
                "GET https://ghp_0123456789@api.example.com/x refused (ghp_0123456789@api.example.com)",
                secretsOf: "https://ghp_0123456789@api.example.com"),
            "GET https://***@api.example.com/x refused (***@api.example.com)")
    }
}

final class CheckedNumberTests: XCTestCase {
    func testHugeAndNonFiniteNumbersAreRefusedNamingTheSource() {
        XCTAssertThrowsError(try CheckedNumber.real("1e11", in: 0.001...86_400, source: "--timeout")) { error in
            XCTAssertEqual(
                String(describing: error),
                "--timeout '100000000000' is out of range: expected a number from 0.001 to 86400")
        }
        for text in ["nan", "inf", "-inf", "", "12x"] {
            XCTAssertThrowsError(try CheckedNumber.real(text, in: 0...1, source: "--x"), text)
        }
        XCTAssertThrowsError(try CheckedNumber.integer("99999999999999999999", in: 1...Int.max, source: "--duration"))
        XCTAssertThrowsError(try CheckedNumber.integer("-1", in: 0...10, source: "rules.json: maxDuplicateCandidates"))
        XCTAssertEqual(try CheckedNumber.integer(" 42 ", in: 0...100, source: "--n"), 42)
    }

    func testConversionToAnIntegerChecksTheRangeFirst() {
        XCTAssertThrowsError(
            try CheckedNumber.exactly(1e300, in: Int64.min...Int64.max, source: "elapsedSeconds") as Int64)
        XCTAssertThrowsError(
            try CheckedNumber.exactly(Double(Int64.max), in: Int64.min...Int64.max, source: "x") as Int64)
        XCTAssertThrowsError(try CheckedNumber.exactly(.nan, in: 0...10, source: "x") as Int)
        XCTAssertEqual(try CheckedNumber.exactly(7.9, in: 0...10, source: "x") as Int, 7)
        XCTAssertEqual(try CheckedNumber.checked(0.5, in: 0...1, source: "x"), 0.5)
    }
}

final class ShellCommandTests: XCTestCase {
    func testTheResumeLineQuotesForTheShellHidesPasswordsAndAddsResumeOnce() {
        XCTAssertEqual(
            ShellCommand.line(resuming: [
                "loto-features", "generate", "--input", "my draws.csv", "--store", "postgresql://me:s3cret@db/loto",
            ]),
            "loto-features generate --input 'my draws.csv' --store 'postgresql://me:***@db/loto' --resume")
        XCTAssertEqual(ShellCommand.line(resuming: ["t", "--resume", "--x=it's"]), "t --resume '--x=it'\\''s'")
        XCTAssertEqual(ShellCommand.line(resuming: ["t"], adding: ["--out", "FILE"]), "t --resume --out FILE")
        XCTAssertEqual(ShellCommand.hidingSecrets("host=db password=s3cret"), "host=db password=***")
        XCTAssertEqual(
            ShellCommand.hidingSecrets("--store=postgresql://u:p@h/d?password=x"),
            "--store=postgresql://u:***@h/d?password=***")
    }
}
