#!/usr/bin/env python3
"""The GD step of ExpReg in NumPy (and JAX when importable), for side-by-side timing with `expreg bench`.

Same problem as `expreg bench` (Sources/ExpRegPipeline/Benchmark): X (n x d) uniform on the unit
sphere, y ~ N(0, 1), a_r = +-1, W (m x d) ~ N(0, 1), float64, F(W, x) = (1/sqrt m) sum_r a_r exp(<w_r, x>).
One step (forward, gradient, update):
    Z = X W^T; E = exp(Z); u = E (a/sqrt m); r = u - y; L = r.r / 2
    grad = (E * a/sqrt m)^T (r * X); W -= eta * grad
GFLOP counts 4*n*d*m per step (the two GEMMs). Gram: H = (X X^T) * (E E^T) / m, then eigvalsh(H):
one untimed warm-up, then --gram-repeats timed builds each followed by its eigvalsh (medians
reported), as `expreg bench` does.

Prints one JSON object per backend with --json (keys as expreg's: step_ms_median, step_ms_min,
gflops, gram_build_ms, eigen_ms, threads, plus backend, blas). Installs nothing: a missing numpy or
jax is reported ("available": false) and skipped.

Usage: numpy_step.py [--n N] [--d D] [--width M] [--steps K] [--backend numpy|jax]
                     [--activation exp|relu] [--gram-repeats R] [--no-gram] [--json]
"""
import argparse
import json
import os
import statistics
import sys
import time


def blas_info():
    """(kernel description, threads) of NumPy's BLAS, via threadpoolctl when installed."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return ("unknown (threadpoolctl not installed; BENCH_INSTALL=1 bench/compare.sh installs it in bench/.venv)", None)
    for pool in threadpool_info():
        if pool.get("user_api") == "blas":
            desc = "%s %s, kernel %s" % (pool.get("internal_api"), pool.get("version"), pool.get("architecture"))
            return (desc, pool.get("num_threads"))
    return ("no BLAS pool found by threadpoolctl", None)


def make_problem(np, n, d, m, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    y = rng.standard_normal(n)
    a = rng.choice([-1.0, 1.0], size=m)
    w = rng.standard_normal((m, d))
    return x, y, a, w


def run_numpy(args):
    try:
        import numpy as np
    except ImportError:
        return {"backend": "numpy", "available": False, "reason": "numpy is not installed (pip install numpy)"}
    n, d, m = args.n, args.d, args.width
    x, y, a, w = make_problem(np, n, d, m)
    a_scaled = a / np.sqrt(m)
    eta = 1e-6
    z = np.empty((n, m))
    xr = np.empty((n, d))

    def step(w):
        np.matmul(x, w.T, out=z)
        if args.activation == "exp":
            np.exp(z, out=z)
            u = z @ a_scaled
            np.multiply(z, a_scaled, out=z)
        else:
            np.maximum(z, 0, out=z)
            u = z @ a_scaled
            np.greater(z, 0, out=z)  # bool -> float 0/1 in place
            np.multiply(z, a_scaled, out=z)
        r = u - y
        loss = 0.5 * float(r @ r)
        np.multiply(r[:, None], x, out=xr)
        w -= eta * (z.T @ xr)
        return loss

    for _ in range(args.warmup):
        step(w)
    times = []
    losses = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        losses.append(step(w))
        times.append((time.perf_counter() - t0) * 1e3)
    out = summarize("numpy", args, times)
    out["loss_first"], out["loss_last"] = losses[0], losses[-1]
    if args.gram:
        w0 = make_problem(np, n, d, m)[3]

        def gram():
            dmat = np.exp(x @ w0.T) if args.activation == "exp" else (x @ w0.T > 0).astype(np.float64)
            return (x @ x.T) * (dmat @ dmat.T) / m

        out["gram_build_ms"], out["eigen_ms"] = time_gram(gram, np.linalg.eigvalsh, args.gram_repeats)
    desc, threads = blas_info()
    out["blas"], out["threads"] = desc, threads
    out["numpy_version"] = np.__version__
    out["env_openblas_coretype"] = os.environ.get("OPENBLAS_CORETYPE")
    return out


def run_jax(args):
    try:
        import jax
    except ImportError:
        return {"backend": "jax", "available": False,
                "reason": "jax is not installed (BENCH_INSTALL=1 bench/compare.sh installs it into bench/.venv)"}
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import numpy as np
    n, d, m = args.n, args.d, args.width
    x, y, a, w = (jnp.asarray(v) for v in make_problem(np, n, d, m))
    a_scaled = a / jnp.sqrt(float(m))
    eta = 1e-6

    def step(w):
        z = x @ w.T
        e = jnp.exp(z) if args.activation == "exp" else jnp.maximum(z, 0)
        u = e @ a_scaled
        r = u - y
        dmat = e if args.activation == "exp" else (z > 0).astype(jnp.float64)
        grad = (dmat * a_scaled).T @ (r[:, None] * x)
        return w - eta * grad, 0.5 * (r @ r)

    step = jax.jit(step, donate_argnums=0)
    for _ in range(max(1, args.warmup)):  # the first call compiles
        w, loss = step(w)
        loss.block_until_ready()
    times = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        w, loss = step(w)
        loss.block_until_ready()
        w.block_until_ready()
        times.append((time.perf_counter() - t0) * 1e3)
    out = summarize("jax", args, times)
    out["jax_version"] = jax.__version__
    out["threads"] = os.cpu_count()
    if args.gram:
        w0 = jnp.asarray(make_problem(np, n, d, m)[3])

        @jax.jit
        def gram(w0):
            z = x @ w0.T
            dmat = jnp.exp(z) if args.activation == "exp" else (z > 0).astype(jnp.float64)
            return (x @ x.T) * (dmat @ dmat.T) / m

        out["gram_build_ms"], out["eigen_ms"] = time_gram(lambda: gram(w0).block_until_ready(),
                                                          lambda h: jnp.linalg.eigvalsh(h).block_until_ready(),
                                                          args.gram_repeats)
    return out


def time_gram(build, eigenvalues, repeats):
    """Median ms of `repeats` timed build() calls and of eigenvalues(H) after each, after one
    untimed warm-up of both (JAX compiles there), as `expreg bench` does."""
    eigenvalues(build())
    builds, eigens = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        h = build()
        t1 = time.perf_counter()
        eigenvalues(h)
        t2 = time.perf_counter()
        builds.append((t1 - t0) * 1e3)
        eigens.append((t2 - t1) * 1e3)
    return statistics.median(builds), statistics.median(eigens)


def summarize(backend, args, times):
    med = statistics.median(times)
    return {"backend": backend, "available": True, "n": args.n, "d": args.d, "width": args.width,
            "activation": args.activation, "steps": args.steps, "step_ms_median": med,
            "step_ms_min": min(times), "gflops": 4 * args.n * args.d * args.width / (med * 1e-3) / 1e9,
            "gram_build_ms": None, "eigen_ms": None}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=1024)
    p.add_argument("--d", type=int, default=64)
    p.add_argument("--width", type=int, default=16384)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--activation", choices=["exp", "relu"], default="exp")
    p.add_argument("--backend", choices=["numpy", "jax"], default="numpy")
    p.add_argument("--gram-repeats", type=int, default=3, help="timed H(W) builds (medians reported)")
    p.add_argument("--no-gram", dest="gram", action="store_false")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    result = run_numpy(args) if args.backend == "numpy" else run_jax(args)
    if args.json:
        print(json.dumps(result))
    elif not result.get("available"):
        print("%s: not available: %s" % (result["backend"], result["reason"]))
    else:
        print("%(backend)s n=%(n)d d=%(d)d m=%(width)d: step median %(step_ms_median).2f ms "
              "(min %(step_ms_min).2f), %(gflops).1f GFLOP/s" % result)
        if result.get("gram_build_ms") is not None:
            print("  H(W) %.1f ms, eigvalsh %.1f ms" % (result["gram_build_ms"], result["eigen_ms"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
