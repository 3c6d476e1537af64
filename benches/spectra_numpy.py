"""NumPy reference for benches/spectra.rs: prints the seconds one case takes.

eig N: numpy.linalg.eigvals of an N x N Gaussian matrix (timed alone, not the draw).
lyapunov N K S: the QR method of exp=lyapunov in NumPy: S Euler steps of r and K tangent
vectors with re-orthonormalisation every 10 steps (numpy.linalg.qr).
"""
import sys
import time

import numpy as np

case = sys.argv[1]
rng = np.random.default_rng(0)
if case == "eig":
    n = int(sys.argv[2])
    a = rng.standard_normal((n, n)) / np.sqrt(n)
    t = time.perf_counter()
    np.linalg.eigvals(a)
    print(time.perf_counter() - t)
elif case == "lyapunov":
    n, k, steps = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    w = 2.0 * rng.standard_normal((n, n)) / np.sqrt(n)
    np.fill_diagonal(w, 0.0)
    alpha = 0.1
    r = 0.5 * rng.standard_normal(n)
    q, _ = np.linalg.qr(rng.standard_normal((n, k)))
    sums = np.zeros(k)
    t = time.perf_counter()
    for s in range(steps):
        x = w @ r
        d = 1.0 - np.tanh(x) ** 2
        r = (1 - alpha) * r + alpha * np.tanh(x)
        q = (1 - alpha) * q + alpha * d[:, None] * (w @ q)
        if (s + 1) % 10 == 0:
            q, rr = np.linalg.qr(q)
            sums += np.log(np.abs(np.diag(rr)))
    print(time.perf_counter() - t)
