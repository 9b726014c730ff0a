// Each optimizer that PyTorch 1.13 has, against PyTorch on the same gradient sequence (one python process for
// all). Lookahead is written in the script around torch's own SGD and RAdam, as in the paper's algorithm.
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { createOptimizer } from '../../src/optimizers/index.js';
import type { Sequence } from './sequence.js';
import { LR_CHANGE_STEP, LR_FACTOR, SHAPES, expectClose, makeSequence, runTfjs } from './sequence.js';

interface Case {
  label: string;
  optimizer: string;
  hyperparameters: Record<string, number | boolean>;
  torch: string;
  kwargs: Record<string, unknown>;
  lookahead?: { alpha: number; k: number };
}

const CASES: Case[] = [
  { label: 'SGD', optimizer: 'SGD', hyperparameters: { lr: 0.1 }, torch: 'SGD', kwargs: { lr: 0.1 } },
  {
    label: 'Momentum',
    optimizer: 'Momentum',
    hyperparameters: { lr: 0.05, momentum: 0.9 },
    torch: 'SGD',
    kwargs: { lr: 0.05, momentum: 0.9 },
  },
  {
    label: 'Nesterov',
    optimizer: 'Nesterov',
    hyperparameters: { lr: 0.05, momentum: 0.9 },
    torch: 'SGD',
    kwargs: { lr: 0.05, momentum: 0.9, nesterov: true },
  },
  { label: 'Adam', optimizer: 'Adam', hyperparameters: { lr: 0.01 }, torch: 'Adam', kwargs: { lr: 0.01, eps: 1e-8 } },
  {
    label: 'AMSGrad',
    optimizer: 'AMSGrad',
    hyperparameters: { lr: 0.01, beta2: 0.9 },
    torch: 'Adam',
    kwargs: { lr: 0.01, betas: [0.9, 0.9], eps: 1e-8, amsgrad: true },
  },
  // torch 1.13's default (single-tensor) NAdam multiplies μ_t twice into Π μ for the moment term; its foreach
  // path has Dozat's and Keras's formula, which is ours.
  {
    label: 'Nadam',
    optimizer: 'Nadam',
    hyperparameters: { lr: 0.01 },
    torch: 'NAdam',
    kwargs: { lr: 0.01, eps: 1e-7, foreach: true },
  },
  // The single-tensor RAdam is torch's default; its foreach path in 1.13 drops ε.
  { label: 'RAdam', optimizer: 'RAdam', hyperparameters: { lr: 0.01 }, torch: 'RAdam', kwargs: { lr: 0.01, eps: 1e-7 } },
  {
    label: 'RAdam β2 = 0.9',
    optimizer: 'RAdam',
    hyperparameters: { lr: 0.01, beta2: 0.9 },
    torch: 'RAdam',
    kwargs: { lr: 0.01, betas: [0.9, 0.9], eps: 1e-7 },
  },
  {
    label: 'Adagrad',
    optimizer: 'Adagrad',
    hyperparameters: { lr: 0.1 },
    torch: 'Adagrad',
    kwargs: { lr: 0.1, initial_accumulator_value: 0.1, eps: 0 },
  },
  {
    label: 'Adadelta',
    optimizer: 'Adadelta',
    hyperparameters: { lr: 1, rho: 0.9, epsilon: 1e-6 },
    torch: 'Adadelta',
    kwargs: { lr: 1, rho: 0.9, eps: 1e-6 },
  },
  {
    label: 'RMSProp',
    optimizer: 'RMSProp',
    hyperparameters: { lr: 0.01 },
    torch: 'RMSprop',
    kwargs: { lr: 0.01, alpha: 0.9, eps: 1e-10 },
  },
  {
    label: 'RMSProp centred with momentum',
    optimizer: 'RMSProp',
    hyperparameters: { lr: 0.01, momentum: 0.5, centered: true, epsilon: 1e-8 },
    torch: 'RMSprop',
    kwargs: { lr: 0.01, alpha: 0.9, eps: 1e-8, momentum: 0.5, centered: true },
  },
  {
    label: 'LookaheadMomentum',
    optimizer: 'LookaheadMomentum',
    hyperparameters: { lr: 0.05, momentum: 0.9, alpha: 0.5, k: 3 },
    torch: 'SGD',
    kwargs: { lr: 0.05, momentum: 0.9 },
    lookahead: { alpha: 0.5, k: 3 },
  },
  {
    label: 'LookaheadRAdam',
    optimizer: 'LookaheadRAdam',
    hyperparameters: { lr: 0.01, beta2: 0.9, alpha: 0.3, k: 4 },
    torch: 'RAdam',
    kwargs: { lr: 0.01, betas: [0.9, 0.9], eps: 1e-7 },
    lookahead: { alpha: 0.3, k: 4 },
  },
];

const SCRIPT = `
import json, sys, torch
spec = json.load(sys.stdin)
out = {}
for case in spec["cases"]:
    params = [torch.nn.Parameter(torch.tensor(v, dtype=torch.float32).reshape(s)) for v, s in zip(spec["init"], spec["shapes"])]
    kwargs = dict(case["kwargs"])
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    opt = getattr(torch.optim, case["torch"])(params, **kwargs)
    la = case.get("lookahead")
    slow = [p.detach().clone() for p in params]
    for t, grads in enumerate(spec["grads"], 1):
        if t == spec["lrChangeStep"]:
            for group in opt.param_groups:
                group["lr"] *= spec["lrFactor"]
        for p, g in zip(params, grads):
            p.grad = torch.tensor(g, dtype=torch.float32).reshape(p.shape)
        opt.step()
        if la and t % la["k"] == 0:
            with torch.no_grad():
                for p, s in zip(params, slow):
                    s.add_(p - s, alpha=la["alpha"])
                    p.copy_(s)
    out[case["label"]] = [p.detach().reshape(-1).tolist() for p in params]
print(json.dumps(out))
`;

function runPytorch(sequence: Sequence): Record<string, number[][]> {
  const input = JSON.stringify({
    ...sequence,
    shapes: SHAPES,
    cases: CASES,
    lrChangeStep: LR_CHANGE_STEP,
    lrFactor: LR_FACTOR,
  });
  const run = spawnSync('/usr/bin/python3', ['-c', SCRIPT], { input, encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) {
    throw new Error(`PyTorch reference (/usr/bin/python3 with torch) failed: ${run.error?.message ?? run.stderr}`);
  }
  return JSON.parse(run.stdout) as Record<string, number[][]>;
}

describe('optimizers against PyTorch 1.13 on the same gradient sequence', () => {
  const sequence = makeSequence();
  let reference: Record<string, number[][]>;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    reference = runPytorch(sequence);
  });

  it.each(CASES.map((c) => [c.label, c] as const))('%s', (label, c) => {
    const optimizer = createOptimizer(c.optimizer, c.hyperparameters);
    const ours = runTfjs(optimizer, sequence);
    optimizer.dispose();
    expectClose(ours, reference[label]!, sequence.init, label);
  });

  it('exercises AMSGrad\'s maximum: on this sequence it ends elsewhere than Adam with the same settings', () => {
    const [adam, amsgrad] = ['Adam', 'AMSGrad'].map((name) => {
      const optimizer = createOptimizer(name, { lr: 0.01, beta2: 0.9 });
      const result = runTfjs(optimizer, sequence);
      optimizer.dispose();
      return result.flat();
    });
    expect(Math.max(...adam!.map((a, i) => Math.abs(a - amsgrad![i]!)))).toBeGreaterThan(1e-3);
  });
});
