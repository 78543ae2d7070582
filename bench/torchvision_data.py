#!/usr/bin/env python3
"""torchvision's figures for `aekit bench data`: an image folder read as PyTorch users read
one, torchvision.datasets.ImageFolder (PIL decoding, ToTensor) under a DataLoader with worker
processes, timed to the first batch and over one shuffled epoch (which decodes every file
again: ImageFolder keeps no decoded copy). The folder's train/ subfolder is read where there is
one, as AEKit reads it.

    .venv-torch/bin/python bench/torchvision_data.py FOLDER --batch 100 --workers 2 --channels 3

Prints one JSON object.
"""
import argparse
import json
import os
import time

import torch
from torchvision import datasets, transforms


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--channels", type=int, default=3, choices=[1, 3])
    parser.add_argument("--size", type=int, nargs=2, metavar=("H", "W"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    folder = os.path.join(args.folder, "train") if os.path.isdir(os.path.join(args.folder, "train")) else args.folder
    steps = [transforms.Grayscale(1) if args.channels == 1 else transforms.Lambda(lambda image: image.convert("RGB"))]
    if args.size:
        steps.append(transforms.Resize(tuple(args.size), antialias=True))
    steps.append(transforms.ToTensor())
    start = time.perf_counter()
    # A flat folder has no class subfolders, which ImageFolder requires: its parent is read with
    # the folder as the one class.
    has_classes = any(entry.is_dir() for entry in os.scandir(folder))
    root = folder if has_classes else os.path.dirname(os.path.abspath(folder))
    dataset = datasets.ImageFolder(root, transform=transforms.Compose(steps),
                                   is_valid_file=None if has_classes else
                                   (lambda path: os.path.dirname(os.path.abspath(path)) == os.path.abspath(folder)
                                    and path.lower().endswith((".png", ".jpg", ".jpeg"))))
    loader = torch.utils.data.DataLoader(dataset, batch_size=args.batch, shuffle=True, num_workers=args.workers,
                                         generator=torch.Generator().manual_seed(1))
    first = None
    count = 0
    for images, _ in loader:
        if first is None:
            first = time.perf_counter() - start
            epoch_start = time.perf_counter()
            shape = list(images.shape[1:])
        count += images.shape[0]
    epoch = time.perf_counter() - start
    print(json.dumps({"images": count, "shape": shape, "first_batch_seconds": first, "epoch_seconds": epoch,
                      "workers": args.workers, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
