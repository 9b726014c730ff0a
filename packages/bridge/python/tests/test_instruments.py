"""The functorch instruments against the original Cockpit's golden values (packages/bridge/test/fixtures/golden)."""
import json
import os
import sys
import unittest

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from flightdeck_client.instruments import ECONOMY, Instruments  # noqa: E402

GOLDEN = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "golden")


def build_model(layers):
    modules = []
    for layer in layers:
        kind = layer["type"]
        if kind == "Linear":
            modules.append(torch.nn.Linear(layer["in_features"], layer["out_features"]))
        elif kind == "Conv2d":
            modules.append(torch.nn.Conv2d(layer["in_channels"], layer["out_channels"], layer["kernel_size"],
                                           stride=layer["stride"], padding=layer["padding"]))
        elif kind == "MaxPool2d":
            modules.append(torch.nn.MaxPool2d(layer["kernel_size"], layer["stride"]))
        elif kind == "Flatten":
            modules.append(torch.nn.Flatten())
        else:
            modules.append(getattr(torch.nn, kind)())
    return torch.nn.Sequential(*modules)


def tensor(entry):
    return torch.tensor(entry["values"], dtype=torch.float64).reshape(entry["shape"])


def batch_of(step):
    x = tensor(step["batch"]["inputs"])
    if "labels" in step["batch"]:
        return x, torch.tensor(step["batch"]["labels"])
    return x, tensor(step["batch"]["targets"])


def cross_entropy(out, y):
    return F.cross_entropy(out, y, reduction="none")


def mse(out, y):
    return F.mse_loss(out, y, reduction="none").mean(dim=1)


def unwrap(v):
    return v["__ndarray__"] if isinstance(v, dict) and "__ndarray__" in v else v


class GoldenInstruments(unittest.TestCase):
    def check_problem(self, name, loss):
        torch.set_default_dtype(torch.float64)
        with open(os.path.join(GOLDEN, f"{name}.json")) as f:
            golden = json.load(f)
        model = build_model(golden["model"]["layers"]).double()
        instruments = Instruments(model, loss, ECONOMY + ("HessMaxEV",), generator=torch.Generator().manual_seed(0))
        by_step = {}
        for t, step in enumerate(golden["steps"]):
            with torch.no_grad():
                for p, entry in zip(model.parameters(), step["params_before"]):
                    p.copy_(tensor(entry))
            x, y = batch_of(step)
            for q in instruments.track(t, x, y):
                by_step.setdefault(q.get("for_step", t), {})[q["name"]] = q
        for t, step in enumerate(golden["steps"]):
            ref = step["cockpit"]["full"]
            got = by_step[t]
            with self.subTest(problem=name, step=t):
                self.assertEqual(set(got) - {"HessMaxEV"}, set(ECONOMY) & set(ref))
                for key in ("Loss", "NormTest", "InnerTest", "OrthoTest", "Alpha"):
                    if key in ref:
                        self.assertAlmostEqualRel(got[key]["scalar"], ref[key], 1e-10, f"{name} step {t} {key}")
                for key in ("GradNorm", "Distance", "UpdateSize"):
                    if key in ref:
                        for a, b in zip(got[key]["vector"], ref[key]):
                            self.assertAlmostEqualRel(a, b, 1e-10, f"{name} step {t} {key}")
                        self.assertEqual(got[key]["labels"], golden["parameter_names"])
                hist = got["GradHist1d"]["histogram1d"]
                self.assertEqual(hist["counts"], unwrap(ref["GradHist1d"]["hist"]))
                for a, b in zip(hist["edges"], unwrap(ref["GradHist1d"]["edges"])):
                    self.assertLessEqual(abs(a - b), 1e-15)
                exact = step["brute_force"]["hessian_max_abs_eigenvalue"]
                self.assertAlmostEqualRel(got["HessMaxEV"]["scalar"], exact, 5e-3, f"{name} step {t} HessMaxEV")

    def assertAlmostEqualRel(self, got, ref, rtol, what):
        self.assertLessEqual(abs(got - ref), 1e-12 + rtol * abs(ref), f"{what}: {got} vs {ref}")

    def test_mlp(self):
        self.check_problem("mlp", cross_entropy)

    def test_cnn(self):
        self.check_problem("cnn", cross_entropy)

    def test_sigmoid_mse(self):
        self.check_problem("sigmoid_mse", mse)


if __name__ == "__main__":
    unittest.main()
