// swift-tools-version: 6.0
// Three programs that use AEKit as a library, as a project of your own would: it depends on the
// AEKit package by path (use `.package(url:…)` from a project elsewhere).
import PackageDescription

let package = Package(
    name: "AEKitExamples",
    dependencies: [
        .package(name: "AEKit", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // A convolutional autoencoder no preset has, defined in Swift, trained and saved.
        .executableTarget(name: "TrainCustomAutoencoder", dependencies: [
            .product(name: "AEKit", package: "AEKit"), .product(name: "Compute", package: "AEKit"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // A training loop written out instead of `fit` (the article "Your own training loop").
        .executableTarget(name: "OwnTrainingLoop", dependencies: [
            .product(name: "AEKit", package: "AEKit"), .product(name: "Compute", package: "AEKit"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Loads that checkpoint (or any AEKit checkpoint) and reconstructs test images.
        .executableTarget(name: "Reconstruct", dependencies: [
            .product(name: "AEKit", package: "AEKit"), .product(name: "Compute", package: "AEKit"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
    ]
)
