"""Optional PyTorch CPU eager reference for bench/train-step.bench.ts: the same models, shapes, data and
AdamW, printing the same JSON lines (names prefixed "torch-"). Not part of the tests or the build.

    OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 python3 bench/torch_reference.py [steps]

Needs only torch (Debian: apt-get install python3-torch). Times are medians of per-step wall times (and of
the CPU time, all threads) after 3 warm-up steps, as the TypeScript bench reports them. OMP_WAIT_POLICY=PASSIVE
keeps idle OpenMP threads from busy-waiting, as the TypeScript side runs ONNX Runtime without spinning; on a
shared machine it made PyTorch several times faster.
"""

import json
import math
import resource
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

torch.set_num_threads(2)
B, T, D, H, V = 8, 64, 256, 4, 512


class Block(nn.Module):
    """Pre-norm block: x + attn(ln1(x)), then + fc2(gelu(fc1(ln2(.)))), causal, separate q/k/v."""

    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(D), nn.LayerNorm(D)
        self.q, self.k, self.v, self.out = (nn.Linear(D, D) for _ in range(4))
        self.fc1, self.fc2 = nn.Linear(D, 4 * D), nn.Linear(4 * D, D)
        mask = torch.triu(torch.full((T, T), -1e9), diagonal=1)
        self.register_buffer("mask", mask)

    def forward(self, x):
        b, t, d = x.shape
        hd = d // H
        h = self.ln1(x)
        split = lambda y: y.view(b, t, H, hd).transpose(1, 2)
        q, k, v = split(self.q(h)), split(self.k(h)), split(self.v(h))
        scores = q @ k.transpose(-1, -2) / math.sqrt(hd) + self.mask
        attended = torch.softmax(scores, dim=-1) @ v
        x = x + self.out(attended.transpose(1, 2).reshape(b, t, d))
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(V, D)
        self.pos = nn.Parameter(torch.randn(T, D) * 0.02)
        self.blocks = nn.ModuleList(Block() for _ in range(4))
        self.ln_f = nn.LayerNorm(D)
        self.head = nn.Linear(D, V, bias=False)

    def forward(self, ids):
        h = self.tok(ids) + self.pos
        for block in self.blocks:
            h = block(h)
        return self.head(self.ln_f(h))


def peak_rss_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def time_training(name, model, loss_fn, steps):
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    step_ms, cpu_ms, opt_ms, losses = [], [], [], []
    for i in range(3 + steps):
        cpu = time.process_time()
        start = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = loss_fn()
        loss.backward()
        t = time.perf_counter()
        opt.step()
        end = time.perf_counter()
        if i >= 3:
            step_ms.append((end - start) * 1000)
            cpu_ms.append((time.process_time() - cpu) * 1000)
            opt_ms.append((end - t) * 1000)
            losses.append(loss.item())
    report(name, step_ms, cpu_ms, opt_ms, model, losses)


def median(xs):
    s = sorted(xs)
    return s[len(s) // 2] if len(s) % 2 else (s[len(s) // 2 - 1] + s[len(s) // 2]) / 2


def report(name, step_ms, cpu_ms, opt_ms, model, losses=None):
    line = {
        "name": name,
        "msPerStep": round(median(step_ms), 2),
        "msMean": round(sum(step_ms) / len(step_ms), 2),
        "cpuMsPerStep": round(median(cpu_ms), 2),
        "peakRssMb": peak_rss_mb(),
        "parameters": sum(p.numel() for p in model.parameters()),
    }
    if opt_ms is not None:
        line["msOptimizer"] = round(median(opt_ms), 2)
    if losses:
        line["firstLoss"], line["lastLoss"] = losses[0], losses[-1]
    print(json.dumps(line), flush=True)


def main():
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, {torch.__config__.parallel_info().splitlines()[0]}",
        file=sys.stderr,
    )
    torch.manual_seed(0)

    block = Block()
    x = torch.sin(torch.arange(B * T * D, dtype=torch.float64) * 0.37).float().view(B, T, D)
    time_training("torch-block-train-step", block, lambda: block(x).pow(2).mean(), steps)

    decoder = Decoder()
    tokens = [(i * 7 + (i >> 3)) % V for i in range(B * (T + 1))]
    ids = torch.tensor([tokens[i + i // T] for i in range(B * T)]).view(B, T)
    targets = torch.tensor([tokens[i + i // T + 1] for i in range(B * T)])
    time_training(
        "torch-decoder4-train-step",
        decoder,
        lambda: F.cross_entropy(decoder(ids).view(B * T, V), targets),
        max(steps // 2, 5),
    )

    with torch.inference_mode():
        forward_ms, cpu_ms = [], []
        for i in range(3 + steps):
            cpu = time.process_time()
            start = time.perf_counter()
            decoder(ids)
            if i >= 3:
                forward_ms.append((time.perf_counter() - start) * 1000)
                cpu_ms.append((time.process_time() - cpu) * 1000)
    report("torch-decoder4-forward", forward_ms, cpu_ms, None, decoder)


if __name__ == "__main__":
    main()
