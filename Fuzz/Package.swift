// swift-tools-version:6.1
import PackageDescription

// libFuzzer targets for the parsers that read what others wrote. Built only by ci/fuzz.sh, with
// `--sanitize fuzzer` (libFuzzer supplies `main`), so users and CI's test build never compile
// them. Each target feeds its input to the same public entry point the program uses; the
// corpus they find (Tests/FuzzCorpus) is replayed by the engines' package tests.
let package = Package(
    name: "soakgate-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "soakgate", path: ".."),
        .package(name: "soakgate-engines", path: "../Engines"),
    ],
    targets: [
        .executableTarget(
            name: "fuzz-draw-csv", dependencies: [.product(name: "LotoFeatures", package: "soakgate-engines")],
            path: "Sources/DrawCSV"),
        .executableTarget(
            name: "fuzz-leak-report", dependencies: [.product(name: "SoakGate", package: "soakgate")],
            path: "Sources/LeakReport"),
        .executableTarget(
            name: "fuzz-gate-policy", dependencies: [.product(name: "SoakGate", package: "soakgate")],
            path: "Sources/GatePolicy"),
        .executableTarget(
            name: "fuzz-soak-samples", dependencies: [.product(name: "SoakGate", package: "soakgate")],
            path: "Sources/SoakSamples"),
        .executableTarget(
            name: "fuzz-swift-source", dependencies: [.product(name: "ASTGraph", package: "soakgate-engines")],
            path: "Sources/SwiftSource"),
        .executableTarget(
            name: "fuzz-issue-page", dependencies: [.product(name: "IssueStream", package: "soakgate-engines")],
            path: "Sources/IssuePage"),
    ],
    swiftLanguageModes: [.v6]
)
