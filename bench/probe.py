#!/usr/bin/env python3
"""The condition probe's line of `make bench`: accumulation speed against the machine's dgemm peak,
and peak RSS against the target, from the real `expreg probe` process.

Usage: probe.py PATH-TO-expreg [--n 1024] [--d 16] [--width 1048576] [--small-width 65536]
                [--peak-gflops G] [--json]

Runs `expreg probe --json --quiet` on a one-probe manifest (sphere data, exp, sigma = 1, random
labels) to --width with --margin 20 (so it never stops early), once more to --small-width, each in
its own process; peak RSS is that process's ru_maxrss (os.wait4; NumPy never runs in this
process, since Linux carries a parent's high-water mark into its children). Accumulation rate =
flops of the accumulation, (n(n+1) + 2nd)·m (ProbeFlops, docs/theory.md), over the probe's
accumulation_seconds (drawing W0 and adding the Gram blocks; the checkpoints' eigen-solves are
timed apart and shown).
Targets (issue 25): accumulation >= 60 % of the dgemm peak at (n = 1024, m = 2^20); peak RSS <= 2·8·n²
bytes + 64 MiB, independent of m (the line shows both widths).

The dgemm peak: --peak-gflops when given (bench/compare.py can pass the one it measured), else
measured before and after the probes and the best kept, each time in its own process:
bench/dgemm_peak.py --json when that file is beside this one, else the same measurement inline
(NumPy's 4096^3 matmul, best of 4 after a warm-up). Installs nothing.
"""
import argparse
import json
import os
import sys
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ACCUMULATION_TARGET = 0.60
MANIFEST = """# written by bench/probe.py
name: bench-probe
defaults:
  seed: 0
  data: {source: sphere, n: %(n)d, d: %(d)d, labels: random, seed: 0}
  model: {activation: exp, width: 1024, init_scale: 1.0}
experiments:
  - name: probe
"""


FALLBACK_PEAK = r"""
import json, time
import numpy as np
size = 4096
rng = np.random.default_rng(0)
a, b = rng.standard_normal((size, size)), rng.standard_normal((size, size))
c = np.empty((size, size))
np.matmul(a, b, out=c)
rates = []
for _ in range(4):
    t0 = time.perf_counter()
    np.matmul(a, b, out=c)
    rates.append(2.0 * size ** 3 / (time.perf_counter() - t0) / 1e9)
print(json.dumps({"available": True, "gflops_best": max(rates)}))
"""


def dgemm_peak_once():
    """One measurement in its own Python process (this one stays small: see probe())."""
    script = os.path.join(HERE, "dgemm_peak.py")
    command = [sys.executable, script, "--json"] if os.path.exists(script) else [sys.executable, "-c", FALLBACK_PEAK]
    env = dict(os.environ)
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # as compare.py runs NumPy
        env.pop(key, None)
    proc = subprocess.run(command, capture_output=True, text=True, env=env)
    try:
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None, "numpy is not usable (%s)" % " ".join(proc.stderr.strip().splitlines()[-1:])
    if not result.get("available"):
        return None, result.get("reason", "unavailable")
    return result["gflops_best"], "bench/dgemm_peak.py" if os.path.exists(script) else "NumPy matmul 4096^3"


def probe(expreg, folder, n, d, width):
    manifest = os.path.join(folder, "probe.yaml")
    with open(manifest, "w") as f:
        f.write(MANIFEST % {"n": n, "d": d})
    out_path = os.path.join(folder, "probe-%d.json" % width)
    with open(out_path, "w") as out, open(os.devnull, "w") as err:
        pid = os.posix_spawn(expreg, [expreg, "probe", manifest, "--json", "--quiet", "--max-width", str(width),
                                      "--margin", "20"], dict(os.environ),
                             file_actions=[(os.POSIX_SPAWN_DUP2, out.fileno(), 1),
                                           (os.POSIX_SPAWN_DUP2, err.fileno(), 2)])
        _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("probe.py: expreg probe exited %d" % os.waitstatus_to_exitcode(status))
    with open(out_path) as f:
        document = json.load(f)
    record = document["probes"][0]
    m = record["width_reached"]
    flops = (n * (n + 1) + 2 * n * d) * m
    return {"width": m, "rss_bytes": usage.ru_maxrss * 1024, "seconds": record["seconds"],
            "accumulation_seconds": record["accumulation_seconds"],
            "checkpoint_seconds": record["checkpoint_seconds"], "checkpoints": len(record["curve"]),
            "accumulation_gflops": flops / record["accumulation_seconds"] / 1e9,
            "kernel_path": document["kernel_path"]}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("expreg")
    p.add_argument("--n", type=int, default=1024)
    p.add_argument("--d", type=int, default=16)
    p.add_argument("--width", type=int, default=1 << 20)
    p.add_argument("--small-width", type=int, default=1 << 16)
    p.add_argument("--peak-gflops", type=float)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    # The dgemm peak before and after the probes, the best kept (as compare.py does), each in its own
    # process: Linux carries a process's RSS high-water mark through fork and exec, so NumPy's
    # matrices must never live in this process, whose children are the measured probes.
    peaks = [] if args.peak_gflops else [dgemm_peak_once()]
    with tempfile.TemporaryDirectory(prefix="expreg-bench-probe-") as folder:
        large = probe(args.expreg, folder, args.n, args.d, args.width)
        small = probe(args.expreg, folder, args.n, args.d, args.small_width)
    if args.peak_gflops:
        peak, source = args.peak_gflops, "given (--peak-gflops)"
    else:
        peaks.append(dgemm_peak_once())
        measured = [p for p in peaks if p[0]]
        peak, source = max(measured) if measured else (None, peaks[-1][1])
        source += ", best of before and after the probes"
    rss_target = 2 * 8 * args.n ** 2 + (64 << 20)
    share = large["accumulation_gflops"] / peak if peak else None
    result = {"n": args.n, "d": args.d, "large": large, "small": small, "dgemm_peak_gflops": peak,
              "dgemm_peak_source": source, "accumulation_share_of_peak": share,
              "rss_target_bytes": rss_target, "load_average": os.getloadavg()}
    if args.json:
        print(json.dumps(result))
        return 0
    mib = lambda b: b / 1048576.0
    print("probe (n=%d, d=%d, exp, %s path): accumulation to m=%d %.1f GFLOP/s (%.1f s; %d checkpoints %.1f s more)"
          % (args.n, args.d, large["kernel_path"], large["width"], large["accumulation_gflops"],
             large["accumulation_seconds"], large["checkpoints"], large["checkpoint_seconds"]))
    if share is None:
        print("  dgemm peak: not measured (%s): no ratio" % source)
    else:
        print("  dgemm peak %.1f GFLOP/s (%s): accumulation at %.0f %% of it -> %s (target >= %.0f %%)"
              % (peak, source, 100 * share, "PASS" if share >= ACCUMULATION_TARGET else "MISS",
                 100 * ACCUMULATION_TARGET))
    worst = max(large["rss_bytes"], small["rss_bytes"])
    print("  peak RSS %.1f MiB at m=%d, %.1f MiB at m=%d -> %s (target <= 2*8*n^2 + 64 MiB = %.1f MiB)"
          % (mib(large["rss_bytes"]), large["width"], mib(small["rss_bytes"]), small["width"],
             "PASS" if worst <= rss_target else "MISS", mib(rss_target)))
    print("  load average %.2f %.2f %.2f (2 cores: above ~2 the numbers are noisy)" % os.getloadavg())
    return 0


if __name__ == "__main__":
    sys.exit(main())
