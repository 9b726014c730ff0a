"""Example: a real PyTorch training run (small MLP or CNN on generated data) streamed to a Flightdeck bridge,
with Cockpit instruments computed by functorch and an ONNX checkpoint at every epoch end.

    flightdeck serve &                                   # in another terminal
    /usr/bin/python3 packages/bridge/python/examples/train.py --model mlp --epochs 3 --cockpit

Prints one JSON line at the end: the run id, the client's report and the losses it sent.
"""
import argparse
import io
import json
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from flightdeck_client import ECONOMY, Instruments, open_stream  # noqa: E402


def make_data(kind, seed, n_train=512, n_test=256, classes=4):
    """Inputs from a normal distribution, labels from a fixed random teacher (so there is something to learn)."""
    g = torch.Generator().manual_seed(seed)
    shape = (20,) if kind == "mlp" else (1, 8, 8)
    features = int(torch.tensor(shape).prod())
    teacher = torch.randn(features, classes, generator=g)
    x = torch.randn(n_train + n_test, *shape, generator=g)
    y = (x.reshape(len(x), -1) @ teacher + 0.5 * torch.randn(len(x), classes, generator=g)).argmax(1)
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])


def make_model(kind):
    if kind == "mlp":
        return torch.nn.Sequential(torch.nn.Linear(20, 32), torch.nn.ReLU(), torch.nn.Linear(32, 4))
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
        torch.nn.Linear(4 * 4 * 4, 4),
    )


def per_example_loss(outputs, labels):
    return F.cross_entropy(outputs, labels, reduction="none")


@torch.no_grad()
def score(model, x, y):
    out = model(x)
    return float(F.cross_entropy(out, y)), float((out.argmax(1) == y).double().mean())


def onnx_bytes(model, example):
    buffer = io.BytesIO()
    torch.onnx.export(model, example, buffer, input_names=["x"], output_names=["logits"],
                      dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
    return buffer.getvalue()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--address", default="tcp://127.0.0.1:5555")
    p.add_argument("--model", choices=("mlp", "cnn"), default="mlp")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--run-id", default=None)
    p.add_argument("--cockpit", action="store_true", help="send the economy instruments and HessMaxEV every step")
    p.add_argument("--onnx", action="store_true", help="send an ONNX checkpoint at every epoch end")
    p.add_argument("--test-split-out", default=None, help="write the test split as JSON (for the bridge's ONNX evaluation)")
    p.add_argument("--max-unacked", type=int, default=10000)
    p.add_argument("--when-full", choices=("wait", "drop"), default="wait")
    args = p.parse_args(argv)

    torch.manual_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = make_data(args.model, args.seed)
    problem = f"synthetic_{args.model}"
    if args.test_split_out:
        with open(args.test_split_out, "w") as f:
            json.dump({"problem": problem, "shape": list(x_test.shape), "inputs": x_test.reshape(-1).tolist(),
                       "labels": y_test.tolist()}, f)
    model = make_model(args.model)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    instruments = Instruments(model, per_example_loss, ECONOMY + ("HessMaxEV",),
                              generator=torch.Generator().manual_seed(args.seed)) if args.cockpit else None
    names = [n for n, _ in model.named_parameters()]
    stream = open_stream(args.address, run_id=args.run_id, test_problem=problem, optimizer="SGD",
                         hyperparameters={"lr": args.lr}, seed=args.seed, batch_size=args.batch_size,
                         num_epochs=args.epochs, parameter_names=names, dataset="synthetic",
                         instruments={"preset": "economy", "quantities": list(instruments.quantities)} if instruments else None,
                         max_unacked=args.max_unacked, when_full=args.when_full)
    losses = []
    step = 0

    def evaluate(epoch):
        train_loss, train_acc = score(model, x_train, y_train)
        test_loss, test_acc = score(model, x_test, y_test)
        stream.evaluation(epoch, step=step, train_loss=train_loss, train_accuracy=train_acc, test_loss=test_loss,
                          test_accuracy=test_acc, learning_rate=args.lr)
        if args.onnx:
            stream.checkpoint(epoch, step, data=onnx_bytes(model, x_test[:1]))
        print(f"epoch {epoch}/{args.epochs}: train loss {train_loss:.4f}, test loss {test_loss:.4f}, "
              f"test accuracy {test_acc:.3f}", file=sys.stderr, flush=True)

    evaluate(0)
    g = torch.Generator().manual_seed(args.seed + 1)
    for epoch in range(args.epochs):
        order = torch.randperm(len(x_train), generator=g)
        for start in range(0, len(order), args.batch_size):
            batch = order[start:start + args.batch_size]
            x, y = x_train[batch], y_train[batch]
            quantities = instruments.track(step, x, y) if instruments else ()
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            stream.step(step, epoch, loss=float(loss), quantities=quantities)
            losses.append(float(loss))
            step += 1
        evaluate(epoch + 1)
    report = stream.finish("completed")
    print(json.dumps({"run_id": stream.run_id, "report": report._asdict(), "losses": losses, "steps": step}), flush=True)
    return 0 if report.unacknowledged == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
