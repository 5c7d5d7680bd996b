/// `count` doubles at a 64-byte boundary (cache line, AVX-512 non-temporal stores), zeroed,
/// freed with the owner.
final class AlignedDoubles {
    let pointer: UnsafeMutablePointer<Double>
    let count: Int

    init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * MemoryLayout<Double>.size, alignment: 64)
        pointer = raw.initializeMemory(as: Double.self, repeating: 0, count: max(1, count))
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }
}
