"""PyTorch (CPU) reference for benches/jedi.rs: the JEDI fit of exp=jedi's default preset
(N = 100 neurons, rank 5, contexts of 16, a 16 -> 64 -> 64 -> 2 N R hypernetwork with tanh
hidden layers, minibatches of 16 of 48 training trials of 200 steps, alpha = dt / tau = 0.05),
with autograd doing backpropagation through time and torch.optim.Adam the update, in float64
like the Rust side (or float32, PyTorch's default, for comparison). The targets are random
rates: only the speed is measured.

Current form x_{t+1} = x_t + alpha (M N^T tanh(x_t) / N - x_t), rates tanh(x), MSE on t >= 1.

    jedi_torch.py speed EPOCHS [float32|float64]     prints epochs per second
"""
import sys
import time

import torch

DTYPE = torch.float32 if sys.argv[-1] == "float32" else torch.float64
torch.set_default_dtype(DTYPE)
N, R, D, H, TRIALS, STEPS, BATCH, ALPHA = 100, 5, 16, 64, 48, 200, 16, 0.05


def main():
    epochs = int(sys.argv[2])
    gen = torch.Generator().manual_seed(1)
    y = torch.tanh(torch.randn(TRIALS, STEPS, N, generator=gen))
    x0 = torch.atanh(y[:, 0].clamp(-0.999, 0.999))
    hyper = torch.nn.Sequential(
        torch.nn.Linear(D, H), torch.nn.Tanh(), torch.nn.Linear(H, H), torch.nn.Tanh(), torch.nn.Linear(H, 2 * N * R)
    )
    contexts = torch.nn.Parameter(torch.zeros(TRIALS, D))
    opt = torch.optim.Adam([*hyper.parameters(), contexts], lr=0.01)

    def epoch():
        order = torch.randperm(TRIALS, generator=gen)
        for start in range(0, TRIALS, BATCH):
            idx = order[start:start + BATCH]
            out = hyper(contexts[idx])
            m, nn = out[:, : N * R].reshape(-1, N, R), out[:, N * R:].reshape(-1, N, R)
            x, loss = x0[idx], 0.0
            for t in range(1, STEPS):
                z = torch.einsum("bnr,bn->br", nn, torch.tanh(x)) / N
                x = x + ALPHA * (torch.einsum("bnr,br->bn", m, z) - x)
                loss = loss + ((torch.tanh(x) - y[idx, t]) ** 2).sum()
            loss = loss / (len(idx) * (STEPS - 1) * N)
            opt.zero_grad()
            loss.backward()
            opt.step()

    epoch()
    t = time.perf_counter()
    for _ in range(epochs):
        epoch()
    print(epochs / (time.perf_counter() - t))


if __name__ == "__main__":
    main()
