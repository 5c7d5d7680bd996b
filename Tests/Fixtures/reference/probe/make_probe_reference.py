#!/usr/bin/env python3
"""Independent NumPy reference for `expreg probe` (ConditionProbe): ||H_m(W0) - H*||_2 and
lambda_min(H_m(W0)) at every probe grid width, for a few small cases. The tests read the committed
probe_reference.json; they never run this script.

Nothing here uses ExpReg's code. The random streams are reimplemented from their documentation
(Sources/ExpRegCore/Data/SeededGenerator.swift): SplitMix64 seeding of xoshiro256** 1.0, uniforms
(next >> 11) * 2^-53, Marsaglia's polar normals (u first, the pair's second value cached) with
Python's math.log (ExpReg uses its own IEEE-only log; the two may differ in the last bit, which
moves W0 by ~1 ulp, far below the tests' 1e-10).
- Sphere data (Sources/ExpRegCore/Data/SphereData.swift): generator seeded with the data seed; row by
  row d normals g, x_i = g / ||g|| (squares summed in index order). Labels are not needed.
- Probe W0 (docs/theory.md, "Condition probe"): generator seeded with the run seed; neuron r takes the
  next d normals, w_r = sigma * g. No signs.
- Grid: w_k = c_(k mod 4) * 2^(k div 4), c = (16, 19, 23, 27), up to the case's max width.
- H_m = (X X^T) o (D D^T) / m with D = act'(X W^T) over the first m neurons (exp: e^Z, relu: 1[Z > 0]),
  formed directly for each width (no blocks, no running sum: a different summation order from ExpReg).
- H*: exp <x_i,x_j> exp(sigma^2 ||x_i + x_j||^2 / 2) with ||x_i + x_j||^2 = G_ii + G_jj + 2 G_ij;
  relu <x_i,x_j> (pi - arccos c_ij) / (2 pi), c clipped to [-1, 1], theta_ii = 0.
- ||H_m - H*||_2 = max |eigvalsh(H_m - H*)|; lambda_min(H_m) = eigvalsh(H_m)[0] (LAPACK via NumPy).

Run from this folder: python3 make_probe_reference.py  (writes probe_reference.json, 17 digits)
"""
import json
import math
import os

import numpy as np

M64 = (1 << 64) - 1
HERE = os.path.dirname(os.path.abspath(__file__))

CASES = [
    {"name": "exp-n16-d5", "activation": "exp", "n": 16, "d": 5, "labels": "random", "data_seed": 0,
     "sigma": 1.0, "seed": 3, "max_width": 65536},
    {"name": "relu-n24-d4", "activation": "relu", "n": 24, "d": 4, "labels": "teacher", "data_seed": 7,
     "sigma": 0.5, "seed": 0, "max_width": 16384},
    {"name": "exp-n12-d3", "activation": "exp", "n": 12, "d": 3, "labels": "teacher", "data_seed": 2,
     "sigma": 0.7, "seed": 11, "max_width": 4096},
]


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M64


class Generator:
    def __init__(self, seed):
        state = seed
        words = []
        for _ in range(4):
            state = (state + 0x9E3779B97F4A7C15) & M64
            z = state
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
            words.append(z ^ (z >> 31))
        self.s = words
        self.spare = None

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def uniform(self):
        return (self.next() >> 11) * 2.0 ** -53

    def normal(self):
        if self.spare is not None:
            value, self.spare = self.spare, None
            return value
        while True:
            u = 2 * self.uniform() - 1
            v = 2 * self.uniform() - 1
            s = u * u + v * v
            if s >= 1 or s == 0:
                continue
            f = math.sqrt(-2 * math.log(s) / s)
            self.spare = v * f
            return u * f


def sphere_points(n, d, seed):
    g = Generator(seed)
    rows = []
    while len(rows) < n:
        v = [g.normal() for _ in range(d)]
        total = 0.0
        for value in v:
            total += value * value
        if total == 0:
            continue
        norm = math.sqrt(total)
        rows.append([value / norm for value in v])
    return np.array(rows)


def probe_weights(m, d, sigma, seed):
    g = Generator(seed)
    return np.array([[sigma * g.normal() for _ in range(d)] for _ in range(m)])


def grid(max_width):
    widths = []
    k = 0
    while True:
        w = (16, 19, 23, 27)[k % 4] << (k // 4)
        if w > max_width:
            return widths
        widths.append(w)
        k += 1


def hstar(x, activation, sigma):
    g = x @ x.T
    norms = np.diag(g).copy()
    if activation == "exp":
        return g * np.exp(sigma ** 2 * (norms[:, None] + norms[None, :] + 2 * g) / 2)
    c = np.clip(g / np.sqrt(norms[:, None] * norms[None, :]), -1.0, 1.0)
    theta = np.arccos(c)
    np.fill_diagonal(theta, 0.0)
    return g * (np.pi - theta) / (2 * np.pi)


def case_reference(case):
    x = sphere_points(case["n"], case["d"], case["data_seed"])
    w = probe_weights(case["max_width"], case["d"], case["sigma"], case["seed"])
    z = x @ w.T
    deriv = np.exp(z) if case["activation"] == "exp" else (z > 0).astype(float)
    h_star = hstar(x, case["activation"], case["sigma"])
    star = np.linalg.eigvalsh(h_star)
    gram = x @ x.T
    curve = []
    for m in grid(case["max_width"]):
        dm = deriv[:, :m]
        h = gram * (dm @ dm.T) / m
        distance = float(np.max(np.abs(np.linalg.eigvalsh(h - h_star))))
        curve.append({"width": m, "gram_distance": distance, "lambda_min": float(np.linalg.eigvalsh(h)[0])})
    out = dict(case)
    out.update({"lambda_star": float(star[0]), "lambda_max_star": float(star[-1]), "curve": curve,
                "w0_first_row": [float(v) for v in w[0]], "w0_last_row": [float(v) for v in w[-1]]})
    return out


def main():
    document = {"generator": "make_probe_reference.py (NumPy %s)" % np.__version__,
                "cases": [case_reference(case) for case in CASES]}
    with open(os.path.join(HERE, "probe_reference.json"), "w") as f:
        json.dump(document, f, indent=1, allow_nan=False)
        f.write("\n")


if __name__ == "__main__":
    main()
