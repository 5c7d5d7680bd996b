#!/usr/bin/env python3
"""Independent NumPy reference for ExpReg's held-out errors (documentation: the tests read the
committed numbers, they never run this script).

For each reference case in ../reference/<case> (training data, W(0) = params.csv, W(T) =
params_final.csv, sigma and activation from case.json) this writes <case>/test.csv (held-out
points: rows of a seeded N(0, I) matrix scaled to unit norm, labels y = sin(3 x1) + 0.1 N(0,1);
17 significant digits) and <case>/expected.json with, in float64:

- F(W, x) = (1/sqrt(m)) sum_r a_r act(<w_r, x>) for W(0) and W(T) on the test points;
- H*(x, x') = <x,x'> exp(sigma^2 ||x + x'||^2 / 2) (exp) or <x,x'> (pi - arccos c) / (2 pi),
  c = <x,x'> / (||x|| ||x'||) clipped to [-1, 1], and c = 1 exactly for a point with itself
  (theta_ii = 0, as docs/theory.md and the reference H* do: arccos is ill-conditioned near 1, and
  arccos(1 - 1 ulp) = 2e-8 would move the diagonal by 3e-9) (relu);
- ntk = H*(X_test, X) H*^-1 y and kernel = F(W(0), X_test) + H*(X_test, X) H*^-1 (y - F(W(0), X)),
  solved with numpy.linalg.solve (LU with partial pivoting, not the Cholesky ExpReg uses);
- the test MSEs (1/n_test) sum (u - y)^2 of the network at W(T), the kernel prediction and the NTK.

Run from this folder: python3 make_heldout_reference.py
"""
import json
import os

import numpy as np

CASES = {"tiny-exp": 11, "tiny-relu": 11, "small-exp": 12}
N_TEST = {"tiny-exp": 6, "tiny-relu": 6, "small-exp": 20}
HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.path.join(HERE, "..", "reference")


def read_csv(path):
    return np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)


def act(z, activation):
    return np.exp(z) if activation == "exp" else np.maximum(z, 0.0)


def outputs(x, a, w, activation):
    return act(x @ w.T, activation) @ a / np.sqrt(len(a))


def hstar(xa, xb, activation, sigma, same=False):
    g = xa @ xb.T
    na = np.sum(xa * xa, axis=1)[:, None]
    nb = np.sum(xb * xb, axis=1)[None, :]
    if activation == "exp":
        return g * np.exp(sigma ** 2 * (na + nb + 2 * g) / 2)
    c = np.clip(g / np.sqrt(na * nb), -1.0, 1.0)
    if same:
        np.fill_diagonal(c, 1.0)
    return g * (np.pi - np.arccos(c)) / (2 * np.pi)


def main():
    for case, seed in CASES.items():
        folder = os.path.join(REFERENCE, case)
        settings = json.load(open(os.path.join(folder, "case.json")))
        activation, sigma = settings["activation"], settings["sigma"]
        data = read_csv(os.path.join(folder, "dataset.csv"))
        d = data.shape[1] - 1
        x, y = data[:, :d], data[:, d]
        params = read_csv(os.path.join(folder, "params.csv"))
        a, w0 = params[:, 0], params[:, 1:]
        w_final = read_csv(os.path.join(folder, "params_final.csv"))[:, 1:]

        rng = np.random.RandomState(seed)
        g = rng.standard_normal((N_TEST[case], d))
        x_test = g / np.linalg.norm(g, axis=1, keepdims=True)
        y_test = np.sin(3 * x_test[:, 0]) + 0.1 * rng.standard_normal(N_TEST[case])
        out = os.path.join(HERE, case)
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "test.csv"), "w") as f:
            f.write(",".join([f"x{j + 1}" for j in range(d)] + ["y"]) + "\n")
            for row, label in zip(x_test, y_test):
                f.write(",".join(f"{v:.17g}" for v in list(row) + [label]) + "\n")
        # Re-read what was written so the numbers below are those of the committed file.
        test = read_csv(os.path.join(out, "test.csv"))
        x_test, y_test = test[:, :d], test[:, d]

        h = hstar(x, x, activation, sigma, same=True)
        k = hstar(x_test, x, activation, sigma)
        u0_train = outputs(x, a, w0, activation)
        u0_test = outputs(x_test, a, w0, activation)
        u_final = outputs(x_test, a, w_final, activation)
        ntk = k @ np.linalg.solve(h, y)
        kernel = u0_test + k @ np.linalg.solve(h, y - u0_train)
        mse = lambda u: float(np.mean((u - y_test) ** 2))
        eig = np.linalg.eigvalsh(h)
        expected = {
            "case": case, "activation": activation, "sigma": sigma, "n_test": int(len(y_test)),
            "hstar_condition": float(eig[-1] / eig[0]),
            "ntk_predictions": ntk.tolist(), "kernel_predictions": kernel.tolist(),
            "outputs_init": u0_test.tolist(), "outputs_final": u_final.tolist(),
            "ntk_test_mse": mse(ntk), "kernel_test_mse": mse(kernel), "test_mse": mse(u_final),
        }
        with open(os.path.join(out, "expected.json"), "w") as f:
            json.dump(expected, f, indent=1)
            f.write("\n")
        print(case, expected["ntk_test_mse"], expected["kernel_test_mse"], expected["test_mse"],
              "cond", expected["hstar_condition"])


if __name__ == "__main__":
    main()
