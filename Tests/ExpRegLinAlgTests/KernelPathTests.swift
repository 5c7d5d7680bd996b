import ExpRegLinAlg
import ExpRegTestSupport
import Foundation
import Testing

@Suite("KernelPath (EXPREG_KERNELS)")
struct KernelPathTests {
    @Test("auto, unset and empty mean the fastest path this CPU runs; names are case-insensitive")
    func resolvesNames() throws {
        #expect(try KernelPath.resolve(nil) == .best)
        #expect(try KernelPath.resolve("") == .best)
        #expect(try KernelPath.resolve(" Auto ") == .best)
        #expect(try KernelPath.resolve("GENERIC") == .generic)
        #expect(KernelPath.generic.isAvailable, "the portable path runs everywhere")
        #expect(KernelPath.best.isAvailable)
    }

    @Test("an unknown name and a path the CPU lacks are errors that say what to use")
    func refusesBadSettings() {
        #expect(throws: KernelPathError.unknown("sse9")) { try KernelPath.resolve("sse9") }
        #expect(
            KernelPathError.unknown("sse9").description
                == "EXPREG_KERNELS=sse9 is not a kernel path; use auto, avx512, avx2 or generic")
        for path in KernelPath.allCases where !path.isAvailable {
            #expect(throws: KernelPathError.unavailable(path)) { try KernelPath.resolve(path.rawValue) }
        }
        #expect(KernelPathError.unavailable(.avx512).description.contains("needs AVX-512F, AVX2 and FMA"))
    }

    @Test("the test process's EXPREG_KERNELS setting is usable here")
    func testSettingIsUsable() {
        #expect(TestKernels.settingError == nil, "\(TestKernels.settingError ?? "")")
        #expect(TestKernels.paths.allSatisfy(\.isAvailable) && !TestKernels.paths.isEmpty)
    }
}

/// One test per kernel path, so the summary says which paths the path-parameterised tests
/// (over ``TestKernels/paths``: `StepPanelsTests`, `VectorExpGramTests`, the trainer and reference
/// suites) covered here: a path this CPU lacks, or that `EXPREG_KERNELS` does not select, is
/// reported as skipped with the reason. Each runs its path's exp on a few values against libm.
@Suite("kernel paths this machine runs")
struct KernelPathCoverageTests {
    static func expMatchesLibm(_ path: KernelPath) {
        let inputs: [Double] = [-700, -3.25, -1e-9, 0, 0.5, 1, 10, 700]
        var values = inputs
        values.withUnsafeMutableBufferPointer { VectorMath.expInPlace($0, kernel: path.expKernel) }
        // Every kernel is within 1 ulp of glibc (VectorExpAccuracyTests): at most 2 ulp relative apart.
        for (x, got) in zip(inputs, values) {
            let want = Foundation.exp(x)
            #expect(abs(got - want) <= 2 * want.ulp, "\(path.rawValue): exp(\(x)) = \(got), libm \(want)")
        }
    }

    @Test("avx512 path", .runsOn(.avx512)) func avx512() { Self.expMatchesLibm(.avx512) }
    @Test("avx2 path", .runsOn(.avx2)) func avx2() { Self.expMatchesLibm(.avx2) }
    @Test("generic path", .runsOn(.generic)) func generic() { Self.expMatchesLibm(.generic) }
}
