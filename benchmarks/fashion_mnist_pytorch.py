#!/usr/bin/env python3
"""Fashion-MNIST benchmark, PyTorch eager side of benchmarks/fashion_mnist.cpp --device cuda:N.

The same models (the 784-256-128-10 relu MLP and Keras's simple CNN: Conv 32 3x3 relu, MaxPool 2,
Conv 64 3x3 relu, MaxPool 2, Flatten, Dense 128 relu, Dense 10), Adam 1e-3, sparse categorical
cross-entropy (on logits, PyTorch's idiom; Keras's softmax + crossentropy is the same function),
one shuffled epoch timed after a warm-up of 10 batches, then predicting the test set at the same
batch size. The data are read from the IDX files (gzipped or not) in DIR, default Debian's
/usr/share/datasets/fashion-mnist, and kept on the device, as keras-cpp's fit keeps the model there.
TF32 follows PyTorch's defaults (off for matmul, on for cuDNN convolutions).

Prints: RESULT impl=pytorch device=cuda model=mlp|cnn batch=N train_sps=... infer_sps=... test_acc=...
Usage: fashion_mnist_pytorch.py [mlp|cnn|all] [--device cuda:0] [--batch-size 128] [--data DIR]
"""
import argparse
import gzip
import os
import struct
import time

import torch
from torch import nn


def read_idx(directory, stem):
    """The uint8 payload and dimensions of an IDX file (numpy may be absent where PyTorch is)."""
    for name in (stem, stem + ".gz"):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            opener = gzip.open if name.endswith(".gz") else open
            with opener(path, "rb") as f:
                data = f.read()
            magic, = struct.unpack(">I", data[:4])
            rank = magic & 0xFF
            dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
            return bytearray(data[4 + 4 * rank:]), dims
    raise FileNotFoundError(f"{stem}(.gz) not found in {directory}")


def make_model(name):
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                             nn.Linear(128, 10))
    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, 10))


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def run(name, device, batch, x_train, y_train, x_test, y_test):
    torch.manual_seed(1)
    model = make_model(name).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    n = x_train.shape[0]

    def epoch(limit):
        model.train()
        order = torch.randperm(n, device=device)[:limit]
        for start in range(0, order.numel(), batch):
            idx = order[start:start + batch]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            loss.backward()
            optimizer.step()

    epoch(10 * batch)  # warm-up: cuDNN and cuBLAS pick their kernels, the allocator fills
    sync(device)
    start = time.perf_counter()
    epoch(n)
    sync(device)
    train_s = time.perf_counter() - start

    model.eval()
    start = time.perf_counter()
    with torch.no_grad():
        logits = torch.cat([model(x_test[i:i + batch]) for i in range(0, x_test.shape[0], batch)])
        predicted = logits.argmax(dim=1).cpu()
    infer_s = time.perf_counter() - start
    acc = (predicted == y_test.cpu()).float().mean().item()
    print(f"RESULT impl=pytorch device={device.type} model={name} batch={batch} train_sps={n / train_s:.0f} "
          f"infer_sps={x_test.shape[0] / infer_s:.0f} test_acc={acc:.4f}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", default="mlp", choices=["mlp", "cnn", "all"])
    parser.add_argument("--device", default="cuda:0")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--data", default=os.environ.get("KERAS_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist"))
    args = parser.parse_args()
    device = torch.device(args.device)

    def images(stem):
        data, dims = read_idx(args.data, stem)
        x = torch.frombuffer(data, dtype=torch.uint8).reshape(dims).to(torch.float32) / 255.0
        return x.reshape(-1, 1, 28, 28).to(device)

    def labels(stem):
        data, dims = read_idx(args.data, stem)
        return torch.frombuffer(data, dtype=torch.uint8).reshape(dims).to(torch.int64).to(device)

    x_train, y_train = images("train-images-idx3-ubyte"), labels("train-labels-idx1-ubyte")
    x_test, y_test = images("t10k-images-idx3-ubyte"), labels("t10k-labels-idx1-ubyte")
    for name in ("mlp", "cnn"):
        if args.model in (name, "all"):
            run(name, device, args.batch_size, x_train, y_train, x_test, y_test)


if __name__ == "__main__":
    main()
