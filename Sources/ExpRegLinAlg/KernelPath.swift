import Foundation

/// The family of ExpReg's own kernels a computation runs on. Every number training produces is
/// bitwise reproducible for a fixed path (any thread count); two paths agree to rounding only.
///
/// | path      | GD-step GEMMs and D Dᵀ                  | exp                         | needs            |
/// |-----------|-----------------------------------------|-----------------------------|------------------|
/// | `avx512`  | ExpReg's AVX-512 panel kernels          | AVX-512F, 16-entry table    | AVX-512F + AVX2 + FMA |
/// | `avx2`    | ExpReg's AVX2 + FMA panel kernels; D Dᵀ: OpenBLAS `dsyrk` | AVX2 + FMA, 128-entry table | AVX2 + FMA |
/// | `generic` | OpenBLAS `dgemm`/`dsyrk` per panel      | portable C table kernel     | any CPU          |
///
/// OpenBLAS picks its own inner kernels from the CPU (see ``BLAS/coreName``), so the same path on
/// two CPU families may still differ in the last bits where OpenBLAS runs (the generic path's
/// GEMMs, H(W)'s `dsyrk` and the spectra); that is why a batch records both. The GD step of the
/// avx512 and avx2 paths runs on ExpReg's own kernels only.
/// The path is chosen once by the executable (``resolve(_:)``) and passed down explicitly.
public enum KernelPath: String, Sendable, CaseIterable, Codable {
    /// ExpReg's AVX-512 kernels (x86-64 with AVX-512F).
    case avx512
    /// ExpReg's AVX2 + FMA GD-step kernels and exp kernel (x86-64 with AVX2 and FMA).
    case avx2
    /// OpenBLAS GEMMs with the portable exp kernel: runs on every CPU.
    case generic

    /// Whether this CPU can run the path.
    public var isAvailable: Bool { expKernel.isAvailable }

    /// The fastest path this CPU runs: avx512, else avx2, else generic.
    public static var best: KernelPath {
        [KernelPath.avx512, .avx2].first(where: \.isAvailable) ?? .generic
    }

    /// The exp kernel of the path.
    public var expKernel: ExpKernel {
        switch self {
        case .avx512: return .avx512
        case .avx2: return .avx2FMA
        case .generic: return .portable
        }
    }

    /// The path for a setting of `EXPREG_KERNELS`: `auto` (or nil / empty) = ``best``, else a
    /// path by name, which must be available on this CPU.
    /// - Throws: ``KernelPathError`` for an unknown name or a path this CPU lacks.
    public static func resolve(_ setting: String?) throws(KernelPathError) -> KernelPath {
        let value = (setting ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        if value.isEmpty || value == "auto" { return best }
        guard let path = KernelPath(rawValue: value) else { throw .unknown(setting ?? "") }
        guard path.isAvailable else { throw .unavailable(path) }
        return path
    }
}

/// Why an `EXPREG_KERNELS` setting cannot be used.
public enum KernelPathError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknown(String)
    case unavailable(KernelPath)

    public var description: String {
        switch self {
        case .unknown(let value):
            return "EXPREG_KERNELS=\(value) is not a kernel path; use auto, avx512, avx2 or generic"
        case .unavailable(let path):
            let needs = path == .avx512 ? "AVX-512F, AVX2 and FMA" : "AVX2 and FMA"
            return "EXPREG_KERNELS=\(path.rawValue) needs \(needs), which this CPU lacks; "
                + "use auto or generic (this CPU runs \(KernelPath.best.rawValue))"
        }
    }
}
