// swift-tools-version: 6.0
// ExpReg: nightly batch checks of over-parameterized exponential regression (arXiv 2303.16504).
import PackageDescription

let package = Package(
    name: "ExpReg",
    // Supported platform: Linux on x86-64 with the Debian/Ubuntu packages the Makefile installs (the
    // code relies on /proc, flock and Slurm). No Apple platform is declared: none is built or tested.
    products: [
        .executable(name: "expreg", targets: ["expreg"])
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
        // Files replaced whole (temporary name + rename): the one owner of atomic writes.
        .target(name: "ExpRegFiles"),
        .target(name: "ExpRegDigest", dependencies: ["CCrypto"]),

        // Our own C kernels with runtime AVX-512F / AVX2+FMA / portable dispatch: vectorised exp, fused
        // forward blocks, the GD step's panel kernels and H(W)'s Gram tiles; wrapped by ExpRegLinAlg only.
        .target(name: "CExpRegKernels", linkerSettings: [.linkedLibrary("m")]),
        // Dense linear algebra over BLAS/LAPACK plus the C kernels (exp, step panels, Gram tiles).
        .target(name: "ExpRegLinAlg", dependencies: ["CBLAS", "CLAPACKE", "CExpRegKernels"]),
        // Pure numeric core: config and result types, data, model, trainer, Gram spectra, diagnostics.
        .target(name: "ExpRegCore", dependencies: ["ExpRegLinAlg"]),
        // YAML manifest -> validated, expanded plan.
        .target(
            name: "ExpRegManifest",
            dependencies: [
                "ExpRegCore", "ExpRegDigest", "Yams",
            ]),
        // SQLite archive (GRDB over the system SQLite).
        .target(
            name: "ExpRegStore",
            dependencies: [
                "ExpRegCore", .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        // Charts drawn with Cairo (PNG + SVG).
        .target(name: "ExpRegPlot", dependencies: ["ExpRegCore", "ExpRegFiles", "CCairo"]),
        // Markdown / HTML / Japanese summary from Mustache templates.
        .target(
            name: "ExpRegReport",
            dependencies: [
                "ExpRegCore", .product(name: "Mustache", package: "swift-mustache"),
            ]),
        // `expreg bench`: times the GD step and H(W) + eigenvalues on synthetic data (LinAlg's kernels).
        .target(name: "ExpRegBenchmark", dependencies: ["ExpRegCore", "ExpRegLinAlg"]),
        // Orchestration: manifest -> plan -> runs -> store -> plots -> report; file I/O lives here.
        // (ExpRegLinAlg only for the kernel path a run uses and OpenBLAS's core type in provenance.)
        .target(
            name: "ExpRegPipeline",
            dependencies: [
                "ExpRegCore", "ExpRegLinAlg", "ExpRegDigest", "ExpRegFiles", "ExpRegManifest", "ExpRegStore",
                "ExpRegPlot", "ExpRegReport",
            ]),
        // Thin command line.
        .executableTarget(
            name: "expreg",
            dependencies: [
                "ExpRegPipeline", "ExpRegBenchmark", "ExpRegCore", "ExpRegManifest",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        .target(name: "ExpRegTestSupport", dependencies: ["ExpRegLinAlg"], path: "Tests/ExpRegTestSupport"),
        .testTarget(
            name: "ExpRegLinAlgTests",
            dependencies: [
                "ExpRegLinAlg", "ExpRegTestSupport", .product(name: "RealModule", package: "swift-numerics"),
            ]),
        .testTarget(
            name: "ExpRegCoreTests",
            dependencies: [
                "ExpRegCore", "ExpRegLinAlg", "ExpRegTestSupport",
                .product(name: "RealModule", package: "swift-numerics"),
            ]),
        .testTarget(name: "ExpRegManifestTests", dependencies: ["ExpRegManifest", "ExpRegCore", "ExpRegTestSupport"]),
        .testTarget(
            name: "ExpRegStoreTests",
            dependencies: [
                "ExpRegStore", "ExpRegCore", "ExpRegTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(name: "ExpRegFilesTests", dependencies: ["ExpRegFiles", "ExpRegTestSupport"]),
        .testTarget(name: "ExpRegPlotTests", dependencies: ["ExpRegPlot", "ExpRegCore", "ExpRegTestSupport"]),
        .testTarget(name: "ExpRegReportTests", dependencies: ["ExpRegReport", "ExpRegCore", "ExpRegTestSupport"]),
        .testTarget(
            name: "ExpRegPipelineTests",
            dependencies: [
                "ExpRegPipeline", "ExpRegBenchmark", "ExpRegStore", "ExpRegCore", "ExpRegLinAlg", "ExpRegPlot",
                "ExpRegTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
