// ExpReg's own C kernels, each with runtime CPU dispatch (AVX-512F, AVX2 + FMA, portable C):
// - a vectorised exp (expreg_exp_inplace*);
// - the fused forward blocks of exp and relu (expreg_*_forward_block*);
// - the GD step in panels of 24 neurons: packing, forward pass, update (AVX-512F; AVX2 + FMA);
// - the Gram tiles of H(W) over those panels (AVX-512F only).
#ifndef CEXPREGKERNELS_H
#define CEXPREGKERNELS_H

#ifdef __cplusplus
extern "C" {
#endif

/// Which exp implementation `expreg_exp_inplace` uses on this CPU.
typedef enum {
    EXPREG_EXP_KERNEL_PORTABLE = 0, ///< plain C table kernel (any CPU)
    EXPREG_EXP_KERNEL_AVX2_FMA = 1, ///< x86-64 AVX2 + FMA, 4 lanes, 128-entry table (gathers)
    EXPREG_EXP_KERNEL_AVX512 = 2,   ///< x86-64 AVX-512F, 8 lanes, 16-entry table in registers
} expreg_exp_kernel;

/// The kernel chosen for this CPU (decided once, thread-safe): AVX-512F, else AVX2 + FMA, else portable.
expreg_exp_kernel expreg_exp_selected_kernel(void);

/// 1 when this CPU can run `kernel`, else 0 (the portable kernel always runs).
int expreg_exp_kernel_available(expreg_exp_kernel kernel);

/// values[i] = exp(values[i]) for 0 <= i < count, with the given kernel (any value is
/// accepted; an unavailable kernel falls back to the portable one).
/// Within 1 ulp of glibc's exp (measured); |x| >= 708, +-inf and NaN lanes are computed by libm's exp.
void expreg_exp_inplace_with(expreg_exp_kernel kernel, double *values, long count);

/// values[i] = exp(values[i]) with the best kernel for this CPU.
void expreg_exp_inplace(double *values, long count);

/// Fused forward pass of F(W, x) = sum_r a_r exp(z_r) over a block of pre-activations z
/// (rows x cols, row-major, leading dimension ld), one pass over memory. For every element:
///   max_abs = max(max_abs, |z|) (NaN if any z is NaN), e = exp(z) (as expreg_exp_inplace),
///   sums[i] += sum_j a[j] * e[i][j] (lane-wise partial sums), block[i][j] = a[j] * e[i][j].
/// `max_abs` and `sums` are read and updated, so blocks of columns can be accumulated.
void expreg_exp_forward_block(double *block, long rows, long cols, long ld, const double *a,
                              double *sums, double *max_abs);

/// The same with an explicit kernel (for tests and benchmarks; unavailable ones fall back to portable).
void expreg_exp_forward_block_with(expreg_exp_kernel kernel, double *block, long rows, long cols, long ld,
                                   const double *a, double *sums, double *max_abs);

/// The same for relu: sums[i] += sum_j a[j] * max(z, 0); block[i][j] = a[j] if z > 0, else 0;
/// a NaN z makes sums[i] and max_abs NaN and stays in the block.
void expreg_relu_forward_block(double *block, long rows, long cols, long ld, const double *a,
                               double *sums, double *max_abs);

/// Lanes with |x| below this take the exp kernels' table path; all others (large, inf, NaN) call
/// libm's exp. exp(±708) is a normal double and k = round(x N / ln2) stays inside (−1022 N, 1023 N).
#define EXPREG_EXP_FAST_LIMIT 708.0

/// Neurons per panel of the GD-step kernels below.
#define EXPREG_PANEL_WIDTH 24

/// 1 when this CPU runs expreg_forward_panels_avx512 / expreg_update_panels_avx512 (AVX-512F), else 0.
int expreg_step_panels_available(void);

/// A (rows × cols, element (r, c) at src[r·row_stride + c·col_stride]) in tiles of 8 rows:
/// out[(t·cols + c)·8 + ii] = A[8t + ii][c], rows ≥ `rows` are 0; out holds ⌈rows/8⌉·8·cols doubles.
/// X (n × d, row-major) for the forward pass: (x, n, d, d, 1). R (n × d) for the update, as tiles
/// of 8 of its columns: (r, d, n, 1, d), i.e. out[(kt·n + i)·8 + kk] = R[i][8kt + kk].
void expreg_pack_tiles8(const double *src, long rows, long cols, long row_stride, long col_stride, double *out);

/// Forward pass over panels [first_panel, end_panel) of F(W, x) = Σ_j a_j act(⟨w_j, x⟩), with
/// rows = ⌈n/8⌉·8 and panel p = neurons j = 24p + c (0 ≤ c < 24):
///   z_ij = Σ_k X[i][k] Wᵀ[k][j]   (X packed by expreg_pack_tiles8, Wᵀ d × m with row stride ldw);
///   panels[(p·rows + i)·24 + c] = a_j act'(z_ij)   (exp: a_j e^z; relu: a_j 1[z > 0]; 0 for j ≥ m);
///   sums[i] += Σ_{j in these panels} a_j act(z_ij)   for i < n (fixed order: 8 lanes, then a tree);
///   *max_abs = max(*max_abs, max |z_ij|), NaN if any z is NaN (a NaN z also makes its D and sums NaN).
/// relu: 0 = exp, 1 = relu. stream: 1 = non-temporal stores of D (for D larger than the caches).
/// With panels = NULL (and sums not NULL) nothing is stored: sums and max_abs only, the same values
/// (the memory-lean step's first pass).
/// With sums = NULL (a, max_abs and lanes are then not used and may be NULL): panels get act'(z_ij)
/// alone (exp: e^z, relu: 1[z > 0], NaN stays NaN) and columns j >= m hold act'(0).
/// panels, lanes and bp must be 64-byte aligned; lanes holds rows·8 doubles, bp 24·d.
/// Call only when expreg_step_panels_available().
void expreg_forward_panels_avx512(int relu, const double *xp, long n, long d, const double *wt, long ldw, long m,
                                  const double *a, long first_panel, long end_panel, double *panels, int stream,
                                  double *sums, double *max_abs, double *lanes, double *bp);

/// Update over panels [first_panel, end_panel): Wᵀ[k][j] += alpha · Σ_{i<n} R[i][k] D[i][j] for j < m,
/// with R packed by expreg_pack_tiles8 (as columns) and D in the panel layout above (64-byte aligned).
/// Call only when expreg_step_panels_available().
void expreg_update_panels_avx512(const double *rp, long n, long d, const double *panels, double alpha,
                                 double *wt, long ldw, long m, long first_panel, long end_panel);

/// The memory-lean update over panels [first_panel, end_panel): per panel, D = a_j act'(z_ij) as in
/// expreg_forward_panels_avx512 (same arithmetic, into `panel`: rows × 24, 64-byte aligned scratch),
/// then Wᵀ += alpha Rᵀ D as in expreg_update_panels_avx512, before the next panel's Z is formed.
/// R (n × d) packed by expreg_pack_tiles8 as columns (rp), X as rows (xp); bp: 24·d aligned doubles.
/// covered = 1 promises every |z_ij| < 708 and no NaN (the forward pass's max_abs of the same Wᵀ):
/// the exp then skips its range check. Equal, bit for bit, to the forward pass and update kernels.
/// Call only when expreg_step_panels_available().
void expreg_lean_update_panels_avx512(int relu, const double *xp, const double *rp, long n, long d,
                                      const double *a, double alpha, double *wt, long ldw, long m,
                                      long first_panel, long end_panel, int covered, double *panel, double *bp);

/// The forward pass of expreg_forward_panels_avx512 on AVX2 + FMA: the same arguments, panel layout
/// of D (panels[(p·rows + i)·24 + c] = a_j act'(z_ij), 0 for j ≥ m) and panels = NULL (sums and
/// max_abs only, the same values: the memory-lean step's first pass); sums, a, max_abs and lanes
/// must not be NULL (no plain mode). The arithmetic:
///   z_ij = Σ_k X[i][k] Wᵀ[k][j]: one FMA per k, k = 0 … d − 1 in order, from 0 (as the AVX-512 kernel);
///   exp: the 4-lane table exp of EXPREG_EXP_KERNEL_AVX2_FMA (|z| ≥ 708, ±inf, NaN: libm's exp);
///   u, per row i: lane l (0 ≤ l < 4) holds, panel after panel, the term t_v of columns 4v + l
///   (v = 0 … 5; exp: t = a_j e^z, relu: t = a_j max(z, 0)), each panel's six added as
///   ((t0 + t1) + t2) + ((t3 + t4) + t5) before the lane; then sums[i] += (l0 + l1) + (l2 + l3).
///   So u depends on [first_panel, end_panel) (the caller's block grid), never on threads or BLAS.
/// *max_abs = max(*max_abs, max |z_ij|), NaN if any z (or *max_abs) is NaN.
/// panels and bp must be 32-byte aligned; lanes holds rows·4 doubles (32-byte aligned), bp 24·d.
/// Call only when expreg_exp_kernel_available(EXPREG_EXP_KERNEL_AVX2_FMA).
void expreg_forward_panels_avx2(int relu, const double *xp, long n, long d, const double *wt, long ldw, long m,
                                const double *a, long first_panel, long end_panel, double *panels, int stream,
                                double *sums, double *max_abs, double *lanes, double *bp);

/// The update of expreg_update_panels_avx512 on AVX2 + FMA: Wᵀ[k][j] += alpha · Σ_{i<n} R[i][k] D[i][j]
/// for j < m, k < d, with the sum over i = 0 … n − 1 in order (one FMA per term, from 0), then
/// Wᵀ[k][j] ← fma(alpha, sum, Wᵀ[k][j]). R (n × d) packed by expreg_pack_tiles8 as columns, D in the
/// panel layout above (32-byte aligned). Each column of Wᵀ is written by the call that owns its panel.
/// Call only when expreg_exp_kernel_available(EXPREG_EXP_KERNEL_AVX2_FMA).
void expreg_update_panels_avx2(const double *rp, long n, long d, const double *panels, double alpha, double *wt,
                               long ldw, long m, long first_panel, long end_panel);

/// The memory-lean update on AVX2 + FMA, as expreg_lean_update_panels_avx512: per panel, D as
/// expreg_forward_panels_avx2 forms it (into `panel`, rows × 24 scratch), then Wᵀ += alpha Rᵀ D as
/// expreg_update_panels_avx2, before the next panel's Z is formed; equal, bit for bit, to those two.
/// covered = 1 promises every |z_ij| < 708 and no NaN (the exp then skips its range check; same values).
/// panel and bp (24·d doubles) must be 32-byte aligned.
/// Call only when expreg_exp_kernel_available(EXPREG_EXP_KERNEL_AVX2_FMA).
void expreg_lean_update_panels_avx2(int relu, const double *xp, const double *rp, long n, long d, const double *a,
                                    double alpha, double *wt, long ldw, long m, long first_panel, long end_panel,
                                    int covered, double *panel, double *bp);

/// Gram of panel-stored vectors: with P[i][r] = panels[((i / 24)·rows + r)·24 + i % 24] (i < n, r < k;
/// the layout expreg_forward_panels_avx512 writes when its rows are neurons and its columns are points),
/// c[i][j] = (accumulate ? c[i][j] : 0) + Σ_{r<k} P[i][r] P[j][r] for every 8 × 8 tile of c (n × n,
/// row stride ldc) in the row tiles [first_tile, end_tile) (rows 8t … 8t + 7) that holds an entry with
/// j >= i (computed 24, 16 or 8 columns at a time): the upper triangle of those rows is exact, the
/// strict lower triangles of the 8 × 8 diagonal tiles are written too. With
/// accumulate = 0, c is only written (it may be uninitialised memory). Each tile is written by one
/// call only, so threads may share c when they take disjoint row tiles.
/// Call only when expreg_step_panels_available().
void expreg_gram_panels_avx512(const double *panels, long rows, long k, long n, double *c, long ldc,
                               long first_tile, long end_tile, int accumulate);

/// The Gram kernel's layout from the step's: for the neuron panels [first, end) of `src` (the layout
/// of expreg_forward_panels_avx512 with points as rows: D[i][24p + c] at src[(p·src_rows + i)·24 + c])
/// and the point panels [first_point_panel, end_point_panel),
///   dst[(I·rows + (p − first)·24 + c)·24 + ii] = D[24I + ii][24p + c]  (0 for points 24I + ii >= n),
/// rows = (end − first)·24: the input of expreg_gram_panels_avx512 with k = rows neurons.
/// src must hold every point panel's rows (src_rows >= n, rounded up to 8) of those neuron panels.
void expreg_transpose_panels(const double *src, long src_rows, long first, long end, long n, double *dst,
                             long first_point_panel, long end_point_panel);

/// Returns *counter and adds `step` to it, atomically (relaxed order: the threads' join orders
/// their results). Worker threads take work items from a shared counter with it.
long expreg_claim(long *counter, long step);

#ifdef __cplusplus
}
#endif

#endif
