// TEMPORARY until the core branch is merged.
public enum BLAS { nonisolated(unsafe) public static var threadCount: Int = 1 }
