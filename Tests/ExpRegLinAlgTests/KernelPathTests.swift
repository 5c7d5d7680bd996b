import ExpRegLinAlg
import ExpRegTestSupport
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
