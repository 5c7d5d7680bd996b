/// A failure reported by LAPACK (the only fallible linear-algebra calls).
public struct LinAlgError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The routine that failed, e.g. `LAPACKE_dsyevd`.
    public var routine: String
    /// LAPACK's `info` code: < 0 means argument `-info` was illegal, > 0 means no convergence.
    public var info: Int
    /// What the caller was doing, e.g. `eigenvalues of a 64 x 64 matrix`.
    public var context: String

    public init(routine: String, info: Int, context: String) {
        self.routine = routine
        self.info = info
        self.context = context
    }

    public var description: String {
        let cause: String
        if info < 0 {
            cause = "argument \(-info) was illegal (a bug in ExpRegLinAlg; please report it)"
        } else if info > 0 {
            cause =
                "the algorithm did not converge (\(info) off-diagonal elements); "
                + "check the matrix for NaN/Inf or extreme scaling"
        } else {
            cause = "the input contains NaN or Inf; the matrix must be finite"
        }
        return "\(routine) failed (info = \(info)) computing \(context): \(cause)"
    }
}
