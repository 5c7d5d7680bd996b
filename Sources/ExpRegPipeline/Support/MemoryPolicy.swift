#if canImport(Glibc)
    import Glibc
#endif

/// How the process asks the C allocator for memory.
public enum MemoryPolicy {
    /// Serves every allocation of 1 MiB or more from its own `mmap`, so it goes back to the system
    /// when freed.
    ///
    /// glibc otherwise raises its mmap threshold after the first large free (up to 32 MiB) and
    /// then keeps n × n matrices of the spectra (8 MiB at n = 1024) in the heap after use, where
    /// they stay resident next to the n × m activations for the rest of the run. Call once at
    /// start-up, before any large allocation. No effect off glibc.
    public static func returnLargeBuffersToTheSystem() {
        #if canImport(Glibc)
            // mallopt is glibc's (<malloc.h>), which the Glibc module does not export: look it up.
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
            let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD
            _ = unsafeBitCast(symbol, to: Mallopt.self)(mmapThreshold, 1 << 20)
        #endif
    }
}
