"""P4's first training steps in PyTorch, for a step-by-step comparison with Ferrite.

Builds the P4 model with Keras's initialisation (p4_mlp.py), writes its initial weights,
trains 50 batches of 128 Fashion-MNIST images in order (no shuffle, dropout off so both
sides compute the same thing) with Keras's RMSprop, and writes the per-step losses and the
final first-layer kernel. bench/p4-steps.ts starts Ferrite from the same weights, trains
the same batches and prints how far apart the two are at each step.

    /usr/bin/python3 bench/pytorch/p4_steps.py [DIR]      (DIR: /tmp/ferrite-p4-steps)
"""

import os
import sys

import numpy as np
import torch

from p4_mlp import KerasRMSprop, Mlp, idx

STEPS, BATCH = 50, 128


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/ferrite-p4-steps"
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(7)
    torch.set_num_threads(1)
    n = STEPS * BATCH
    x = torch.from_numpy(idx("train-images-idx3-ubyte")[:n].reshape(n, 784).astype(np.float32) / 255)
    y = torch.from_numpy(idx("train-labels-idx1-ubyte")[:n].astype(np.int64))
    model = Mlp()
    model.dropout.p = 0.0
    # Keras's layout: kernels [in, out].
    kernels = lambda: [model.hidden.weight.T, model.hidden.bias, model.out.weight.T, model.out.bias]
    for name, t in zip(["w1", "b1", "w2", "b2"], kernels()):
        t.detach().contiguous().numpy().astype(np.float32).tofile(f"{out}/init_{name}.bin")
    opt = KerasRMSprop(model.parameters())
    losses = []
    for b in range(STEPS):
        loss = torch.nn.functional.cross_entropy(model(x[b * BATCH : (b + 1) * BATCH]), y[b * BATCH : (b + 1) * BATCH])
        for p in model.parameters():
            p.grad = None
        loss.backward()
        opt.step()
        losses.append(loss.item())
    np.array(losses, dtype=np.float64).tofile(f"{out}/losses.bin")
    kernels()[0].detach().contiguous().numpy().tofile(f"{out}/final_w1.bin")
    print(f"PyTorch: {STEPS} steps, loss {losses[0]:.4f} -> {losses[-1]:.4f}; written to {out}")


if __name__ == "__main__":
    main()
