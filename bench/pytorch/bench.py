#!/usr/bin/env python3
"""PyTorch CPU on the shapes of Ferrite's bench (bench/run.ts drives it through bench/pytorch.ts).

    /usr/bin/python3 bench/pytorch/bench.py '{"part": "gemm", "threads": [1, 2], "quick": false}'

Parts (each timed at every thread count in `threads`, interleaved round by round, medians):
  gemm   matMul 1024^3 (quick: 256^3) in the four layouts NN, NT, TN, TT (a transposed operand is a view
         of a stored (K, M) or (N, K) matrix, as Ferrite and TF.js store it), GFLOP/s
  mlp    the Fashion-MNIST MLP (Flatten 28x28 -> Dense 128 relu -> Dense 10, Adam 1e-3,
         sparse cross-entropy, accuracy computed per batch), batch 32, samples/s
  cnn    the MNIST CNN (Conv 32 -> MaxPool -> Conv 64 -> MaxPool -> Conv 64 -> Dense 64 ->
         Dense 10, Adam, cross-entropy), batch 64, training samples/s
  conv   the MNIST CNN's three conv layers at batch 64: forward, dx and dw, GFLOP/s
  text   the text-generation model's training step (Embedding -> LSTM returning sequences
         -> Dense softmax, Adam, sparse labels): "full" (vocab 10k, embedding 256, LSTM 512,
         batch 64 x 32) and "reduced" (vocab 2k, embedding 64, LSTM 128, batch 16 x 32),
         samples/s

Data are random (the speed does not depend on it). Prints one JSON object on stdout:
{"torch": version, "threads": [...], "results": {figure: {"x1": value, "x2": value}}}.
"""

import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def timed(fn, threads, rounds, warmup=1):
    """Median seconds of fn() at each thread count, rounds interleaved across the counts."""
    for t in threads:
        torch.set_num_threads(t)
        for _ in range(warmup):
            fn()
    times = {t: [] for t in threads}
    for _ in range(rounds):
        for t in threads:
            torch.set_num_threads(t)
            t0 = time.perf_counter()
            fn()
            times[t].append(time.perf_counter() - t0)
    return {t: statistics.median(s) for t, s in times.items()}


def per_thread(threads, seconds, per_run):
    """{"x1": per_run / seconds[1], ...}: a rate for each thread count."""
    return {f"x{t}": per_run / seconds[t] for t in threads}


def bench_gemm(threads, quick):
    n = 256 if quick else 1024  # the size TF.js runs in bench/gemm.ts
    out = {}
    for mode in ("NN", "NT", "TN", "TT"):
        a = torch.rand(n, n) - 0.5
        b = torch.rand(n, n) - 0.5
        a_op = a.t() if mode[0] == "T" else a
        b_op = b.t() if mode[1] == "T" else b
        reps = 10

        def run():
            for _ in range(reps):
                torch.mm(a_op, b_op)

        s = timed(run, threads, 3 if quick else 5)
        out[f"matMul {n}³ {mode}"] = per_thread(threads, s, reps * 2 * n**3 / 1e9)
    return out


def train_rate(model, loss_fn, x, y, batch, batches, threads, rounds):
    """Samples/s of `batches` Adam steps of batch `batch`, with accuracy computed as fit does."""
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def run():
        for i in range(batches):
            xb = x[i * batch : (i + 1) * batch]
            yb = y[i * batch : (i + 1) * batch]
            opt.zero_grad()
            out = model(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            opt.step()
            (out.argmax(1) == yb).float().mean().item()

    s = timed(run, threads, rounds)
    return per_thread(threads, s, batches * batch)


def bench_mlp(threads, quick):
    batches = 50 if quick else 300
    x = torch.rand(batches * 32, 28, 28)
    y = torch.randint(0, 10, (batches * 32,))
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    # Softmax + cross-entropy is F.cross_entropy on the logits (what fit computes, fused).
    rate = train_rate(model, F.cross_entropy, x, y, 32, batches, threads, 3 if quick else 5)
    return {"Fashion-MNIST MLP training, batch 32": rate}


def cnn_model():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(64, 64, 3),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(64 * 3 * 3, 64),
        nn.ReLU(),
        nn.Linear(64, 10),
    )


def bench_cnn(threads, quick):
    batches = 3 if quick else 20
    x = torch.rand(batches * 64, 1, 28, 28)
    y = torch.randint(0, 10, (batches * 64,))
    rate = train_rate(cnn_model(), F.cross_entropy, x, y, 64, batches, threads, 3 if quick else 5)
    out = {"MNIST CNN training, batch 64": rate}
    model = cnn_model().eval()
    xi = torch.rand(1024, 1, 28, 28)

    def infer():
        with torch.no_grad():
            model(xi)

    s = timed(infer, threads, 3 if quick else 5)
    out["MNIST CNN inference, batch 1024"] = per_thread(threads, s, 1024)
    return out


# The MNIST CNN's conv layers at batch 64: (name, input NCHW, filter OIHW), as bench/conv.ts.
CONV_LAYERS = [
    ("28x28x1 → 26x26x32", (64, 1, 28, 28), (32, 1, 3, 3)),
    ("13x13x32 → 11x11x64", (64, 32, 13, 13), (64, 32, 3, 3)),
    ("5x5x64 → 3x3x64", (64, 64, 5, 5), (64, 64, 3, 3)),
]


def bench_conv(threads, quick):
    out = {}
    for name, xs, fs in CONV_LAYERS:
        x = torch.rand(xs) - 0.5
        w = torch.rand(fs) - 0.5
        y = F.conv2d(x, w)
        dy = torch.rand(y.shape) - 0.5
        n, cout, ho, wo = y.shape
        flops = 2 * n * ho * wo * cout * fs[1] * fs[2] * fs[3]

        def backward(mask):
            return lambda: torch.ops.aten.convolution_backward(
                dy, x, w, None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1, mask
            )

        for pass_, fn in (
            ("forward", lambda: F.conv2d(x, w)),
            ("dx", backward([True, False, False])),
            ("dw", backward([False, True, False])),
        ):
            reps = 2 if quick else 10

            def run(fn=fn, reps=reps):
                for _ in range(reps):
                    fn()

            s = timed(run, threads, 3 if quick else 5)
            out[f"conv {name} {pass_}"] = per_thread(threads, s, reps * flops / 1e9)
    return out


class TextModel(nn.Module):
    def __init__(self, vocab, emb, units):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb)
        self.lstm = nn.LSTM(emb, units, batch_first=True)
        self.dense = nn.Linear(units, vocab)

    def forward(self, ids):
        h, _ = self.lstm(self.embedding(ids))
        return self.dense(h)


TEXT_SIZES = {
    "full": dict(vocab=10000, emb=256, units=512, batch=64),
    "reduced": dict(vocab=2000, emb=64, units=128, batch=16),
}


def bench_text(threads, quick):
    out = {}
    for size in ("reduced",) if quick else ("reduced", "full"):
        p = TEXT_SIZES[size]
        model = TextModel(p["vocab"], p["emb"], p["units"])
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        x = torch.randint(0, p["vocab"], (p["batch"], 32))
        y = torch.randint(0, p["vocab"], (p["batch"], 32))

        def step():
            opt.zero_grad()
            logits = model(x)
            F.cross_entropy(logits.reshape(-1, p["vocab"]), y.reshape(-1)).backward()
            opt.step()

        s = timed(step, threads, 2 if quick else 3)
        out[f"text generation training step, {size} size"] = per_thread(threads, s, p["batch"])
    return out


PARTS = {"gemm": bench_gemm, "mlp": bench_mlp, "cnn": bench_cnn, "conv": bench_conv, "text": bench_text}


def main():
    spec = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    part = spec.get("part", "gemm")
    if part not in PARTS:
        raise SystemExit(f"bench/pytorch/bench.py: no part {part!r}; parts: {', '.join(PARTS)}")
    threads = [int(t) for t in spec.get("threads", [1, 2])]
    torch.manual_seed(0)
    results = PARTS[part](threads, bool(spec.get("quick", False)))
    json.dump({"torch": torch.__version__, "threads": threads, "results": results}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
