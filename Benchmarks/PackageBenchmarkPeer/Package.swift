// swift-tools-version:6.1
import PackageDescription

// The peer for our bench gate: ordo-one/package-benchmark measuring the same planted workload
// (planted-bench.fixed-work) and judging the same planted regressions with its own baseline
// check. A package of its own, so that neither the harness nor soakgate-benchmarks ever resolves
// package-benchmark. package-benchmark finds its benchmark targets under Benchmarks/ of the
// package; its plugin builds them in release:
//   swift package --package-path Benchmarks/PackageBenchmarkPeer benchmark list
//   bash Benchmarks/PackageBenchmarkPeer/gate-accuracy.sh
// Only the MallocInterposer trait: the default traits also ask for the Swift 6.3 ARC runtime
// interposer, which this workload does not measure.
let package = Package(
    name: "package-benchmark-peer",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"])
    ],
    targets: [
        .executableTarget(
            name: "PlantedBench",
            dependencies: [.product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/PlantedBench",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ],
    swiftLanguageModes: [.v6]
)
