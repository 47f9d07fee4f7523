// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Vitrine",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vitrine", targets: ["vitrine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.20.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.65.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.21.0"),
    ],
    targets: [
        // Native libraries (Debian packages) and their shims.
        .systemLibrary(name: "CVips", pkgConfig: "vips", providers: [.apt(["libvips-dev"])]),
        .target(name: "CVipsShim", dependencies: ["CVips"]),
        .target(name: "CVipsResample", dependencies: ["CVips", "CVipsShim"]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CLinear", providers: [.apt(["liblinear-dev"])]),
        .target(
            name: "CFaiss",
            cxxSettings: [.unsafeFlags(["-fopenmp"])],
            linkerSettings: [
                .linkedLibrary("faiss"), .linkedLibrary("gomp"),
                .linkedLibrary("blas"), .linkedLibrary("lapack"),
            ]
        ),
        .target(
            name: "COpenCVDNN",
            cxxSettings: [.unsafeFlags(["-I/usr/include/opencv4"])],
            linkerSettings: [
                .linkedLibrary("opencv_dnn"), .linkedLibrary("opencv_imgproc"), .linkedLibrary("opencv_core"),
            ]
        ),
        // OpenCV contrib `quality` (BRISQUE) and imgproc helpers of the super-resolution evaluation.
        .target(
            name: "COpenCVQuality",
            cxxSettings: [.unsafeFlags(["-I/usr/include/opencv4"])],
            linkerSettings: [
                .linkedLibrary("opencv_quality"), .linkedLibrary("opencv_dnn_superres"), .linkedLibrary("opencv_dnn"),
                .linkedLibrary("opencv_ml"), .linkedLibrary("opencv_imgproc"),
                .linkedLibrary("opencv_core"),
            ]
        ),

        // Swift layers.
        .target(name: "VitrineCore"),
        .target(name: "Imaging", dependencies: ["VitrineCore", "CVipsShim", "CVipsResample", "COpenBLAS"]),
        .target(name: "VectorIndex", dependencies: ["VitrineCore", "CFaiss", "COpenBLAS"]),
        .target(name: "Inference", dependencies: [
            "VitrineCore", "Imaging", "COpenCVDNN", "COpenCVQuality", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "Catalog", dependencies: [
            "VitrineCore",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
        .target(name: "Reports", dependencies: ["VitrineCore", "Imaging"]),
        .target(name: "Datasets", dependencies: ["VitrineCore"]),
        .target(name: "Learning", dependencies: ["VitrineCore", "CLinear", "COpenBLAS"]),
        .target(name: "Harvest", dependencies: [
            "VitrineCore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .target(name: "Curation", dependencies: [
            "VitrineCore", "Imaging", "VectorIndex", "Catalog", "Reports", "Harvest", "Inference", "Datasets", "Learning",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // `vitrine serve`: REST API, web interface, IIIF Image API 3 and Presentation 3 manifests.
        .target(name: "Server", dependencies: [
            "VitrineCore", "Imaging", "VectorIndex", "Catalog", "Curation", "Reports", "Inference",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .target(name: "VitrineCommands", dependencies: [
            "Server", "VitrineCore", "Imaging", "VectorIndex", "Catalog", "Curation", "Reports", "Inference", "Datasets", "Harvest", "ReplayServer", "TestPostgres", "Learning",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "vitrine", dependencies: ["VitrineCommands"]),

        // Tests. CImageFixtures writes test images with libjpeg options libvips does not expose
        // (CMYK/YCCK JPEGs with and without the Adobe APP14 marker).
        .target(name: "CImageFixtures", path: "Tests/CImageFixtures", linkerSettings: [.linkedLibrary("jpeg")]),
        // A real HTTP server on 127.0.0.1 that replays recorded API answers and injects faults
        // (harvest tests, `vitrine bench replay-server`).
        .target(name: "ReplayServer", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ], path: "Tests/ReplayServer"),
        // A throwaway PostgreSQL server on a loopback port (catalog tests on both backends,
        // worker tests, `vitrine bench workers`).
        .target(name: "TestPostgres", path: "Tests/TestPostgres"),
        .testTarget(name: "HarvestTests", dependencies: [
            "Harvest", "Curation", "Catalog", "ReplayServer", "VitrineCore", "TestPostgres", .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "VitrineCoreTests", dependencies: ["VitrineCore"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "CImageFixtures"]),
        .testTarget(name: "VectorIndexTests", dependencies: ["VectorIndex"]),
        .testTarget(name: "InferenceTests", dependencies: ["Inference", "Imaging", "VectorIndex"]),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog", "TestPostgres", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports"], exclude: ["Golden"]),
        .testTarget(name: "CurationTests", dependencies: ["Curation", "Catalog", "Imaging", "VectorIndex", "VitrineCore", "Learning", "Datasets", "TestPostgres", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "LearningTests", dependencies: ["Learning", "VitrineCore"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "VitrineCore"]),
        .testTarget(name: "ServerTests", dependencies: [
            "Server", "Catalog", "Curation", "Imaging", "VitrineCore", "TestPostgres",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "EndToEndTests", dependencies: ["VitrineCore", "Imaging", "Catalog", "TestPostgres", .product(name: "GRDB", package: "GRDB.swift")]),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
