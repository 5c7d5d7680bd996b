// swift-tools-version: 6.0
// ExpReg: nightly batch checks of over-parameterized exponential regression (arXiv 2303.16504).
import PackageDescription

let package = Package(
    name: "ExpReg",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "expreg", targets: ["expreg"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
    ],
    targets: [
        // C edges: one system library each, each imported by exactly one wrapper module.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CLAPACKE", pkgConfig: "lapacke", providers: [.apt(["liblapacke-dev"])]),
        .systemLibrary(name: "CCairo", pkgConfig: "cairo", providers: [.apt(["libcairo2-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),

        // SHA-256 hex digests over the system libcrypto (run keys, manifest/csv/artifact checksums).
        .target(name: "ExpRegDigest", dependencies: ["CCrypto"]),

        // Our own C kernels (vectorised exp with runtime AVX-512/AVX2 dispatch, fused forward blocks, the GD
        // step's and H(W)'s AVX-512 panel kernels), wrapped by ExpRegLinAlg only.
        .target(name: "CExpRegKernels", linkerSettings: [.linkedLibrary("m")]),
        // Dense linear algebra over BLAS/LAPACK plus ExpReg's exp and step kernels (StepPanels).
        .target(name: "ExpRegLinAlg", dependencies: ["CBLAS", "CLAPACKE", "CExpRegKernels"]),
        // Pure numeric core: config and result types, data, model, trainer, Gram spectra, diagnostics.
        .target(name: "ExpRegCore", dependencies: ["ExpRegLinAlg"]),
        // YAML manifest -> validated, expanded plan.
        .target(name: "ExpRegManifest", dependencies: [
            "ExpRegCore", "ExpRegDigest", "Yams",
        ]),
        // SQLite archive (GRDB over the system SQLite).
        .target(name: "ExpRegStore", dependencies: [
            "ExpRegCore", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // Charts drawn with Cairo (PNG + SVG).
        .target(name: "ExpRegPlot", dependencies: ["ExpRegCore", "CCairo"]),
        // Markdown / HTML / Japanese summary from Mustache templates.
        .target(name: "ExpRegReport", dependencies: [
            "ExpRegCore", .product(name: "Mustache", package: "swift-mustache"),
        ]),
        // Orchestration: manifest -> plan -> runs -> store -> plots -> report; file I/O lives here.
        .target(name: "ExpRegPipeline", dependencies: [
            "ExpRegCore", "ExpRegLinAlg", "ExpRegDigest", "ExpRegManifest", "ExpRegStore", "ExpRegPlot",
            "ExpRegReport",
        ]),
        // Thin command line.
        .executableTarget(name: "expreg", dependencies: [
            "ExpRegPipeline", "ExpRegCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .target(name: "ExpRegTestSupport", dependencies: ["ExpRegCore", "ExpRegLinAlg"], path: "Tests/ExpRegTestSupport"),
        .testTarget(name: "ExpRegLinAlgTests", dependencies: [
            "ExpRegLinAlg", "ExpRegTestSupport", .product(name: "RealModule", package: "swift-numerics"),
        ]),
        .testTarget(name: "ExpRegCoreTests", dependencies: [
            "ExpRegCore", "ExpRegTestSupport", .product(name: "RealModule", package: "swift-numerics"),
        ]),
        .testTarget(name: "ExpRegManifestTests", dependencies: ["ExpRegManifest", "ExpRegTestSupport"]),
        .testTarget(name: "ExpRegStoreTests", dependencies: [
            "ExpRegStore", "ExpRegTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "ExpRegPlotTests", dependencies: ["ExpRegPlot", "ExpRegTestSupport"]),
        .testTarget(name: "ExpRegReportTests", dependencies: ["ExpRegReport", "ExpRegTestSupport"]),
        .testTarget(name: "ExpRegPipelineTests", dependencies: [
            "ExpRegPipeline", "ExpRegStore", "ExpRegTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
