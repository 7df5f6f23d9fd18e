import Foundation
import SoakGateBasics
import XCTest

final class VersionTests: XCTestCase {
    /// The version lives in SoakGateVersion; the CHANGELOG's newest released heading must say the same.
    func testTheChangelogsNewestReleaseIsTheVersionTheToolsReport() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let changelog = try String(contentsOf: root.appendingPathComponent("CHANGELOG.md"), encoding: .utf8)
        let released = changelog.split(separator: "\n").first {
            $0.hasPrefix("## ") && $0.dropFirst(3).first?.isNumber == true
        }
        let heading = try XCTUnwrap(released, "CHANGELOG.md has no released version heading")
        XCTAssertTrue(
            heading.hasPrefix("## \(SoakGateVersion.current) "),
            "CHANGELOG.md's newest release is '\(heading)', SoakGateVersion.current is \(SoakGateVersion.current)")
        let parts = SoakGateVersion.current.split(separator: ".")
        XCTAssertEqual(parts.count, 3, "a semantic version has three numbers")
        XCTAssertTrue(parts.allSatisfy { UInt($0) != nil }, "\(SoakGateVersion.current) is not MAJOR.MINOR.PATCH")
    }
}
