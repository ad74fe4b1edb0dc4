"""P4 (the MNIST MLP with Dropout) in PyTorch with Keras's recipe, on Fashion-MNIST.

The reference for examples/mnist-mlp.ts --data fashion: the same model, initialisation,
optimizer, batching and data, so that the spread of test accuracy over seeds can be
compared with Ferrite's (bench/p4-seeds.ts prints Ferrite's).

    /usr/bin/python3 bench/pytorch/p4_mlp.py [--seeds 1,2,3,4,5] [--epochs 10]

What is Keras's here rather than PyTorch's default:
- Dense layers: Glorot-uniform kernels, zero biases (PyTorch's Linear uses Kaiming-uniform
  and a uniform bias).
- RMSprop(lr 0.001, rho 0.9, epsilon 1e-7) with epsilon inside the square root, as TF /
  Keras / TF.js: p -= lr g / sqrt(ms + eps) (torch.optim.RMSprop has alpha 0.99 and adds eps
  outside the root).
- Softmax output with categorical crossentropy: computed from the logits (log_softmax),
  as Keras does when the loss follows a softmax layer.
- Dropout 0.2 with inverted scaling (1 / 0.8 at training time), as Keras.
- Batch 128 over a fresh shuffle each epoch, the last batch partial (469 per epoch).
- Pixels / 255, float32.
Data: /usr/share/datasets/fashion-mnist (Debian package dataset-fashion-mnist).
"""

import argparse
import gzip
import time

import numpy as np
import torch

DATA = "/usr/share/datasets/fashion-mnist"


def idx(name):
    """An IDX file (gzipped) as a numpy array."""
    with gzip.open(f"{DATA}/{name}.gz", "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def glorot_uniform_(w):
    fan_out, fan_in = w.shape
    limit = (6.0 / (fan_in + fan_out)) ** 0.5
    with torch.no_grad():
        w.uniform_(-limit, limit)


class Mlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = torch.nn.Linear(784, 512)
        self.out = torch.nn.Linear(512, 10)
        for layer in (self.hidden, self.out):
            glorot_uniform_(layer.weight)
            torch.nn.init.zeros_(layer.bias)
        self.dropout = torch.nn.Dropout(0.2)

    def forward(self, x):
        return self.out(self.dropout(torch.relu(self.hidden(x))))


class KerasRMSprop:
    """Keras's RMSprop: ms = rho ms + (1 - rho) g^2; p -= lr g / sqrt(ms + eps)."""

    def __init__(self, params, lr=0.001, rho=0.9, eps=1e-7):
        self.params = list(params)
        self.ms = [torch.zeros_like(p) for p in self.params]
        self.lr, self.rho, self.eps = lr, rho, eps

    @torch.no_grad()
    def step(self):
        for p, ms in zip(self.params, self.ms):
            ms.mul_(self.rho).addcmul_(p.grad, p.grad, value=1 - self.rho)
            p.addcdiv_(p.grad, (ms + self.eps).sqrt(), value=-self.lr)


def run(seed, epochs, x_train, y_train, x_test, y_test):
    torch.manual_seed(seed)
    model = Mlp()
    opt = KerasRMSprop(model.parameters())
    n = x_train.shape[0]
    for _ in range(epochs):
        model.train()
        for batch in torch.randperm(n).split(128):
            logits = model(x_train[batch])
            # Keras's categorical crossentropy of one-hot labels: the mean over the batch.
            loss = torch.nn.functional.cross_entropy(logits, y_train[batch])
            for p in model.parameters():
                p.grad = None
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        predicted = model(x_test).argmax(1)
    return (predicted == y_test).float().mean().item()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", default="1,2,3,4,5")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    to_x = lambda a: torch.from_numpy(a.reshape(a.shape[0], 784).astype(np.float32) / 255)
    to_y = lambda a: torch.from_numpy(a.astype(np.int64))
    x_train, y_train = to_x(idx("train-images-idx3-ubyte")), to_y(idx("train-labels-idx1-ubyte"))
    x_test, y_test = to_x(idx("t10k-images-idx3-ubyte")), to_y(idx("t10k-labels-idx1-ubyte"))
    accs = []
    for seed in [int(s) for s in args.seeds.split(",")]:
        start = time.time()
        acc = run(seed, args.epochs, x_train, y_train, x_test, y_test)
        accs.append(acc)
        print(f"seed {seed}: test accuracy {acc:.4f} ({time.time() - start:.0f} s)", flush=True)
    a = np.array(accs)
    print(f"PyTorch P4 over {len(a)} seeds: mean {a.mean():.4f}, std {a.std(ddof=1):.4f}, min {a.min():.4f}, max {a.max():.4f}")


if __name__ == "__main__":
    main()
