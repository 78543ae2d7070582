#!/usr/bin/env python3
"""Image folders to benchmark `aekit bench data` and `aekit bench train --data` on, made from
Debian's Fashion-MNIST with PIL: the grey images as PNG or JPEG files in train/<class>/ and
test/<class>/, or colour ones (each image tinted by its class, resampled to --side) as PNG.

    .venv-torch/bin/python bench/image_folders.py /tmp/fashion-png --format png
    .venv-torch/bin/python bench/image_folders.py /tmp/colour64 --colour --side 64 --train 60000 --test 10000
"""
import argparse
import gzip
import os

import numpy as np
from PIL import Image

FASHION = "/usr/share/datasets/fashion-mnist"
CLASSES = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot"]
TINTS = np.array([[1, .3, .3], [.3, 1, .3], [.3, .3, 1], [1, 1, .3], [1, .3, 1],
                  [.3, 1, 1], [1, .6, .2], [.6, .2, 1], [.2, .6, 1], [.9, .9, .9]])


def idx(name, offset):
    with gzip.open(os.path.join(FASHION, name + ".gz")) as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--format", choices=["png", "jpeg"], default="png")
    parser.add_argument("--colour", action="store_true")
    parser.add_argument("--side", type=int, default=28)
    parser.add_argument("--train", type=int, default=60000)
    parser.add_argument("--test", type=int, default=10000)
    args = parser.parse_args()
    for split, stem, count in [("train", "train", args.train), ("test", "t10k", args.test)]:
        images = idx(f"{stem}-images-idx3-ubyte", 16).reshape(-1, 28, 28)[:count]
        labels = idx(f"{stem}-labels-idx1-ubyte", 8)[:count]
        for i, (image, label) in enumerate(zip(images, labels)):
            folder = os.path.join(args.out, split, CLASSES[label])
            os.makedirs(folder, exist_ok=True)
            picture = Image.fromarray((image[..., None] * TINTS[label]).astype(np.uint8)) if args.colour else Image.fromarray(image)
            if args.side != 28:
                picture = picture.resize((args.side, args.side), Image.BILINEAR)
            extension = "jpg" if args.format == "jpeg" else "png"
            picture.save(os.path.join(folder, f"{i:05d}.{extension}"), **({"quality": 95} if args.format == "jpeg" else {}))


if __name__ == "__main__":
    main()
