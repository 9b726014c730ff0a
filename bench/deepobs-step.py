"""PyTorch baseline of bench/deepobs-step.ts: one SGD step (forward, backward, update) of the DeepOBS
architectures mnist_mlp, fmnist_2c2d and cifar10_3c3d at batch size 128, on random data of the real shape.
Prints {"<problem>": {"seconds": fastest step, "threads": torch threads}} as JSON. Usage: /usr/bin/python3 bench/deepobs-step.py REPS [problems...]"""
import json
import sys
import time

import torch
from torch import nn


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 1000), nn.ReLU(), nn.Linear(1000, 500), nn.ReLU(),
                         nn.Linear(500, 100), nn.ReLU(), nn.Linear(100, 10)), (1, 28, 28), 10


def two_conv():
    # TF 'same' padding of the 5x5 convs is 2 on every side; the 2x2/2 pools need none on 28 and 14.
    return nn.Sequential(nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
                         nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(),
                         nn.Linear(7 * 7 * 64, 1024), nn.ReLU(), nn.Linear(1024, 10)), (1, 28, 28), 10


def three_conv():
    # 3x3/2 'same' pools on 28, 12 and 6 pad one row and column (same output sizes as TF).
    return nn.Sequential(nn.Conv2d(3, 64, 5), nn.ReLU(), nn.MaxPool2d(3, 2, padding=1),
                         nn.Conv2d(64, 96, 3), nn.ReLU(), nn.MaxPool2d(3, 2, padding=1),
                         nn.Conv2d(96, 128, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2, padding=1), nn.Flatten(),
                         nn.Linear(3 * 3 * 128, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(),
                         nn.Linear(256, 10)), (3, 32, 32), 10


MODELS = {'mnist_mlp': mlp, 'fmnist_2c2d': two_conv, 'cifar10_3c3d': three_conv}


def main():
    reps = int(sys.argv[1])
    names = sys.argv[2:] or list(MODELS)
    torch.manual_seed(0)
    out = {}
    for name in names:
        model, shape, classes = MODELS[name]()
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        x = torch.rand(128, *shape)
        y = torch.randint(0, classes, (128,))
        loss_fn = nn.CrossEntropyLoss()

        def step():
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            return loss.item()

        step()
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            step()
            times.append(time.perf_counter() - t)
        out[name] = {'seconds': min(times), 'threads': torch.get_num_threads()}
    print(json.dumps(out))


if __name__ == '__main__':
    main()
