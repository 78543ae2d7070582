// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "AEKit",
    products: [
        .library(name: "Compute", targets: ["Compute"]),
        .library(name: "AEKit", targets: ["AEKit"]),
        .executable(name: "aekit", targets: ["aekit"]),
        .executable(name: "aekit-fuzz", targets: ["aekit-fuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // FilePath: path arithmetic on users' paths (Foundation's NSString helpers trap on some).
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
        // `swift package generate-documentation`: the DocC catalogs of Compute and AEKit.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // System libraries: the OpenCL loader, OpenBLAS (CPU GEMM), zlib (.gz IDX files),
        // libcrypto (SHA-256).
        .systemLibrary(name: "COpenCL", path: "Sources/COpenCL"),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // OpenSSL's libcrypto: SHA-256 of checkpoint files and cached kernel binaries.
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto"),
        // librsvg and cairo: every SVG figure (curves, bars, heatmaps, code maps) also as PNG.
        .systemLibrary(name: "CRsvg", path: "Sources/CRsvg", pkgConfig: "librsvg-2.0",
                       providers: [.apt(["librsvg2-dev"])]),
        .target(name: "SVGRaster", dependencies: ["CRsvg"], path: "Sources/SVGRaster"),
        // Image files: libpng and libjpeg-turbo decode them (and libpng writes the figures),
        // pixman resamples them to --size, libarchive opens .npz and .tar.gz archives.
        .systemLibrary(name: "CImageCodecs", path: "Sources/CImageCodecs", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev", "libturbojpeg0-dev"])]),
        .systemLibrary(name: "CPixman", path: "Sources/CPixman", pkgConfig: "pixman-1",
                       providers: [.apt(["libpixman-1-dev"])]),
        .systemLibrary(name: "CArchive", path: "Sources/CArchive", pkgConfig: "libarchive",
                       providers: [.apt(["libarchive-dev"])]),
        // sched_getaffinity's CPU_COUNT, a C macro: how many cores the CPU backend may use.
        .target(name: "CAffinity", path: "Sources/CAffinity"),
        // The CPU backend's hot loops (pooling, dropout, im2col, direct convolution, ReLU, bias
        // sums), compiled for AVX-512, AVX2 and baseline x86-64 with the best picked at load time.
        .target(name: "CPUKernels", path: "Sources/CPUKernels"),

        // Kernels/*.cl compiled into the binary: the plugin turns every .cl file of the
        // Kernels target into a Swift string, so `aekit` needs no files beside it.
        .executableTarget(name: "EmbedKernelsTool", path: "Plugins/EmbedKernelsTool"),
        .plugin(name: "EmbedKernels", capability: .buildTool(),
                dependencies: ["EmbedKernelsTool"], path: "Plugins/EmbedKernels"),
        .target(name: "Kernels", path: "Kernels", plugins: ["EmbedKernels"]),

        .target(name: "Compute", dependencies: ["COpenCL", "COpenBLAS", "CAffinity", "CCrypto", "CPUKernels", "Kernels",
                                                .product(name: "SystemPackage", package: "swift-system")]),
        .target(name: "AEKit", dependencies: ["Compute", "CZlib", "SVGRaster", "CImageCodecs", "CPixman", "CArchive"]),
        .executableTarget(name: "aekit", dependencies: [
            "AEKit", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // The file readers as fuzz targets, a seeded mutation fuzzer, and `aekit-fuzz` to run
        // it (or, built by scripts/fuzz, libFuzzer); the fixture files (PNG, JPEG, .npy, .npz)
        // its seeds and the tests are made of.
        .target(name: "Fuzzing", dependencies: ["AEKit", "CImageCodecs", "CArchive"]),
        .executableTarget(name: "aekit-fuzz", dependencies: ["Fuzzing"]),

        .testTarget(name: "ComputeTests", dependencies: ["Compute"]),
        .testTarget(name: "AEKitTests", dependencies: ["AEKit", "Fuzzing"]),
    ]
)
