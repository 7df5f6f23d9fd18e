// swift-tools-version:6.1
import PackageDescription

// The harness, and only the harness: what a package that checks itself for leaks depends on.
// It resolves swift-argument-parser and swift-mustache and nothing else. The engines it guards
// are a package of their own in Engines/ (swift-syntax, AsyncHTTPClient, Hummingbird, libpq,
// SQLite), which depends on this one; the benchmarks are another in Benchmarks/. See
// docs/packages.md for why.
let package = Package(
    name: "soakgate",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "soakgate", targets: ["soakgate"]),
        .library(name: "SoakGateBasics", targets: ["SoakGateBasics"]),
        .library(name: "SoakGateHTTP", targets: ["SoakGateHTTP"]),
        .library(name: "HeapProbe", targets: ["HeapProbe"]),
        .library(name: "SoakGate", targets: ["SoakGate"]),
        .library(name: "SoakGateReports", targets: ["SoakGateReports"]),
        .library(name: "SoakGateCLI", targets: ["SoakGateCLI"]),
        .library(name: "SoakGateXCTest", targets: ["SoakGateXCTest"]),
        .library(name: "SoakGateTesting", targets: ["SoakGateTesting"]),
        .library(name: "PlantedWorkloads", targets: ["PlantedWorkloads"]),
    ],
    traits: [
        // A running soak's live page and Prometheus /metrics (`soakgate soak --listen`). Off by
        // default: it needs swift-nio and swift-prometheus, which a leak check does not.
        .trait(
            name: "LivePage", description: "soakgate soak --listen: a live page and Prometheus /metrics over swift-nio")
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // Resolved only when the LivePage trait is on (the engines' package turns it on).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Test-only (SoakGatePropertyTests): a package that depends on the harness does not resolve it.
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // From Debian's libjemalloc-dev.
        .systemLibrary(
            name: "CJemalloc",
            pkgConfig: "jemalloc",
            providers: [.apt(["libjemalloc-dev"])]
        ),
        // Linking this turns jemalloc's thread cache off for the whole process (in-process
        // measurement, e.g. a test bundle). Child processes get MALLOC_CONF instead.
        .target(name: "CSoakGateTCacheOff"),
        // The soaked child's signal handlers and parent-death signal: what Swift cannot write safely.
        .target(name: "CSoakGateProcess"),
        // A profiled run's live-block table (jemalloc's allocation hooks), the loaded images'
        // writable segments and dladdr: what the retention walk needs and Swift cannot reach.
        .target(name: "CSoakGateHeapWalk"),

        // Below harness and engines alike: the one atomic file writer, regular-file reads,
        // credential redaction, checked numbers, byte counts and the command to type.
        .target(name: "SoakGateBasics"),
        .testTarget(name: "SoakGateBasicsTests", dependencies: ["SoakGateBasics"]),
        // Below harness and engines: the one small HTTP server for read-only pages on loopback
        // (the soak's live page, issue-stream's /metrics) and its HOST:PORT parsing. The server
        // needs swift-nio, so it is built with the trait LivePage only.
        .target(
            name: "SoakGateHTTP",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio", condition: .when(traits: ["LivePage"])),
                .product(name: "NIOPosix", package: "swift-nio", condition: .when(traits: ["LivePage"])),
                .product(name: "NIOHTTP1", package: "swift-nio", condition: .when(traits: ["LivePage"])),
            ]
        ),

        // The harness.
        .target(name: "HeapProbe", dependencies: ["CJemalloc"]),
        .target(
            name: "SoakGate", dependencies: ["HeapProbe", "CSoakGateProcess", "CSoakGateHeapWalk", "SoakGateBasics"]),
        .target(
            name: "SoakGateReports",
            dependencies: ["SoakGate", "SoakGateBasics", .product(name: "Mustache", package: "swift-mustache")]
        ),
        // A running soak's live page and Prometheus /metrics, on loopback (trait LivePage).
        .target(
            name: "SoakGateLive",
            dependencies: [
                "SoakGate",
                "SoakGateReports",
                "SoakGateBasics",
                "SoakGateHTTP",
                .product(name: "Prometheus", package: "swift-prometheus", condition: .when(traits: ["LivePage"])),
            ]
        ),
        .target(
            name: "SoakGateCLI",
            dependencies: [
                "SoakGate",
                "SoakGateReports",
                "SoakGateBasics",
                "SoakGateHTTP",
                .target(name: "SoakGateLive", condition: .when(traits: ["LivePage"])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "PlantedWorkloads", dependencies: ["SoakGate"]),
        // One-line leak checks for a package's own tests.
        .target(name: "SoakGateXCTest", dependencies: ["SoakGate", "CSoakGateTCacheOff"]),
        .target(name: "SoakGateTesting", dependencies: ["SoakGate", "CSoakGateTCacheOff"]),
        .executableTarget(name: "soakgate", dependencies: ["SoakGateCLI", "PlantedWorkloads"]),

        // A user's own workload executable, as the README shows it; the CLI tests drive it.
        .executableTarget(name: "soakgate-fixtures", dependencies: ["SoakGateCLI"]),

        .testTarget(name: "HeapProbeTests", dependencies: ["HeapProbe", "CJemalloc", "CSoakGateTCacheOff"]),
        .testTarget(name: "SoakGateTests", dependencies: ["SoakGate", "HeapProbe", "CSoakGateTCacheOff"]),
        // Runs the package's executables from tests, and the bad-input case runner. Engines/Tests
        // links this same directory, so both packages' tests share it.
        .target(name: "CommandTestSupport", path: "Tests/CommandTestSupport"),
        .testTarget(name: "SoakGateCLITests", dependencies: ["SoakGate", "CommandTestSupport"]),
        // Short soaks of the real `soakgate soak` (SOAKGATE_SOAK_SECONDS, default 120).
        .testTarget(
            name: "SoakTests", dependencies: ["SoakGate", "CommandTestSupport"], path: "SoakTests",
            exclude: ["README.md"]),
        .testTarget(name: "SoakGateHelpersTests", dependencies: ["SoakGateXCTest", "SoakGateTesting", "SoakGate"]),
        .testTarget(name: "SoakGateReportsTests", dependencies: ["SoakGateReports", "SoakGate", "HeapProbe"]),
        // The harness's command line on bad input: flags, files, special files, edited soaks.
        .testTarget(name: "BadInputTests", dependencies: ["CommandTestSupport"]),
        // Properties of the growth fits and verdict rules over generated plans and series.
        .testTarget(
            name: "SoakGatePropertyTests",
            dependencies: ["SoakGate", "HeapProbe", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
