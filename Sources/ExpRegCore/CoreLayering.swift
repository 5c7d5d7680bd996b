// ExpRegCore's layering: what it exports from ExpRegLinAlg, and why.
//
// Core computes with ExpRegLinAlg (BLAS/LAPACK, ExpReg's C kernels) and keeps almost all of it
// internal (`internal import ExpRegLinAlg`): eigen-decompositions, step panels, Gram tiles and the
// BLAS gate never appear in Core's public API.
//
// One LinAlg type does, on purpose: `KernelPath` (avx512, avx2, generic), the family of kernels a
// computation runs on. It is part of Core's contract — a run's numbers are bitwise reproducible
// for a fixed path and agree across paths to rounding only — so callers choose it and pass it in
// (`TrainingOptions.kernels`, `GradientDescent(…path:)`, `GramMatrix.empirical(…path:)`,
// `ProbeOptions.kernels`), and the files that take it say `public import ExpRegLinAlg`. Wrapping it in a Core copy would only
// add a second name for the same choice.
