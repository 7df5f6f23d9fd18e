// swift-tools-version:6.0
import PackageDescription

// The harness (HeapProbe, SoakGate, SoakGateCLI, PlantedWorkloads) and the engines never import
// each other; only EngineWorkloads and the `soakgate` executable join them.
let package = Package(
    name: "soakgate",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "soakgate", targets: ["soakgate"]),
        .library(name: "SoakGateBasics", targets: ["SoakGateBasics"]),
        .library(name: "HeapProbe", targets: ["HeapProbe"]),
        .library(name: "SoakGate", targets: ["SoakGate"]),
        .library(name: "SoakGateReports", targets: ["SoakGateReports"]),
        .library(name: "SoakGateCLI", targets: ["SoakGateCLI"]),
        .library(name: "SoakGateXCTest", targets: ["SoakGateXCTest"]),
        .library(name: "SoakGateTesting", targets: ["SoakGateTesting"]),
        .library(name: "LibPQ", targets: ["LibPQ"]),
        .library(name: "MemoryGovernor", targets: ["MemoryGovernor"]),
        // ast2graph
        .library(name: "ASTGraph", targets: ["ASTGraph"]),
        // issue-stream
        .library(name: "IssueStream", targets: ["IssueStream"]),
        .executable(name: "ast2graph", targets: ["ast2graph"]),
        // loto-features
        .library(name: "LotoFeatures", targets: ["LotoFeatures"]),
        .executable(name: "loto-features", targets: ["loto-features"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
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
        // System libraries, from Debian's libjemalloc-dev and libpq-dev.
        .systemLibrary(
            name: "CJemalloc",
            pkgConfig: "jemalloc",
            providers: [.apt(["libjemalloc-dev"])]
        ),
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // Linking this turns jemalloc's thread cache off for the whole process (in-process
        // measurement, e.g. a test bundle). Child processes get MALLOC_CONF instead.
        .target(name: "CSoakGateTCacheOff"),
        // prctl and signal handlers for soaking processes: what Swift cannot call or write safely.
        .target(name: "CSoakGateProcess"),

        // Below harness and engines alike: the one atomic file writer, regular-file reads,
        // credential redaction and checked numbers. Depends on nothing.
        .target(name: "SoakGateBasics"),
        .testTarget(name: "SoakGateBasicsTests", dependencies: ["SoakGateBasics"]),

        // The harness.
        .target(name: "HeapProbe", dependencies: ["CJemalloc"]),
        .target(name: "SoakGate", dependencies: ["HeapProbe", "CSoakGateProcess", "SoakGateBasics"]),
        .target(
            name: "SoakGateReports",
            dependencies: ["SoakGate", "SoakGateBasics", .product(name: "Mustache", package: "swift-mustache")]
        ),
        // A running soak's live page and Prometheus /metrics, on loopback.
        .target(
            name: "SoakGateLive",
            dependencies: [
                "SoakGate",
                "SoakGateReports",
                "SoakGateBasics",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(
            name: "SoakGateCLI",
            dependencies: [
                "SoakGate",
                "SoakGateReports",
                "SoakGateLive",
                "SoakGateBasics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "PlantedWorkloads", dependencies: ["SoakGate"]),
        // One-line leak checks for a package's own tests.
        .target(name: "SoakGateXCTest", dependencies: ["SoakGate", "CSoakGateTCacheOff"]),
        .target(name: "SoakGateTesting", dependencies: ["SoakGate", "CSoakGateTCacheOff"]),
        .executableTarget(name: "soakgate", dependencies: ["SoakGateCLI", "PlantedWorkloads", "EngineWorkloads"]),

        // The engines' shared memory budget: levels, admission, adaptive batches, emergency stop.
        .target(
            name: "MemoryGovernor",
            dependencies: [
                "HeapProbe",
                "SoakGateBasics",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),

        // The only module, with the soakgate executable, that joins engines and harness.
        .target(name: "EngineWorkloads", dependencies: ["SoakGate", "MemoryGovernor", "ASTGraph", "LotoFeatures", "IssueStream", "GitHubTestServer"]),

        // Owned wrappers over libpq, shared by the engines that speak to PostgreSQL.
        .target(name: "LibPQ", dependencies: ["CLibPQ", "SoakGateBasics"]),

        // A user's own workload executable, as the README shows it; the CLI tests drive it.
        .executableTarget(name: "soakgate-fixtures", dependencies: ["SoakGateCLI"]),

        // Benchmarks are programs that print figures (release builds); tests never time anything.
        .executableTarget(
            name: "soakgate-benchmarks",
            dependencies: ["HeapProbe", "CJemalloc", "CSoakGateTCacheOff"],
            path: "Benchmarks/SoakGateBenchmarks"
        ),

        .testTarget(name: "HeapProbeTests", dependencies: ["HeapProbe", "CJemalloc", "CSoakGateTCacheOff"]),
        .testTarget(name: "SoakGateTests", dependencies: ["SoakGate", "HeapProbe", "CSoakGateTCacheOff"]),
        // Runs the package's executables from tests (a library so both CLI test targets share it).
        .target(name: "CommandTestSupport", path: "Tests/CommandTestSupport"),
        .testTarget(name: "SoakGateCLITests", dependencies: ["SoakGate", "CommandTestSupport"]),
        // Short soaks of the real `soakgate soak` (SOAKGATE_SOAK_SECONDS, default 60).
        .testTarget(name: "SoakTests", dependencies: ["SoakGate", "CommandTestSupport"], path: "SoakTests", exclude: ["README.md"]),
        .testTarget(name: "SoakGateHelpersTests", dependencies: ["SoakGateXCTest", "SoakGateTesting", "SoakGate"]),
        .testTarget(name: "SoakGateReportsTests", dependencies: ["SoakGateReports", "SoakGate", "HeapProbe"]),
        .testTarget(
            name: "MemoryGovernorTests",
            dependencies: [
                "MemoryGovernor",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        // loto-features: draws → hist/futr/stat features into SQLite or PostgreSQL.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "LotoFeatures", dependencies: ["MemoryGovernor", "LibPQ", "CSQLite", "SoakGateBasics"]),
        .executableTarget(
            name: "loto-features",
            dependencies: [
                "LotoFeatures", "MemoryGovernor", "SoakGateBasics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "loto-features-benchmarks", dependencies: ["LotoFeatures", "MemoryGovernor", "SoakGateBasics"],
            path: "Benchmarks/LotoFeaturesBenchmarks", exclude: ["polars_features.py"]
        ),
        .testTarget(
            name: "LotoFeaturesTests", dependencies: ["LotoFeatures", "LibPQ", "MemoryGovernor", "CSQLite", "CommandTestSupport"],
            resources: [.copy("Golden")]
        ),
        // issue-stream: GitHub issue triage over the REST API (engine, local server, CLI, tests, benchmark).
        .target(
            name: "IssueStream",
            dependencies: [
                "MemoryGovernor",
                "SoakGateBasics",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
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
                "IssueStream", "GitHubTestServer", "MemoryGovernor", "SoakGateBasics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "issue-stream-benchmarks",
            dependencies: ["IssueStream", "GitHubTestServer"],
            path: "Benchmarks/IssueStreamBenchmarks"
        ),
        .testTarget(
            name: "IssueStreamTests",
            dependencies: ["IssueStream", "GitHubTestServer", "CommandTestSupport", .product(name: "Prometheus", package: "swift-prometheus")]
        ),
        // Every executable on bad input: flags, files, special files, misbehaving servers.
        .testTarget(
            name: "BadInputTests",
            dependencies: [
                "CommandTestSupport", "GitHubTestServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Replays Tests/FuzzCorpus (the fuzz targets live in Fuzz/, built only by ci/fuzz.sh).
        .testTarget(
            name: "FuzzCorpusTests", dependencies: ["ASTGraph", "IssueStream", "LotoFeatures", "SoakGate"]
        ),
        .testTarget(name: "LibPQTests", dependencies: ["LibPQ", "SoakGate", "CSoakGateTCacheOff", "CommandTestSupport"]),

        // ast2graph: Swift sources to deterministic AST graphs, its command, tests and benchmark.
        .target(
            name: "ASTGraph",
            dependencies: [
                "MemoryGovernor",
                "LibPQ",
                "SoakGateBasics",
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftParser", package: "swift-syntax"),
            ]
        ),
        .executableTarget(
            name: "ast2graph",
            dependencies: [
                "ASTGraph", "MemoryGovernor", "SoakGateBasics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ASTGraphTests",
            dependencies: [
                "ASTGraph", "LibPQ", "MemoryGovernor", "CommandTestSupport",
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftParser", package: "swift-syntax"),
            ]
        ),
        .executableTarget(
            name: "ast2graph-benchmarks",
            dependencies: [
                "ASTGraph",
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftParser", package: "swift-syntax"),
            ],
            path: "Benchmarks/ASTGraphBenchmarks"
        ),
    ],
    swiftLanguageModes: [.v6]
)
