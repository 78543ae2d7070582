"""PyTorch's figure for `aekit reproduce one-class`: the same benchmark, as the authors' code runs
it (lukasruff/Deep-SVDD-PyTorch: MNIST_LeNet_Autoencoder, global contrast normalisation with the
L1 scale, min-max scaling by the normal class, Adam with L2 weight decay and MultiStepLR, the
mean-squared-error loss, the summed squared error as the score), written here for this
comparison. The min-max bounds are computed from the normal class's training images, as AEKit
does, where the authors' code hard-codes the ones they computed.

    .venv-torch/bin/python bench/one_class_pytorch.py --dataset mnist --epochs 30 --seeds 1 \
        --out runs/reproduce-one-class/pytorch.json

It writes the cells in AEKit's results.json form (dataset, normalClass, seed, epochs, auroc,
trainLoss, seconds), so `aekit reproduce one-class` puts them beside its own."""
import argparse, gzip, json, os, time
import numpy as np
import torch
from torch import nn

FOLDERS = {"mnist": os.path.expanduser("~/.local/share/aekit/datasets/mnist"),
           "fashion-mnist": "/usr/share/datasets/fashion-mnist"}


def idx(folder, name):
    with gzip.open(os.path.join(folder, name + ".gz"), "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def contrast_normalized(images):
    x = torch.tensor(images, dtype=torch.float32).view(len(images), 1, 28, 28) / 255
    x = x - x.mean(dim=(1, 2, 3), keepdim=True)
    return x / x.abs().mean(dim=(1, 2, 3), keepdim=True).clamp_min(1e-12)


class Autoencoder(nn.Module):
    """MNIST_LeNet_Autoencoder's layers and forward pass."""

    def __init__(self):
        super().__init__()
        self.pool = nn.MaxPool2d(2, 2)
        self.conv1 = nn.Conv2d(1, 8, 5, bias=False, padding=2)
        self.bn1 = nn.BatchNorm2d(8, eps=1e-04, affine=False)
        self.conv2 = nn.Conv2d(8, 4, 5, bias=False, padding=2)
        self.bn2 = nn.BatchNorm2d(4, eps=1e-04, affine=False)
        self.fc1 = nn.Linear(4 * 7 * 7, 32, bias=False)
        self.deconv1 = nn.ConvTranspose2d(2, 4, 5, bias=False, padding=2)
        self.bn3 = nn.BatchNorm2d(4, eps=1e-04, affine=False)
        self.deconv2 = nn.ConvTranspose2d(4, 8, 5, bias=False, padding=3)
        self.bn4 = nn.BatchNorm2d(8, eps=1e-04, affine=False)
        self.deconv3 = nn.ConvTranspose2d(8, 1, 5, bias=False, padding=2)

    def forward(self, x):
        f = nn.functional
        x = self.pool(f.leaky_relu(self.bn1(self.conv1(x))))
        x = self.pool(f.leaky_relu(self.bn2(self.conv2(x))))
        x = self.fc1(x.flatten(1)).view(-1, 2, 4, 4)
        x = f.interpolate(f.leaky_relu(x), scale_factor=2)
        x = f.interpolate(f.leaky_relu(self.bn3(self.deconv1(x))), scale_factor=2)
        x = f.interpolate(f.leaky_relu(self.bn4(self.deconv2(x))), scale_factor=2)
        return torch.sigmoid(self.deconv3(x))


def auroc(scores, positive):
    """Mann-Whitney U from average ranks (ties a half), as AEKit's ROC computes it."""
    order = np.argsort(scores, kind="stable")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    p, n = positive.sum(), (~positive).sum()
    return (ranks[positive].sum() - p * (p + 1) / 2) / (p * n)


def run(dataset, normal, seed, epochs):
    folder = FOLDERS[dataset]
    train_x, train_y = idx(folder, "train-images-idx3-ubyte"), idx(folder, "train-labels-idx1-ubyte")
    test_x, test_y = idx(folder, "t10k-images-idx3-ubyte"), idx(folder, "t10k-labels-idx1-ubyte")
    train = contrast_normalized(train_x[train_y == normal])
    test = contrast_normalized(test_x)
    low, high = train.min(), train.max()
    train, test = (train - low) / (high - low), (test - low) / (high - low)
    torch.manual_seed(seed)
    model = Autoencoder()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4, weight_decay=0.5e-3)
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[50 if epochs == 150 else max(1, epochs // 3)],
                                                     gamma=0.1)
    start = time.time()
    model.train()
    for epoch in range(epochs):
        order = torch.randperm(len(train))
        total, batches = 0.0, 0
        for b in range(0, len(train), 200):
            x = train[order[b:b + 200]]
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(model(x), x)
            loss.backward()
            optimizer.step()
            total, batches = total + loss.item(), batches + 1
        scheduler.step()
    model.eval()
    with torch.no_grad():
        scores = torch.cat([((model(test[i:i + 1000]) - test[i:i + 1000]) ** 2).sum(dim=(1, 2, 3))
                            for i in range(0, len(test), 1000)]).numpy()
    return {"dataset": dataset, "normalClass": int(normal), "seed": seed, "epochs": epochs,
            "auroc": float(auroc(scores, test_y != normal)), "trainLoss": total / batches, "seconds": time.time() - start}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", default="mnist", choices=sorted(FOLDERS))
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--classes", default="0,1,2,3,4,5,6,7,8,9")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    results = json.load(open(args.out)) if os.path.exists(args.out) else []
    for normal in [int(c) for c in args.classes.split(",")]:
        for seed in range(1, args.seeds + 1):
            if any(r["dataset"] == args.dataset and r["normalClass"] == normal and r["seed"] == seed
                   and r["epochs"] == args.epochs for r in results):
                continue
            r = run(args.dataset, normal, seed, args.epochs)
            results.append(r)
            with open(args.out + ".tmp", "w") as f:
                json.dump(results, f, indent=1)
            os.replace(args.out + ".tmp", args.out)
            print(f"{args.dataset} class {normal} seed {seed}: AUROC {r['auroc']:.4f} "
                  f"(train loss {r['trainLoss']:.5f}, {r['seconds']:.0f} s)", flush=True)
