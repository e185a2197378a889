"""Optional PyTorch CPU eager reference for `vlm-sft-step` (not part of the project's build or tests).

Same shapes as bench/vlm.bench.ts at the `tiny` preset: vision 2 layers x 128 (GELU MLP 512), patch 8 on
two 64x64 images, an MLP projector, LM 4 layers x 128 (4 heads, RoPE, RMSNorm, SwiGLU 352, tied
embeddings), vocabulary 3,200, batch 16, a prefix-LM mask, loss on the answer tokens, AdamW.

    /usr/bin/python3 packages/vlm/bench/torch_reference.py --tokens 176 --answer 16

Prints one JSON line: {"name": "torch-vlm-sft-step", "msPerStep": ...}.
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    # torch 1.13 (Debian's) has no nn.RMSNorm.
    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.weight, self.eps = nn.Parameter(torch.ones(d)), eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class VisionLayer(nn.Module):
    def __init__(self, d, heads, hidden):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(d, eps=1e-6), nn.LayerNorm(d, eps=1e-6)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.fc1, self.fc2 = nn.Linear(d, hidden), nn.Linear(hidden, d)

    def forward(self, x):
        h = self.norm1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x)), approximate="tanh"))


def rotate(x, cos, sin):
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


class DecoderLayer(nn.Module):
    def __init__(self, d, heads, hidden):
        super().__init__()
        self.heads = heads
        self.norm1, self.norm2 = RMSNorm(d, eps=1e-6), RMSNorm(d, eps=1e-6)
        self.q, self.k, self.v, self.o = (nn.Linear(d, d, bias=False) for _ in range(4))
        self.gate, self.up = nn.Linear(d, hidden, bias=False), nn.Linear(d, hidden, bias=False)
        self.down = nn.Linear(hidden, d, bias=False)

    def forward(self, x, cos, sin, mask):
        b, s, d = x.shape
        h = self.norm1(x)
        split = lambda t: t.view(b, s, self.heads, d // self.heads).transpose(1, 2)
        q, k, v = rotate(split(self.q(h)), cos, sin), rotate(split(self.k(h)), cos, sin), split(self.v(h))
        # Written out: torch 1.13 has no F.scaled_dot_product_attention.
        a = torch.softmax(q @ k.transpose(-1, -2) / (q.shape[-1] ** 0.5) + mask, dim=-1) @ v
        x = x + self.o(a.transpose(1, 2).reshape(b, s, d))
        h = self.norm2(x)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))


class Vlm(nn.Module):
    def __init__(self, vocab=3200, d=128, heads=4):
        super().__init__()
        self.patch = nn.Linear(3 * 8 * 8, d)
        self.pos = nn.Parameter(torch.randn(64, d) * 0.02)
        self.camera = nn.Parameter(torch.randn(2, d) * 0.02)
        self.vision = nn.ModuleList(VisionLayer(d, heads, 512) for _ in range(2))
        self.post = nn.LayerNorm(d, eps=1e-6)
        self.proj1, self.proj2 = nn.Linear(d, d), nn.Linear(d, d)
        self.embed = nn.Embedding(vocab, d)
        self.layers = nn.ModuleList(DecoderLayer(d, heads, 352) for _ in range(4))
        self.norm = RMSNorm(d, eps=1e-6)

    def forward(self, ids, pixels, mask, targets_at, targets):
        b = ids.shape[0]
        p = pixels.view(b * 2, 3, 8, 8, 8, 8).permute(0, 2, 4, 1, 3, 5).reshape(b * 2, 64, 192)
        x = self.patch(p) + self.pos
        x = (x.view(b, 2, 64, -1) + self.camera[None, :, None]).view(b * 2, 64, -1)
        for layer in self.vision:
            x = layer(x)
        img = self.proj2(F.gelu(self.proj1(self.post(x)), approximate="tanh")).view(b, 128, -1)
        h = self.embed(ids)
        h = torch.cat([img, h[:, 128:]], dim=1)  # image placeholders first
        s = ids.shape[1]
        pos = torch.arange(s, dtype=torch.float32)
        inv = 10000 ** (-torch.arange(0, 32, 2, dtype=torch.float32) / 32)
        ang = pos[:, None] * inv[None]
        cos, sin = ang.cos()[None, None], ang.sin()[None, None]
        for layer in self.layers:
            h = layer(h, cos, sin, mask)
        rows = h.reshape(b * s, -1)[targets_at]
        logits = self.norm(rows) @ self.embed.weight.T
        return F.cross_entropy(logits, targets)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", type=int, default=176)
    ap.add_argument("--answer", type=int, default=16)
    ap.add_argument("--batch", type=int, default=16)
    args = ap.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(0)
    model = Vlm()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    b, s, a = args.batch, args.tokens, args.answer
    ids = torch.randint(0, 3200, (b, s))
    pixels = torch.rand(b, 2, 3, 64, 64) * 2 - 1
    prefix = s - a
    allowed = torch.ones(s, s, dtype=torch.bool).tril()
    allowed[:, :prefix] = True
    mask = torch.zeros(s, s).masked_fill(~allowed, float("-inf"))
    targets_at = torch.tensor([bi * s + t - 1 for bi in range(b) for t in range(prefix, s)])
    targets = ids[:, prefix:].reshape(-1)
    times = []
    for i in range(6):
        t0 = time.perf_counter()
        opt.zero_grad()
        model(ids, pixels, mask, targets_at, targets).backward()
        opt.step()
        if i > 0:
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    params = sum(p.numel() for p in model.parameters())
    print(json.dumps({"name": "torch-vlm-sft-step", "msPerStep": round(times[len(times) // 2], 1), "batch": b, "tokens": s, "params": params, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
