// swift-tools-version:6.1
import PackageDescription

// The three engines SoakGate guards (loto-features, ast2graph, issue-stream), their shared
// memory governor, libpq and SQLite wrappers, and `soakgate-engines`: the harness with every
// engine operation as a workload. A package of its own so that depending on the harness (the
// package one directory up) never resolves swift-syntax, AsyncHTTPClient or Hummingbird; see
// docs/packages.md. The engines never import the harness; EngineWorkloads and
// `soakgate-engines` join them.
let harness = "soakgate"

let package = Package(
    name: "soakgate-engines",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "soakgate-engines", targets: ["soakgate-engines"]),
        .executable(name: "loto-features", targets: ["loto-features"]),
        .executable(name: "ast2graph", targets: ["ast2graph"]),
        .executable(name: "issue-stream", targets: ["issue-stream"]),
        .library(name: "MemoryGovernor", targets: ["MemoryGovernor"]),
        .library(name: "LibPQ", targets: ["LibPQ"]),
        .library(name: "LotoFeatures", targets: ["LotoFeatures"]),
        .library(name: "ASTGraph", targets: ["ASTGraph"]),
        .library(name: "IssueStream", targets: ["IssueStream"]),
        .library(name: "GitHubTestServer", targets: ["GitHubTestServer"]),
    ],
    dependencies: [
        // The harness, with the soak's live page: this repository's own soakgate serves it.
        .package(name: harness, path: "..", traits: ["LivePage"]),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // ast2graph: pinned exactly, because node counts change between swift-syntax versions.
        .package(url: "https://github.com/swiftlang/swift-syntax", exact: "603.0.1"),
        // issue-stream: the GitHub client and its local GitHub-compatible test server.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // From Debian's libpq-dev and libsqlite3-dev.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),

        // The engines' shared memory budget: levels, admission, adaptive batches, emergency stop.
        .target(
            name: "MemoryGovernor",
            dependencies: [
                .product(name: "HeapProbe", package: harness),
                .product(name: "SoakGateBasics", package: harness),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // Owned wrappers over libpq, shared by the engines that speak to PostgreSQL.
        .target(name: "LibPQ", dependencies: ["CLibPQ", .product(name: "SoakGateBasics", package: harness)]),

        // The engine executables' one entry point: errors as one line, shared exit codes, option
        // values checked where they are parsed.
        .target(
            name: "EngineCommandLine",
            dependencies: [
                .product(name: "SoakGateBasics", package: harness),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // loto-features: draws → hist/futr/stat features into SQLite or PostgreSQL.
        .target(
            name: "LotoFeatures",
            dependencies: ["MemoryGovernor", "LibPQ", "CSQLite", .product(name: "SoakGateBasics", package: harness)]
        ),
        .executableTarget(
            name: "loto-features",
            dependencies: [
                "LotoFeatures", "MemoryGovernor", "EngineCommandLine",
                .product(name: "SoakGateBasics", package: harness),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // ast2graph: Swift sources to deterministic AST graphs.
        .target(
            name: "ASTGraph",
            dependencies: [
                "MemoryGovernor", "LibPQ",
                .product(name: "SoakGateBasics", package: harness),
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftParser", package: "swift-syntax"),
            ]
        ),
        .executableTarget(
            name: "ast2graph",
            dependencies: [
                "ASTGraph", "MemoryGovernor", "EngineCommandLine",
                .product(name: "SoakGateBasics", package: harness),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // issue-stream: GitHub issue triage over the REST API, and its local GitHub-compatible server.
        .target(
            name: "IssueStream",
            dependencies: [
                "MemoryGovernor",
                .product(name: "SoakGateBasics", package: harness),
                // /metrics: the harness's loopback HTTP server, the one the soak's live page uses.
                .product(name: "SoakGateHTTP", package: harness),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(
            name: "GitHubTestServer",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "issue-stream",
            dependencies: [
                "IssueStream", "GitHubTestServer", "MemoryGovernor", "EngineCommandLine",
                .product(name: "SoakGateBasics", package: harness),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        // The only module, with soakgate-engines, that joins engines and harness.
        .target(
            name: "EngineWorkloads",
            dependencies: [
                .product(name: "SoakGate", package: harness),
                "MemoryGovernor", "ASTGraph", "LotoFeatures", "IssueStream", "GitHubTestServer",
            ]
        ),
        .executableTarget(
            name: "soakgate-engines",
            dependencies: [
                "EngineWorkloads",
                .product(name: "SoakGateCLI", package: harness),
                .product(name: "PlantedWorkloads", package: harness),
            ]
        ),

        // Tests. CommandTestSupport is the harness's own directory (a link to ../Tests).
        .target(name: "CommandTestSupport", path: "Tests/CommandTestSupport"),
        .testTarget(
            name: "MemoryGovernorTests",
            dependencies: [
                "MemoryGovernor", "CommandTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        // In-process leak checks of libpq's wrappers: SoakGateXCTest links the thread cache off.
        .testTarget(
            name: "LibPQTests",
            dependencies: [
                "LibPQ", "CommandTestSupport",
                .product(name: "SoakGate", package: harness),
                .product(name: "SoakGateXCTest", package: harness),
            ]
        ),
        .testTarget(
            name: "LotoFeaturesTests",
            dependencies: ["LotoFeatures", "LibPQ", "MemoryGovernor", "CSQLite", "CommandTestSupport"],
            resources: [.copy("Golden")]
        ),
        .testTarget(
            name: "ASTGraphTests",
            dependencies: [
                "ASTGraph", "LibPQ", "MemoryGovernor", "CommandTestSupport",
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftParser", package: "swift-syntax"),
            ]
        ),
        .testTarget(
            name: "IssueStreamTests",
            dependencies: [
                "IssueStream", "GitHubTestServer", "CommandTestSupport",
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The engines' executables on bad input: flags, files, special files, misbehaving servers.
        .testTarget(
            name: "EngineBadInputTests",
            dependencies: [
                "CommandTestSupport", "GitHubTestServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Replays the repository's Tests/FuzzCorpus (the fuzz targets live in Fuzz/, built only by ci/fuzz.sh).
        .testTarget(
            name: "FuzzCorpusTests",
            dependencies: ["ASTGraph", "IssueStream", "LotoFeatures", .product(name: "SoakGate", package: harness)]
        ),
    ],
    swiftLanguageModes: [.v6]
)
