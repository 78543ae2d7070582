#!/usr/bin/env python3
"""PyTorch's time for one training epoch of an AEKit recipe's model, as `aekit bench train`
times AEKit's: one warm-up epoch, then one timed epoch, evaluation excluded.

The models are the ones `aekit summary --recipe R` prints (layer for layer, PyTorch's default
initialisation), trained with the recipe's optimiser, loss and batch size on the first
--limit Fashion-MNIST training images. Prints one JSON object on standard output.

    python3 bench/pytorch_reference.py --recipe s4 --limit 20000
    python3 bench/pytorch_reference.py --recipe s4 --device cuda   # on a GPU host
    python3 bench/pytorch_reference.py --recipe s4 --compile       # torch.compile (inductor)

With --compile the model is torch.compile'd (the inductor backend, PyTorch's default): the
warm-up epoch compiles it (every batch size it meets), so the timed epoch runs compiled code.
"""
import argparse
import gzip
import json
import os
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

FASHION = "/usr/share/datasets/fashion-mnist"


def load_images(folder, limit):
    with gzip.open(os.path.join(folder, "train-images-idx3-ubyte.gz"), "rb") as f:
        data = f.read()
    count = int.from_bytes(data[4:8], "big")
    pixels = torch.frombuffer(bytearray(data[16:]), dtype=torch.uint8).view(count, 1, 28, 28)
    return pixels[:limit].float() / 255


def s2(hidden):
    # S2: 784-N-784, ReLU, dropout 0.1, ReLU output; SGD lr 0.5, batch 1000.
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, hidden), nn.ReLU(), nn.Dropout(0.1),
                          nn.Linear(hidden, 784), nn.ReLU(), nn.Unflatten(1, (1, 28, 28)))
    return model, torch.optim.SGD(model.parameters(), lr=0.5), 1000


def s4(hidden):
    # S4: conv 1-16-32 with max-pools, a linear bottleneck, transposed convs; Adam 1e-3, batch 100.
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3), nn.ReLU(), nn.Dropout(0.2), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3), nn.ReLU(), nn.Dropout(0.2), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(800, hidden), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(hidden, 800), nn.ReLU(), nn.Unflatten(1, (32, 5, 5)),
        nn.ConvTranspose2d(32, 16, 3, stride=2, output_padding=1), nn.ReLU(),
        nn.ConvTranspose2d(16, 1, 5, stride=2, output_padding=1), nn.Sigmoid())
    return model, torch.optim.Adam(model.parameters(), lr=1e-3), 100


def s1(hidden):
    # S1: the Keras conv AE (4x4x8 code; "same" pools round up, 28 -> 14 -> 7 -> 4), sigmoid
    # output; SGD lr 1.0, Nesterov momentum 0.5, batch 1000. `hidden` is unused.
    def conv(i, o, padding=1):
        return [nn.Conv2d(i, o, 3, padding=padding), nn.ReLU()]
    pool = lambda: nn.MaxPool2d(2, ceil_mode=True)
    up = lambda: nn.Upsample(scale_factor=2)
    model = nn.Sequential(*conv(1, 16), pool(), *conv(16, 8), pool(), *conv(8, 8), pool(),
                          *conv(8, 8), up(), *conv(8, 8), up(), *conv(8, 16, padding=0), up(),
                          nn.Conv2d(16, 1, 3, padding=1), nn.Sigmoid())
    return model, torch.optim.SGD(model.parameters(), lr=1.0, momentum=0.5, nesterov=True), 1000


def conv_batchnorm(hidden):
    # bench/conv-batchnorm.json, the model file aekit reads, built from the same layer texts
    # (each is a torch.nn constructor call); Adam 1e-3, batch 100 (aekit's default recipe).
    # `hidden` is unused.
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "conv-batchnorm.json")) as f:
        layers = json.load(f)["layers"]
    model = nn.Sequential(*[eval("nn." + text) for text in layers])
    return model, torch.optim.Adam(model.parameters(), lr=1e-3), 100


def vae(hidden):
    # aekit's `vae` recipe (pytorch/examples' VAE) with AEKit's own Reparameterize module
    # (bench/aekit_layers.py); Adam 1e-3, batch 128; the loss is BCE summed per image plus the
    # module's KL term (`vae_loss`). `hidden` is unused.
    from aekit_layers import Reparameterize
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 400), nn.ReLU(), nn.Linear(400, 40), Reparameterize(20),
                          nn.Linear(20, 400), nn.ReLU(), nn.Linear(400, 784), nn.Sigmoid(), nn.Unflatten(1, (1, 28, 28)))
    return model, torch.optim.Adam(model.parameters(), lr=1e-3), 128


def vae_loss(model, y, x):
    return nn.functional.binary_cross_entropy(y, x, reduction="sum") / len(x) + model[4].kl


RECIPES = {"s1": (s1, 0), "s2": (s2, 64), "s4": (s4, 64), "conv-batchnorm": (conv_batchnorm, 0), "vae": (vae, 0)}
# The loss of a recipe whose model is not trained by MSE: (model, output, input) -> loss.
LOSSES = {"vae": vae_loss}


def epoch(model, optimiser, images, batch, loss_fn):
    order = torch.randperm(len(images), device=images.device)
    total = 0.0
    for start in range(0, len(images), batch):
        x = images[order[start:start + batch]]
        optimiser.zero_grad()
        loss = loss_fn(model(x), x)
        loss.backward()
        optimiser.step()
        total += loss.item()
    return total / ((len(images) + batch - 1) // batch)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", choices=sorted(RECIPES), default="s4")
    parser.add_argument("--hidden", type=int, help="the bottleneck width (default: the recipe's)")
    parser.add_argument("--limit", type=int, default=20000, help="training images in the epoch")
    parser.add_argument("--threads", type=int, help="torch.set_num_threads (default: PyTorch's)")
    parser.add_argument("--data", default=FASHION, help="a folder holding train-images-idx3-ubyte.gz")
    parser.add_argument("--compile", action="store_true", help="torch.compile the model (inductor)")
    parser.add_argument("--device", default="cpu", help="cpu, or cuda for the GPU (the images are put on it once, as "
                        "aekit keeps its training set on the device)")
    args = parser.parse_args()
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: this PyTorch sees no CUDA GPU")
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    build, default_hidden = RECIPES[args.recipe]
    model, optimiser, batch = build(args.hidden or default_hidden)
    model.to(device)  # before the optimiser's first step, so its state is made on the device
    trained = torch.compile(model) if args.compile else model
    images = load_images(args.data, args.limit).to(device)
    model.train()
    mse = nn.MSELoss()
    loss_fn = (lambda y, x: LOSSES[args.recipe](model, y, x)) if args.recipe in LOSSES else mse
    epoch(trained, optimiser, images, batch, loss_fn)  # warm-up (and compilation), as aekit bench train
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    loss = epoch(trained, optimiser, images, batch, loss_fn)
    if device.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    print(json.dumps({"recipe": args.recipe, "backend": "pytorch", "device": name, "torch": torch.__version__,
                      "threads": torch.get_num_threads(), "images": len(images), "compiled": args.compile,
                      "batch_size": batch, "seconds_per_epoch": seconds, "train_loss": loss}))


if __name__ == "__main__":
    main()
