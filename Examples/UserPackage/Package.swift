// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "UserPackage",
    dependencies: [
        // In your package: .package(url: "https://github.com/<owner>/soakgate", from: "0.1.0")
        .package(name: "soakgate", path: "../..")
    ],
    targets: [
        .target(name: "InvoiceKit"),
        .executableTarget(
            name: "invoice-leaks",
            dependencies: ["InvoiceKit", .product(name: "SoakGateCLI", package: "soakgate")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
