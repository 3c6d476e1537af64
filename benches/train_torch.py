"""PyTorch (CPU) reference for benches/train.rs: the model, batch, trial length and update of
benches/train_numpy.py, with autograd doing backpropagation through time and torch.optim doing
the update, in float64 like the Rust side (or float32, PyTorch's default, for comparison).

Rate form r_{t+1} = (1 - a) r_t + a tanh(W r_t + B u_t + b), y = R r_{t+1}, with W dense or
M N^T / N; mask-weighted MSE on the flip-flop targets; clip_grad_norm_(10), Adam(lr 0.01) and
ReduceLROnPlateau(factor 0.5, patience 50).

    train_torch.py speed N K EPOCHS [BATCH [float32|float64]]
                                              prints epochs per second (K = 0: dense W)
    train_torch.py check                      the loss before and after 200 epochs at N = 100
"""
import sys
import time

import numpy as np
import torch

from train_numpy import BITS, STEPS, ALPHA, flipflop

DTYPE = torch.float32 if sys.argv[-1] == "float32" else torch.float64
torch.set_default_dtype(DTYPE)


class RNN(torch.nn.Module):
    def __init__(self, n, k, gen):
        super().__init__()
        xavier = lambda *shape: torch.nn.Parameter(torch.nn.init.xavier_uniform_(torch.empty(*shape), generator=gen))
        self.n, self.low = n, k > 0
        self.B, self.R = xavier(n, BITS), xavier(BITS, n)
        self.b, self.r0 = torch.nn.Parameter(torch.zeros(n)), torch.nn.Parameter(torch.zeros(n))
        if self.low:
            self.M = torch.nn.Parameter(torch.randn(n, k, generator=gen))
            self.N = torch.nn.Parameter(torch.randn(n, k, generator=gen))
        else:
            self.W = xavier(n, n)

    def forward(self, u):
        r = self.r0.expand(u.shape[1], self.n)
        drive = u @ self.B.T + self.b
        states = []
        for t in range(u.shape[0]):
            rec = (r @ self.N / self.n) @ self.M.T if self.low else r @ self.W.T
            r = (1 - ALPHA) * r + ALPHA * torch.tanh(rec + drive[t])
            states.append(r)
        return torch.stack(states) @ self.R.T


def setup(n, k):
    torch.manual_seed(0)
    model = RNN(n, k, torch.Generator().manual_seed(0))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=50, threshold=1e-4)
    return model, opt, sched


def epoch(model, opt, sched, u, target, mask):
    opt.zero_grad()
    y = model(u)
    loss = (mask * (y - target) ** 2).sum() / mask.sum().clamp_min(torch.finfo(DTYPE).tiny)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
    opt.step()
    sched.step(loss.item())
    return loss.item()


def batches(rng, count, batch):
    return [tuple(torch.from_numpy(np.ascontiguousarray(a)).to(DTYPE) for a in flipflop(rng, batch)) for _ in range(count)]


def speed(n, k, epochs, batch):
    model, opt, sched = setup(n, k)
    data = batches(np.random.default_rng(0), epochs + 1, batch)
    # One epoch first, untimed, as the Rust side does (thread pools, caches).
    epoch(model, opt, sched, *data[0])
    t = time.perf_counter()
    for b in data[1:]:
        epoch(model, opt, sched, *b)
    print(epochs / (time.perf_counter() - t))


def check():
    for k in (0, 2):
        model, opt, sched = setup(100, k)
        losses = [epoch(model, opt, sched, *b) for b in batches(np.random.default_rng(0), 200, 32)]
        print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, rank {k or 'full'}: loss {np.mean(losses[:10]):.3f} (first 10 epochs) -> {np.mean(losses[-10:]):.3f} (last 10 of 200)")


if __name__ == "__main__":
    if sys.argv[1] == "check":
        check()
    else:
        n, k, epochs = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
        speed(n, k, epochs, int(sys.argv[5]) if len(sys.argv) > 5 else 32)
