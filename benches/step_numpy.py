# NumPy reference for benches/step.rs: the same Euler step; prints neuron-steps per second.
import sys, time, numpy as np
kind, N, K, B = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = np.random.default_rng(0); a = 0.1
r = 0.1 * rng.standard_normal((N, B))
if kind == "dense":
    W = rng.standard_normal((N, N)) / np.sqrt(N)
    step = lambda r: (1 - a) * r + a * np.tanh(W @ r)
else:
    M = rng.standard_normal((N, K)); E = 2 * M / N  # bistable latents, as benches/step.rs
    step = lambda r: (1 - a) * r + a * np.tanh(M @ (E.T @ r))
t = time.perf_counter(); n = 0
while time.perf_counter() - t < 1.5:
    r = step(r); n += 1
print(N * B * n / (time.perf_counter() - t))
