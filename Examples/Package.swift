// swift-tools-version: 6.0
// Three programs that use AEKit as a library, as a project of your own would: it depends on the
// AEKit package by path (use `.package(url:…)` from a project elsewhere).
import PackageDescription

/// AEKit's two library products, and the command-line parser every program uses.
let libraries: [Target.Dependency] = [
    .product(name: "AEKit", package: "AEKit"), .product(name: "Compute", package: "AEKit"),
    .product(name: "ArgumentParser", package: "swift-argument-parser"),
]

let package = Package(
    name: "AEKitExamples",
    dependencies: [
        .package(name: "AEKit", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // The options the programs share: --data and --device.
        .target(name: "ExampleOptions", dependencies: libraries),
        // A convolutional autoencoder no preset has, defined in Swift, trained and saved.
        .executableTarget(name: "TrainCustomAutoencoder", dependencies: libraries + ["ExampleOptions"]),
        // A training loop written out instead of `fit` (the article "Your own training loop").
        .executableTarget(name: "OwnTrainingLoop", dependencies: libraries + ["ExampleOptions"]),
        // Loads TrainCustomAutoencoder's checkpoint (or any AEKit checkpoint) and reconstructs test images.
        .executableTarget(name: "Reconstruct", dependencies: libraries + ["ExampleOptions"]),
    ]
)
