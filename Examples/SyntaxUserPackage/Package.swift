// swift-tools-version:6.0
import PackageDescription

// A package that already depends on swift-syntax 600 (as every package with macros does) adds
// the harness beside it. The harness never resolves swift-syntax, so the two cannot conflict;
// CI builds this example and checks its workloads (ci/example.sh).
let package = Package(
    name: "SyntaxUserPackage",
    dependencies: [
        .package(url: "https://github.com/swiftlang/swift-syntax", exact: "600.0.1"),
        // In your package: .package(url: "https://github.com/<owner>/soakgate", from: "0.1.0")
        .package(name: "soakgate", path: "../.."),
    ],
    targets: [
        .target(
            name: "DeclarationCounter",
            dependencies: [
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftParser", package: "swift-syntax"),
            ]
        ),
        .executableTarget(
            name: "declaration-leaks",
            dependencies: ["DeclarationCounter", .product(name: "SoakGateCLI", package: "soakgate")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
