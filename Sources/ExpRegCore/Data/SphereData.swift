/// INTERFACE STUB — implemented by the numeric-core work (issue 2).
public enum SphereData {
    /// n points uniform on S^(d-1) with `labels`, from a portable seeded generator.
    public static func generate(n: Int, d: Int, labels: LabelKind, seed: UInt64) -> Dataset {
        fatalError("SphereData.generate is not implemented yet")
    }
}
