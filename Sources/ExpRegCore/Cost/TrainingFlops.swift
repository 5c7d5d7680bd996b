/// Floating-point operations of a run, counted by formula (leading terms; an add and a multiply
/// count as two flops).
///
/// - one GD step: forward Z = X Wᵀ and the update Wᵀ −= η (diag(r) X)ᵀ D, two n×d×m GEMMs:
///   4·n·m·d; plus the element-wise activation and u = D a/√m: 3·n·m.
/// - the closing forward pass (loss at W(T)): 2·n·m·d + 3·n·m.
/// - one H(W) build: D Dᵀ (upper triangle, n(n+1)/2·m multiply-adds) and X Xᵀ: n(n+1)·m + n²·d.
/// - one symmetric eigen-solve of an n × n matrix: (4/3)·n³ for eigenvalues only, 9·n³ with
///   eigenvectors (LAPACK's dsyevd estimates).
public enum TrainingFlops {
    /// Flops of one GD step.
    public static func step(n: Int, d: Int, m: Int) -> Double {
        let (n, d, m) = (Double(n), Double(d), Double(m))
        return 4 * n * m * d + 3 * n * m
    }

    /// Flops of one H(W) build.
    public static func gramBuild(n: Int, d: Int, m: Int) -> Double {
        let (n, d, m) = (Double(n), Double(d), Double(m))
        return n * (n + 1) * m + n * n * d
    }

    /// Flops of one eigen-solve (with or without eigenvectors).
    public static func eigenSolve(n: Int, vectors: Bool) -> Double {
        let n = Double(n)
        return (vectors ? 9 : 4.0 / 3) * n * n * n
    }

    /// Flops of a whole run: `steps` GD steps, the closing forward pass, `gramBuilds` H(W) builds,
    /// `eigenSolves` eigenvalue-only solves and `vectorSolves` solves with eigenvectors (H*).
    public static func run(
        n: Int, d: Int, m: Int, steps: Int, gramBuilds: Int, eigenSolves: Int,
        vectorSolves: Int
    ) -> Double {
        let forward = 2 * Double(n) * Double(m) * Double(d) + 3 * Double(n) * Double(m)
        return Double(steps) * step(n: n, d: d, m: m) + forward
            + Double(gramBuilds) * gramBuild(n: n, d: d, m: m)
            + Double(eigenSolves) * eigenSolve(n: n, vectors: false)
            + Double(vectorSolves) * eigenSolve(n: n, vectors: true)
    }
}
