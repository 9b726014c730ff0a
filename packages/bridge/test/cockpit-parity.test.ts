import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Cockpit, HessMaxEV, linear } from '@flightdeck/cockpit';
import { selectBackend, type Quantity } from '@flightdeck/core';
import { runPython } from './helpers/python.js';

// The Python client's functorch instruments and the TS Cockpit engine on the same model, batches and SGD steps
// (the golden MLP problem: Linear 6→5, ReLU, Linear 5→3, cross-entropy, lr 0.05, 4 steps). tfjs is float32, the
// Python side float64: tolerances as the golden README suggests for float32 (1e-4, Alpha 1e-3).
const GOLDEN = join(__dirname, 'fixtures', 'golden', 'mlp.json');

const PYTHON = `
import json, sys, torch, torch.nn.functional as F
sys.path.insert(0, ".")
from flightdeck_client.instruments import ECONOMY, Instruments
from tests.test_instruments import batch_of, build_model, tensor
torch.set_default_dtype(torch.float64)
golden = json.load(open(sys.argv[1]))
model = build_model(golden["model"]["layers"]).double()
with torch.no_grad():
    for p, entry in zip(model.parameters(), golden["initial_parameters"]):
        p.copy_(tensor(entry))
inst = Instruments(model, lambda o, y: F.cross_entropy(o, y, reduction="none"), ECONOMY + ("HessMaxEV",))
opt = torch.optim.SGD(model.parameters(), lr=0.05)
out = []
for t, step in enumerate(golden["steps"]):
    x, y = batch_of(step)
    out.append(inst.track(t, x, y))
    opt.zero_grad(); F.cross_entropy(model(x), y).backward(); opt.step()
print(json.dumps(out))
`;

type PyQuantity = { name: string; scalar?: number; vector?: number[]; for_step?: number; histogram1d?: { counts: number[]; edges: number[] } };

const close = (a: number, b: number, rtol: number) => Math.abs(a - b) <= 1e-7 + rtol * Math.abs(b);

test('functorch instruments equal the TS Cockpit engine on the same model and batches', async () => {
  await selectBackend('wasm');
  const golden = JSON.parse(readFileSync(GOLDEN, 'utf8'));
  const python: PyQuantity[][] = JSON.parse(await runPython(['-c', PYTHON, GOLDEN]));

  const model = tf.sequential({ layers: [tf.layers.dense({ units: 5, inputShape: [6], activation: 'relu' }), tf.layers.dense({ units: 3 })] });
  // PyTorch Linear weights are [out, in]; tfjs Dense kernels are [in, out].
  model.setWeights(
    golden.initial_parameters.map((p: { shape: number[]; values: number[] }) =>
      p.shape.length === 2 ? tf.tidy(() => tf.tensor2d(p.values, p.shape as [number, number]).transpose()) : tf.tensor1d(p.values),
    ),
  );
  const cockpit = new Cockpit({ model, loss: 'softmax_cross_entropy', preset: 'economy', quantities: [new HessMaxEV(linear(1))], optimizer: { lr: 0.05 }, seed: 7, warn: () => undefined });
  const ts: Quantity[][] = [];
  for (const [t, step] of golden.steps.entries()) {
    const inputs = step.batch.inputs;
    const x = tf.tensor2d(inputs.values, inputs.shape);
    const y = tf.tensor1d(step.batch.labels, 'int32');
    const { grads, quantities } = await cockpit.step({ step: t, epoch: 0, x, y });
    ts.push(quantities);
    model.trainableWeights.forEach((w, i) => w.write(tf.tidy(() => w.read().sub(grads[i].mul(0.05)))));
    tf.dispose([x, y, ...grads]);
  }

  let compared = 0;
  for (const [t, pyStep] of python.entries()) {
    for (const q of pyStep) {
      const other = ts[t].find((o) => o.name === q.name);
      expect(other).toBeDefined();
      if (q.for_step !== undefined) expect(Number(other!.forStep)).toBe(q.for_step);
      const what = `step ${t} ${q.name}`;
      if (q.name === 'HessMaxEV') {
        // Both are power iterations from random starts: each must find the exact top eigenvalue of the Hessian.
        const exact = golden.steps[t].brute_force.hessian_max_abs_eigenvalue;
        expect([what, close(q.scalar!, exact, 1e-2), close(other!.scalar!, exact, 1e-2)]).toEqual([what, true, true]);
      } else if (q.scalar !== undefined) {
        expect([what, q.scalar, other!.scalar]).toEqual([what, q.scalar, expect.closeTo(q.scalar, -Math.log10(1e-7 + (q.name === 'Alpha' ? 1e-3 : 1e-4) * Math.abs(q.scalar)))]);
      } else if (q.vector) {
        q.vector.forEach((v, i) => expect([what, i, close(other!.vector!.values![i], v, 1e-4)]).toEqual([what, i, true]));
      } else if (q.histogram1d) {
        const counts = other!.histogram1d!.counts!;
        expect(counts.reduce((a, b) => a + b, 0)).toBe(q.histogram1d.counts.reduce((a, b) => a + b, 0));
        // Entries within float32 rounding of a bin edge may land one bin over; nothing else may move.
        const moved = q.histogram1d.counts.reduce((s, c, i) => s + Math.abs(c - counts[i]), 0) / 2;
        expect([what, moved <= 2]).toEqual([what, true]);
        q.histogram1d.edges.forEach((e, i) => expect(Math.abs(other!.histogram1d!.edges![i] - e)).toBeLessThan(1e-6));
      }
      compared++;
    }
  }
  expect(compared).toBe(4 * 8 + 3 * 2); // 8 one-step quantities at 4 steps, Alpha and UpdateSize for 3
});
