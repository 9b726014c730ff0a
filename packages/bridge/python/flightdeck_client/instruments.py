"""Cockpit's instruments computed in PyTorch with functorch (torch 1.13), for users without BackPACK.

Definitions follow the original Cockpit v1.0.2 exactly (per-sample gradients g_n of the individual losses,
ḡ = mean g_n; see the golden README in packages/bridge/test/fixtures). Call `track(step, inputs, targets)` at
θ_t, before `optimizer.step()`; it returns quantity dicts for `Stream.step`. The two-step quantities (Alpha,
UpdateSize) for step t come out of the call at step t+1, with `for_step = t`.
"""
import math

import torch
from functorch import grad, vmap
from torch.nn.utils.stateless import functional_call

ECONOMY = ("Alpha", "Distance", "GradHist1d", "GradNorm", "InnerTest", "Loss", "NormTest", "OrthoTest", "UpdateSize")
KNOWN = frozenset(ECONOMY + ("HessMaxEV",))


class Instruments:
    """Instruments for `model` with per-sample loss `individual_loss(outputs, targets) -> [N]` (the mini-batch
    loss must be its mean, as Cockpit requires)."""

    def __init__(self, model, individual_loss, quantities=ECONOMY + ("HessMaxEV",), hist_bins=100,
                 hist_range=(-2.0, 2.0), power_max_iter=100, power_rtol=1e-3, power_atol=1e-6, generator=None):
        unknown = set(quantities) - KNOWN
        if unknown:
            raise ValueError(f"unknown quantities {sorted(unknown)}; known: {sorted(KNOWN)}")
        self.model = model
        self.individual_loss = individual_loss
        self.quantities = tuple(quantities)
        self.hist_bins = int(hist_bins)
        self.hist_range = (float(hist_range[0]), float(hist_range[1]))
        self.power = dict(max_iter=power_max_iter, rtol=power_rtol, atol=power_atol)
        # HessMaxEV's random start vector comes from its own generator so that it does not shift the trainer's RNG.
        self.generator = generator
        self.names = [n for n, _ in model.named_parameters()]
        self._theta0 = None
        self._previous = None  # what step t leaves for the two-step quantities at t+1

    def wants(self, name):
        return name in self.quantities

    def track(self, step, inputs, targets):
        params = [p.detach() for p in self.model.parameters()]
        sizes = [p.numel() for p in params]
        losses = self._individual_losses(params, inputs, targets)
        g = self._per_sample_grads(params, inputs, targets)  # [N, D]
        n = g.shape[0]
        mean_g = g.mean(0)
        out = []

        def vector(name, values, **extra):
            out.append(dict(name=name, vector=[float(v) for v in values], labels=self.names, **extra))

        if self.wants("Loss"):
            out.append(dict(name="Loss", scalar=float(losses.mean())))
        if self.wants("GradNorm"):
            vector("GradNorm", [c.norm() for c in mean_g.split(sizes)])
        flat = torch.cat([p.reshape(-1) for p in params])
        if self.wants("Distance"):
            if self._theta0 is None:
                self._theta0 = flat.clone()
            vector("Distance", [c.norm() for c in (flat - self._theta0).split(sizes)])
        if self._previous is not None:
            prev = self._previous
            d = flat - prev["theta"]
            if self.wants("UpdateSize"):
                vector("UpdateSize", [c.norm() for c in d.split(sizes)], for_step=prev["step"])
            if self.wants("Alpha"):
                alpha = alpha_from_observations(prev["losses"], prev["grads"], losses, g, d)
                if alpha is not None:
                    out.append(dict(name="Alpha", scalar=alpha, for_step=prev["step"]))
        sq = (g * g).sum(1)  # ‖g_n‖²
        gg = mean_g.dot(mean_g)  # ‖ḡ‖²
        p = g @ mean_g  # g_n·ḡ
        if self.wants("NormTest"):
            out.append(dict(name="NormTest", scalar=_sqrt((sq.sum() - n * gg) / (n - 1) / n / gg)))
        if self.wants("InnerTest"):
            out.append(dict(name="InnerTest", scalar=_sqrt(((p * p).sum() - n * gg * gg) / (n - 1) / n / (gg * gg))))
        if self.wants("OrthoTest"):
            out.append(dict(name="OrthoTest", scalar=_sqrt((sq.sum() - (p * p).sum() / gg) / (n - 1) / n / gg)))
        if self.wants("GradHist1d"):
            out.append(dict(name="GradHist1d", histogram1d=grad_hist_1d(g, self.hist_bins, *self.hist_range)))
        if self.wants("HessMaxEV"):
            out.append(dict(name="HessMaxEV", scalar=self.hess_max_ev(params, inputs, targets)))
        if self.wants("Alpha") or self.wants("UpdateSize"):
            self._previous = dict(step=int(step), theta=flat.clone(), losses=losses.detach(), grads=g.detach())
        return out

    def _loss_of(self, params, x, y):
        return self.individual_loss(functional_call(self.model, dict(zip(self.names, params)), (x,)), y)

    def _individual_losses(self, params, inputs, targets):
        with torch.no_grad():
            return self._loss_of(params, inputs, targets)

    def _per_sample_grads(self, params, inputs, targets):
        def one(ps, x, y):
            return self._loss_of(ps, x.unsqueeze(0), y.unsqueeze(0)).squeeze(0)

        grads = vmap(grad(one), in_dims=(None, 0, 0))(tuple(params), inputs, targets)
        return torch.cat([gr.reshape(gr.shape[0], -1) for gr in grads], dim=1)

    def hess_max_ev(self, params, inputs, targets):
        """Cockpit's power iteration on Hessian-vector products of the mini-batch loss (dominant eigenvalue)."""
        ps = [p.clone().requires_grad_(True) for p in params]
        loss = self._loss_of(ps, inputs, targets).mean()
        gradient = torch.autograd.grad(loss, ps, create_graph=True)
        v = [torch.rand(p.shape, dtype=p.dtype, generator=self.generator) for p in ps]
        norm = torch.sqrt(sum((x * x).sum() for x in v))
        v = [x / norm for x in v]
        previous = math.inf
        for _ in range(self.power["max_iter"]):
            hv = torch.autograd.grad(gradient, ps, grad_outputs=v, retain_graph=True)
            lam = float(sum((a * b).sum() for a, b in zip(v, hv)))
            norm = torch.sqrt(sum((x * x).sum() for x in hv))
            v = [x / norm for x in hv]
            if abs(previous - lam) <= self.power["atol"] + self.power["rtol"] * abs(lam):
                return lam
            previous = lam
        return previous


def _sqrt(x):
    return math.sqrt(float(x)) if float(x) >= 0 else math.nan


def grad_hist_1d(g, bins, lo, hi):
    """Histogram of every per-sample gradient element, clamped to [lo, hi], with torch.histc's arithmetic binning."""
    counts = torch.histc(g.clamp(lo, hi), bins=bins, min=lo, max=hi)
    edges = torch.linspace(lo, hi, bins + 1, dtype=g.dtype)
    return dict(edges=edges.tolist(), counts=counts.tolist())


def alpha_from_observations(losses0, grads0, losses1, grads1, d):
    """Cockpit's normalised step length α from the start and end observations along the step d."""
    t = float(d.norm())
    if t == 0:
        return -1.0
    direction = d / t
    s0 = grads0 @ direction
    s1 = grads1 @ direction
    y = torch.stack([losses0.mean(), losses1.mean(), s0.mean(), s1.mean()])
    variances = torch.stack([losses0.var(), losses1.var(), s0.var(), s1.var()])
    variances = torch.where(variances == 0, torch.full_like(variances, 1e-10), variances)
    phi = torch.tensor([[1.0, 0.0, 0.0], [1.0, t, t * t], [0.0, 1.0, 0.0], [0.0, 1.0, 2 * t]], dtype=y.dtype).T
    lam_inv = torch.diag(1.0 / variances)
    try:
        mu = torch.linalg.inv(phi @ lam_inv @ phi.T) @ phi @ lam_inv @ y
    except RuntimeError:
        return None
    if float(mu[2]) < 0:
        return -1.0
    return float(2 * t / (-mu[1] / mu[2]) - 1)
