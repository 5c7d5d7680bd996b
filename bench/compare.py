#!/usr/bin/env python3
"""Runs `expreg bench --json` and the NumPy (and JAX) step side by side and prints a table with ratios.

Usage: compare.py PATH-TO-expreg [--steps K] [--sizes N,D,M ...] [--rounds R] [--gram-repeats G]
Each size is measured in one run per backend, back to back (expreg, NumPy, JAX), R rounds (default
3); the table shows the medians over rounds of each backend's median step. Every run also times G
builds of H(W), each followed by its eigenvalues, after an untimed warm-up, and reports medians. NumPy runs with
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from its environment (they slow a current NumPy on
processors where the machine sets them); nothing else is changed. Installs nothing.
The wide size (--wide N,D,M, default 128,16,3162278; --wide none skips it) compares expreg's two
training paths: peak RSS from one process per path (`expreg bench --path materializing` and
`--path lean`, 2 steps, no H(W)), step times from one process holding both steppers and timing
them alternately from the same weights (`expreg bench --compare-paths`, --wide-steps steps each,
so both see the same load); the lean/materialising ratio is the ratio of those medians.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SIZES = ["256,32,4096", "1024,64,16384"]
DEFAULT_WIDE = "128,16,3162278"
LEAN_PEAK_RSS_TARGET_MB = 1536.0


def run_json(cmd, env=None):
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.stderr.write("command failed (%d): %s\n%s\n" % (proc.returncode, " ".join(cmd), proc.stderr))
        return None
    lines = [line for line in proc.stdout.splitlines() if line.strip().startswith("{")]
    return json.loads(lines[-1]) if lines else None


def numpy_env():
    env = dict(os.environ)
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(key, None)
    return env


RUN_MANIFEST = """# written by bench/compare.py: one run at the large standard size, spectra at steps 0, 5 and 10
name: bench-memory
title: benchmark memory run
defaults:
  seed: 0
  data: {source: sphere, n: %(n)d, d: %(d)d, labels: random, seed: 1}
  model: {activation: exp, width: %(m)d, init_scale: 0.5}
  train: {steps: 10, learning_rate: auto, target_loss: 1.0e-12, log_every: 5, spectrum_every: 5}
experiments:
  - name: one
"""

# Runs argv in a child and prints the child's peak RSS in KiB (RUSAGE_CHILDREN of this wrapper
# sees only that child, not the other benchmarks this script started).
PEAK_RSS_WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode\n"
    "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def run_peak_rss(expreg, n, d, m):
    """Peak RSS (MiB) of a whole `expreg run` (one run, 10 steps, three spectra) and its exit code."""
    folder = tempfile.mkdtemp(prefix="expreg-bench-")
    try:
        manifest = os.path.join(folder, "bench-memory.yaml")
        with open(manifest, "w") as f:
            f.write(RUN_MANIFEST % {"n": n, "d": d, "m": m})
        proc = subprocess.run([sys.executable, "-c", PEAK_RSS_WRAPPER, expreg, "run", manifest,
                               "--output", os.path.join(folder, "out")], capture_output=True, text=True)
        code, kib = proc.stdout.split()
        return int(code), int(kib) / 1024
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def fmt(value, spec="%.1f"):
    return "-" if value is None else spec % value


def main():
    p = argparse.ArgumentParser()
    p.add_argument("expreg")
    p.add_argument("--steps", type=int, default=None, help="timed steps per run (default 30 small, 10 large)")
    p.add_argument("--sizes", nargs="*", default=DEFAULT_SIZES)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--gram-repeats", type=int, default=3)
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--wide", default=DEFAULT_WIDE, help="N,D,M of the lean vs materialising step, or none")
    p.add_argument("--wide-steps", type=int, default=24)
    args = p.parse_args()

    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if key in os.environ:
            print("note: %s=%s is set here; removed for the NumPy runs only" % (key, os.environ[key]))
    load = os.getloadavg()[0]
    cores = os.cpu_count() or 1
    if load > 0.5 * cores:
        print("WARNING: load average %.1f on %d cores: other work is running; timings are noisy" % (load, cores))

    script = os.path.join(HERE, "numpy_step.py")
    rows = []
    info = {}
    for size in args.sizes:
        n, d, m = (int(v) for v in size.split(","))
        steps = args.steps or (30 if n * m <= 2_000_000 else 10)
        common = ["--n", str(n), "--d", str(d), "--width", str(m), "--steps", str(steps),
                  "--gram-repeats", str(args.gram_repeats)]
        runs = {"expreg": [], "numpy": [], "jax": []}
        for _ in range(args.rounds):
            r = run_json([args.expreg, "bench", "--json"] + common)
            if r:
                runs["expreg"].append(r)
            r = run_json([args.python, script, "--backend", "numpy", "--json"] + common, env=numpy_env())
            if r:
                runs["numpy"].append(r)
            r = run_json([args.python, script, "--backend", "jax", "--json"] + common)
            if r:
                runs["jax"].append(r)
        merged = {}
        for backend, results in runs.items():
            ok = [r for r in results if r.get("available", True)]
            if not ok:
                if results:
                    info[backend] = results[0].get("reason")
                continue

            def med(key):
                values = [r[key] for r in ok if r.get(key) is not None]
                return statistics.median(values) if values else None

            merged[backend] = {k: med(k) for k in ("step_ms_median", "step_ms_min", "gflops", "gram_build_ms",
                                                  "eigen_ms", "peak_rss_mb", "activation_mb",
                                                  "exp_ns_per_element", "exp_libm_ns_per_element")}
            merged[backend]["threads"] = ok[0].get("threads")
            if backend == "numpy":
                info["numpy BLAS"] = ok[0].get("blas")
            if backend == "expreg":
                info["expreg exp kernel"] = ok[0].get("exp_kernel")
        rows.append(((n, d, m), merged))

    print()
    print("GD step (float64, exp), median ms per step; speed-up = other / expreg")
    header = "%-18s %10s %10s %10s %9s %9s  %s" % ("(n, d, m)", "expreg", "numpy", "jax", "x numpy", "x jax", "targets")
    print(header)
    print("-" * len(header))
    verdicts = []
    for (n, d, m), merged in rows:
        e = merged.get("expreg", {}).get("step_ms_median")
        npy = merged.get("numpy", {}).get("step_ms_median")
        jx = merged.get("jax", {}).get("step_ms_median")
        rn = npy / e if e and npy else None
        rj = jx / e if e and jx else None
        if m >= 16384:
            target = "x numpy >= 2.0, x jax >= 1.5"
            verdicts.append(("step vs numpy at %d,%d,%d" % (n, d, m), rn, 2.0))
            verdicts.append(("step vs jax at %d,%d,%d" % (n, d, m), rj, 1.5))
        else:
            target = "x jax >= 1.0"
            verdicts.append(("step vs jax at %d,%d,%d" % (n, d, m), rj, 1.0))
        print("%-18s %10s %10s %10s %9s %9s  %s" % ("(%d, %d, %d)" % (n, d, m), fmt(e, "%.2f"), fmt(npy, "%.2f"),
                                                   fmt(jx, "%.2f"), fmt(rn, "%.2fx"), fmt(rj, "%.2fx"), target))
    print()
    print("H(W) build + eigenvalues, ms (target at m >= 16384: expreg <= 0.8 x numpy)")
    for (n, d, m), merged in rows:
        parts = []
        totals = {}
        for backend in ("expreg", "numpy", "jax"):
            r = merged.get(backend)
            if r and r.get("gram_build_ms") is not None:
                totals[backend] = r["gram_build_ms"] + r["eigen_ms"]
                parts.append("%s %.1f + %.1f" % (backend, r["gram_build_ms"], r["eigen_ms"]))
        ratio = totals["expreg"] / totals["numpy"] if "expreg" in totals and "numpy" in totals else None
        if m >= 16384:
            verdicts.append(("H(W)+eigen time / numpy at %d,%d,%d" % (n, d, m), ratio, -0.8))
        print("  (%d, %d, %d): %s; expreg/numpy %s" % (n, d, m, "; ".join(parts), fmt(ratio, "%.2f")))
    print()
    print("Memory: peak RSS vs n*m activations + W (target <= 1.5x)")
    for (n, d, m), merged in rows:
        r = merged.get("expreg")
        if r and r.get("peak_rss_mb"):
            ratio = r["peak_rss_mb"] / r["activation_mb"]
            print("  `expreg bench` process at (%d, %d, %d): %.0f MiB / %.0f MiB = %.2fx" % (
                n, d, m, r["peak_rss_mb"], r["activation_mb"], ratio))
    for (n, d, m), merged in rows:
        r = merged.get("expreg")
        if m >= 16384 and r and r.get("activation_mb"):
            code, peak = run_peak_rss(args.expreg, n, d, m)
            ratio = peak / r["activation_mb"] if code in (0, 3) else None
            print("  whole `expreg run` (one run, 10 steps, 3 spectra) at (%d, %d, %d): %.0f MiB / %.0f MiB = %s%s" % (
                n, d, m, peak, r["activation_mb"], fmt(ratio, "%.2fx"),
                "" if code in (0, 3) else " (expreg run exited %d)" % code))
            verdicts.append(("peak RSS of a run / (n*m + W) at %d,%d,%d" % (n, d, m), ratio, -1.5))
    if args.wide != "none":
        n, d, m = (int(v) for v in args.wide.split(","))
        print()
        print("Wide step at (%d, %d, %d): materialising (n x m activations) vs memory-lean (blocks), one process each"
              % (n, d, m))
        size = ["--n", str(n), "--d", str(d), "--width", str(m)]
        wide = {}
        for path in ("materializing", "lean"):
            r = run_json([args.expreg, "bench", "--json", "--no-gram", "--path", path, "--steps", "2"] + size)
            if r:
                wide[path] = r
                print("  %-13s peak RSS %6.0f MiB (own process, 2 steps)" % (path, r["peak_rss_mb"]))
        both = run_json([args.expreg, "bench", "--json", "--compare-paths", "--steps", str(args.wide_steps)] + size)
        if both:
            print("  step, %d alternating steps each in one process: materialising median %.1f ms (min %.1f), "
                  "lean median %.1f ms (min %.1f); lean/materialising %.3f (median of pairs %.3f); "
                  "losses agree to %.1e" % (
                      both["steps"], both["materializing_step_ms_median"], both["materializing_step_ms_min"],
                      both["lean_step_ms_median"], both["lean_step_ms_min"], both["lean_over_materializing"],
                      both["pair_ratio_median"], both["loss_max_relative_difference"]))
        lean = wide.get("lean")
        verdicts.append(("lean peak RSS MiB at %d,%d,%d" % (n, d, m), lean["peak_rss_mb"] if lean else None,
                         -LEAN_PEAK_RSS_TARGET_MB))
        verdicts.append(("lean step / materialising step at %d,%d,%d" % (n, d, m),
                         both["lean_over_materializing"] if both else None, -1.0))
    print()
    for (n, d, m), merged in rows:
        r = merged.get("expreg")
        if r and r.get("exp_ns_per_element"):
            print("exp: %.2f ns/element (%s) vs scalar libm loop %.2f ns/element" % (
                r["exp_ns_per_element"], info.get("expreg exp kernel"), r["exp_libm_ns_per_element"]))
            break
    for key, value in info.items():
        print("%s: %s" % (key, value))
    print()
    for name, value, target in verdicts:
        if value is None:
            print("  n/a   %s (backend missing)" % name)
        elif target > 0:
            print("  %s  %s: %.2fx (target >= %.1fx)" % ("PASS" if value >= target else "MISS", name, value, target))
        else:
            # Ratios against 1.0 get three decimals, so that 1.004 does not print as a failing "1.00".
            print("  %s  %s: %s%s (target <= %.1f%s)" % ("PASS" if value <= -target else "MISS", name,
                                                      ("%.3f" if target == -1.0 else "%.2f") % value,
                                                      "x" if target == -1.5 else "", -target,
                                                      "x" if target == -1.5 else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
