import Foundation
import XCTest

/// Runs one of this package's executables, built beside the test bundle, and captures what it
/// printed. Shared by the test targets that drive the real executables (this target also
/// holds ``TestDatabase``, for those that need PostgreSQL).
public struct Command {
    public struct Outcome {
        public var status: Int32
        public var standardOutput: String
        public var standardError: String

        public init(status: Int32, standardOutput: String, standardError: String) {
            self.status = status
            self.standardOutput = standardOutput
            self.standardError = standardError
        }
    }

    public static var productsDirectory: URL {
        let bundle =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: bundle).deletingLastPathComponent()
    }

    public static func path(of product: String) throws -> String {
        let url = productsDirectory.appendingPathComponent(product)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw XCTSkip("'\(url.path)' is not built; run 'swift build' before 'swift test'")
        }
        return url.path
    }

    /// Runs `product` to its end.
    public static func run(_ product: String, _ arguments: [String], environment: [String: String] = [:]) throws
        -> Outcome
    {
        try RunningCommand(product, arguments, environment: environment).wait()
    }

    public static func temporaryDirectory(_ test: XCTestCase) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("soakgate-cli-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }
}
