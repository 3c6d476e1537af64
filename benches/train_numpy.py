"""NumPy reference for benches/train.rs: the same model, batch, trial length and update.

Rate form r_{t+1} = (1 - a) r_t + a tanh(W r_t + B u_t + b), y = R r_{t+1}, with W dense or
M N^T / N; mask-weighted MSE on the flip-flop targets (unscored before a channel's first
pulse); backpropagation through time written by hand, vectorised over the batch (batch x N
matrices); global-norm clipping, Adam (torch.optim.Adam's arithmetic) and reduce-on-plateau,
as src/train does.

    train_numpy.py speed N K EPOCHS [BATCH]   prints epochs per second (K = 0: dense W)
    train_numpy.py check                      finite-difference check of the gradient, and the
                                              loss before and after 200 epochs at N = 100
"""
import sys
import time

import numpy as np

BITS, STEPS, BIN, PULSE = 2, 100, 5, 0.1
TAU, DT = 0.01, 0.002
ALPHA = DT / TAU


def flipflop(rng, batch):
    """Inputs, targets and mask, each (STEPS, batch, BITS): pulses of +-1 held for a bin."""
    bins = -(-STEPS // BIN)
    fire = rng.random((bins, batch, BITS)) < PULSE
    sign = np.where(rng.random((bins, batch, BITS)) < 0.5, 1.0, -1.0)
    pulse = np.where(fire, sign, 0.0)
    state = np.zeros((batch, BITS))
    targets = np.zeros((bins, batch, BITS))
    for i in range(bins):
        state = np.where(pulse[i] != 0.0, pulse[i], state)
        targets[i] = state
    u = np.repeat(pulse, BIN, axis=0)[:STEPS]
    y = np.repeat(targets, BIN, axis=0)[:STEPS]
    return u, y, (y != 0.0).astype(float)


def init(rng, n, k):
    """Xavier-uniform W, B and R; standard normal M and N; zero bias and initial state."""
    xavier = lambda shape, fi, fo: rng.uniform(-1, 1, shape) * np.sqrt(6.0 / (fi + fo))
    p = {"B": xavier((n, BITS), BITS, n), "b": np.zeros(n), "R": xavier((BITS, n), n, BITS), "r0": np.zeros(n)}
    if k == 0:
        p["W"] = xavier((n, n), n, n)
    else:
        p["M"] = rng.standard_normal((n, k))
        p["N"] = rng.standard_normal((n, k))
    return p


def loss_and_gradient(p, u, target, mask):
    n = p["b"].shape[0]
    batch = u.shape[1]
    low = "M" in p
    r = np.empty((STEPS + 1, batch, n))
    d = np.empty((STEPS, batch, n))
    r[0] = p["r0"]
    for t in range(STEPS):
        rec = (r[t] @ p["N"] / n) @ p["M"].T if low else r[t] @ p["W"].T
        x = rec + u[t] @ p["B"].T + p["b"]
        th = np.tanh(x)
        r[t + 1] = (1 - ALPHA) * r[t] + ALPHA * th
        d[t] = 1 - th * th
    y = r[1:] @ p["R"].T
    weight = max(mask.sum(), np.finfo(float).tiny)
    err = y - target
    loss = (mask * err * err).sum() / weight
    gy = 2 * mask * err / weight
    g_obs = gy @ p["R"]
    delta = np.empty_like(d)
    g = np.zeros((batch, n))
    for t in range(STEPS - 1, -1, -1):
        g += g_obs[t]
        delta[t] = ALPHA * d[t] * g
        back = ((delta[t] @ p["M"]) / n) @ p["N"].T if low else delta[t] @ p["W"]
        g = (1 - ALPHA) * g + back
    # The weight gradients summed over steps and trials as single matrix products.
    D = delta.reshape(-1, n)
    H = r[:-1].reshape(-1, n)
    grad = {"B": D.T @ u.reshape(-1, BITS), "b": D.sum(0), "R": gy.reshape(-1, BITS).T @ r[1:].reshape(-1, n), "r0": g.sum(0)}
    if low:
        grad["M"] = D.T @ (H @ p["N"] / n)
        grad["N"] = H.T @ (D @ p["M"]) / n
    else:
        grad["W"] = D.T @ H
    return loss, grad


class Adam:
    """torch.optim.Adam with clip_grad_norm_ before it and ReduceLROnPlateau after."""

    def __init__(self, p, lr=0.01, clip=10.0, patience=50):
        self.lr, self.clip, self.patience = lr, clip, patience
        self.m = {k: np.zeros_like(v) for k, v in p.items()}
        self.v = {k: np.zeros_like(v) for k, v in p.items()}
        self.t, self.best, self.bad = 0, np.inf, 0

    def step(self, p, grad, loss):
        b1, b2, eps = 0.9, 0.999, 1e-8
        norm = np.sqrt(sum((g * g).sum() for g in grad.values()))
        scale = self.clip / (norm + 1e-6) if norm > self.clip else 1.0
        self.t += 1
        bc1, bc2 = 1 - b1**self.t, 1 - b2**self.t
        for k in p:
            g = grad[k] * scale
            self.m[k] = b1 * self.m[k] + (1 - b1) * g
            self.v[k] = b2 * self.v[k] + (1 - b2) * g * g
            p[k] -= (self.lr / bc1) * self.m[k] / (np.sqrt(self.v[k]) / np.sqrt(bc2) + eps)
        if loss < self.best * (1 - 1e-4):
            self.best, self.bad = loss, 0
        else:
            self.bad += 1
            if self.bad > self.patience:
                self.bad, self.lr = 0, self.lr * 0.5


def speed(n, k, epochs, batch):
    rng = np.random.default_rng(0)
    p = init(rng, n, k)
    opt = Adam(p)
    batches = [flipflop(rng, batch) for _ in range(epochs + 1)]
    # One epoch first, untimed, as the Rust side does (thread pools, caches).
    loss, grad = loss_and_gradient(p, *batches[0])
    opt.step(p, grad, loss)
    t = time.perf_counter()
    for b in batches[1:]:
        loss, grad = loss_and_gradient(p, *b)
        opt.step(p, grad, loss)
    print(epochs / (time.perf_counter() - t))


def check():
    # The gradient against central differences at a small size, for both forms of W.
    rng = np.random.default_rng(1)
    for k in (0, 2):
        p = init(rng, 8, k)
        for v in p.values():
            v += 0.4 * rng.standard_normal(v.shape)
        u, target, mask = flipflop(np.random.default_rng(2), 3)
        _, grad = loss_and_gradient(p, u, target, mask)
        worst = 0.0
        for name, v in p.items():
            fd = np.zeros_like(v)
            for i in np.ndindex(v.shape):
                keep = v[i]
                v[i] = keep + 1e-5
                up = loss_and_gradient(p, u, target, mask)[0]
                v[i] = keep - 1e-5
                down = loss_and_gradient(p, u, target, mask)[0]
                v[i] = keep
                fd[i] = (up - down) / 2e-5
            worst = max(worst, np.linalg.norm(grad[name] - fd) / max(np.linalg.norm(fd), 1e-300))
        print(f"rank {k or 'full'}: largest relative gradient error {worst:.1e}")
    # Training lowers the loss.
    for k in (0, 2):
        rng = np.random.default_rng(0)
        p = init(rng, 100, k)
        opt = Adam(p)
        losses = []
        for _ in range(200):
            loss, grad = loss_and_gradient(p, *flipflop(rng, 32))
            opt.step(p, grad, loss)
            losses.append(loss)
        print(f"rank {k or 'full'}: loss {np.mean(losses[:10]):.3f} (first 10 epochs) -> {np.mean(losses[-10:]):.3f} (last 10 of 200)")


if __name__ == "__main__":
    if sys.argv[1] == "check":
        check()
    else:
        n, k, epochs = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
        speed(n, k, epochs, int(sys.argv[5]) if len(sys.argv) > 5 else 32)
