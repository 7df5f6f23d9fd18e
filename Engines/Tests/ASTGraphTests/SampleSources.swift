import ASTGraph
import Foundation
import XCTest

/// Small Swift sources written to a temporary directory, removed after the test.
enum SampleSources {
    static let files: [(String, String)] = [
        (
            "Geometry/Point.swift",
            """
            import Foundation

            /// A point.
            struct Point: Equatable {
                var x: Int
                var y: Int
                func moved(by dx: Int) -> Point { Point(x: x + dx, y: y) }
            }
            """
        ),
        (
            "Geometry/Shapes/Circle.swift",
            """
            import Foundation
            import Darwin.C

            final class Circle {
                let centre: Point
                let radius: Double
                init(centre: Point, radius: Double) {
                    self.centre = centre
                    self.radius = radius
                }
                var area: Double { Double.pi * radius * radius }
                func scaled(_ factor: Double) -> Circle {
                    let radius = radius * factor
                    return Circle(centre: centre, radius: radius)
                }
            }
            """
        ),
        (
            "main.swift",
            """
            let circle = Circle(centre: Point(x: 1, y: 2), radius: 3)
            print("area: \\(circle.area)\\t\\"quoted\\" <&>", circle.scaled(2).area)
            let text = \"\"\"
                multi
                line, "with" commas
                \"\"\"
            enum Colour { case red, green }
            """
        ),
        ("Broken.swift", "func broken( {\n  let = \n"),
    ]

    /// Writes the samples under a new temporary directory and returns its path.
    static func write(_ test: XCTestCase, extra: [(String, String)] = []) throws -> String {
        let root = try temporaryDirectory(test)
        for (name, text) in files + extra {
            let url = URL(fileURLWithPath: root).appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return root
    }

    static func temporaryDirectory(_ test: XCTestCase) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ast2graph-test-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// The graph of `source`, or the failure thrown.
    static func graph(_ source: String, path: String = "t.swift", options: GraphBuildOptions = GraphBuildOptions())
        throws -> FileGraph
    {
        try GraphBuilder(options: options).build(path: path, source: Array(source.utf8)).get()
    }
}
