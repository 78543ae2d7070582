#!/usr/bin/env python3
"""PyTorch's own figures for AEKit's `vae` recipe: pytorch/examples' VAE (vae/main.py) as it
trains by default, run here so that AEKit's result has PyTorch's beside it, seed for seed.

The model: 784 -> 400 ReLU -> two heads of 20 (mu, log sigma^2) -> z = mu + sigma * eps ->
400 ReLU -> 784 sigmoid. The loss: binary cross-entropy summed over the batch's pixels, plus the
KL divergence summed over the batch. Adam 1e-3, batch 128, 10 epochs, shuffled MNIST. Like
pytorch/examples, the test pass decodes a sampled z even under model.eval() (its reparameterize
does not look at self.training), and reports the summed loss divided by the test images; the
same pass decoding the mean is printed beside it, as AEKit reports both.

    .venv-torch/bin/python bench/pytorch_vae.py --data ../shared/datasets/mnist --seeds 1 2 3

Prints one JSON object per seed.
"""
import argparse
import gzip
import json
import os
import time

import torch
from torch import nn
from torch.nn import functional as F


def load(folder, split):
    def read(name):
        path = os.path.join(folder, name)
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rb") as f:
            return f.read()
    prefix = "train" if split == "train" else "t10k"
    names = [f"{prefix}-images-idx3-ubyte.gz", f"{prefix}-images-idx3-ubyte"]
    data = next(read(n) for n in names if os.path.exists(os.path.join(folder, n)))
    count = int.from_bytes(data[4:8], "big")
    return torch.frombuffer(bytearray(data[16:]), dtype=torch.uint8).view(count, 784).float() / 255


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Linear(784, 400)
        self.mu = nn.Linear(400, 20)
        self.log_var = nn.Linear(400, 20)
        self.decoder_hidden = nn.Linear(20, 400)
        self.decoder_out = nn.Linear(400, 784)

    def forward(self, x, sample=True):
        h = F.relu(self.encoder(x))
        mu, log_var = self.mu(h), self.log_var(h)
        z = mu + torch.exp(0.5 * log_var) * torch.randn_like(mu) if sample else mu
        return torch.sigmoid(self.decoder_out(F.relu(self.decoder_hidden(z)))), mu, log_var


def loss_sum(reconstruction, x, mu, log_var):
    bce = F.binary_cross_entropy(reconstruction, x, reduction="sum")
    kl = -0.5 * torch.sum(1 + log_var - mu.pow(2) - log_var.exp())
    return bce + kl, kl


def run(seed, train, test, epochs):
    torch.manual_seed(seed)
    model = VAE()
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    start = time.perf_counter()
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(train))
        total = 0.0
        for first in range(0, len(train), 128):
            x = train[order[first:first + 128]]
            optimiser.zero_grad()
            reconstruction, mu, log_var = model(x)
            loss, _ = loss_sum(reconstruction, x, mu, log_var)
            loss.backward()
            optimiser.step()
            total += loss.item()
        train_loss = total / len(train)
    seconds = (time.perf_counter() - start) / epochs
    model.eval()
    figures = {}
    with torch.no_grad():
        for name, sample in [("test_loss_sampled", True), ("test_loss_mean", False)]:
            total = kl_total = 0.0
            for first in range(0, len(test), 128):
                x = test[first:first + 128]
                reconstruction, mu, log_var = model(x, sample=sample)
                loss, kl = loss_sum(reconstruction, x, mu, log_var)
                total += loss.item()
                kl_total += kl.item()
            figures[name] = total / len(test)
            figures["test_kl"] = kl_total / len(test)
    return {"seed": seed, "epochs": epochs, "train_loss": train_loss, **figures, "seconds_per_epoch": seconds,
            "torch": torch.__version__, "threads": torch.get_num_threads()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="a folder holding MNIST's four IDX files")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    train, test = load(args.data, "train"), load(args.data, "test")
    for seed in args.seeds:
        print(json.dumps(run(seed, train, test, args.epochs)), flush=True)


if __name__ == "__main__":
    main()
