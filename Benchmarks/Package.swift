// swift-tools-version:6.1
import PackageDescription

// Benchmark programs (release builds) whose figures go into BENCHMARKS.md. A package of its own,
// as swift-nio keeps its Benchmarks/, so neither a user of the harness nor the test build ever
// compiles them:
//   swift build --package-path Benchmarks -c release --product soakgate-benchmarks
let package = Package(
    name: "soakgate-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "soakgate", path: ".."),
        .package(name: "soakgate-engines", path: "../Engines"),
        // The same exact version as the engines' package.
        .package(url: "https://github.com/swiftlang/swift-syntax", exact: "603.0.1"),
    ],
    targets: [
        .systemLibrary(name: "CJemallocBenchmarks", path: "CJemallocBenchmarks", pkgConfig: "jemalloc"),
        .executableTarget(
            name: "soakgate-benchmarks",
            dependencies: ["CJemallocBenchmarks", .product(name: "HeapProbe", package: "soakgate")],
            path: "SoakGateBenchmarks"
        ),
        .executableTarget(
            name: "loto-features-benchmarks",
            dependencies: [
                .product(name: "LotoFeatures", package: "soakgate-engines"),
                .product(name: "MemoryGovernor", package: "soakgate-engines"),
                .product(name: "SoakGateBasics", package: "soakgate"),
            ],
            path: "LotoFeaturesBenchmarks", exclude: ["polars_features.py"]
        ),
        .executableTarget(
            name: "issue-stream-benchmarks",
            dependencies: [
                .product(name: "IssueStream", package: "soakgate-engines"),
                .product(name: "GitHubTestServer", package: "soakgate-engines"),
            ],
            path: "IssueStreamBenchmarks"
        ),
        .executableTarget(
            name: "ast2graph-benchmarks",
            dependencies: [
                .product(name: "ASTGraph", package: "soakgate-engines"),
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftParser", package: "swift-syntax"),
            ],
            path: "ASTGraphBenchmarks"
        ),
        .executableTarget(
            name: "heap-walk-benchmarks",
            dependencies: [.product(name: "SoakGate", package: "soakgate")],
            path: "HeapWalkBenchmarks"
        ),
    ],
    swiftLanguageModes: [.v6]
)
