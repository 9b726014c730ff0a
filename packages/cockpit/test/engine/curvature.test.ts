// Curvature outputs against brute force on tiny models: the full Hessian built column by column from HVPs (which
// are checked against finite differences of the gradient), and the GGN as (1/N) Σ_n J_nᵀ H_n J_n with per-example
// Jacobians from tf.grad and the loss Hessians H_n in closed form.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@flightdeck/core';
import { computeBatchStats, hessianVectorProduct, LOSS_KINDS, type LossKind } from '../../src/engine/index.js';
import { outputHessianFactors } from '../../src/engine/losses.js';
import { BACKENDS, randn, relativeError, trainableSize, useBackend } from './helpers.js';
import { PROBLEMS, type Problem, referenceForward } from './models.js';

const flat = (ts: tf.Tensor[]) => ts.flatMap((t) => Array.from(t.dataSync()));
const relative = (a: number[], b: number[]) =>
  Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0) / Math.max(1e-12, b.reduce((s, v) => s + v * v, 0)));

function unitVectors(p: Problem, j: number): tf.Tensor[] {
  let offset = 0;
  return p.model.trainableWeights.map((w) => {
    const size = w.read().size;
    const values = new Float32Array(size);
    if (j >= offset && j < offset + size) values[j - offset] = 1;
    offset += size;
    return tf.tensor(values, w.shape as number[]);
  });
}

/** The full Hessian of the mean loss, one HVP per column: number[D][D]. */
function hessianByColumns(p: Problem): number[][] {
  const d = trainableSize(p.model);
  return Array.from({ length: d }, (_, j) =>
    tf.tidy(() => flat(hessianVectorProduct(p.model, p.loss, p.x, p.y, unitVectors(p, j)))),
  );
}

/** Closed-form Hessian of ℓ_n with respect to the logits f (float64). */
function lossHessian(loss: LossKind, f: number[]): number[][] {
  const k = f.length;
  if (loss === 'mean_squared_error') return f.map((_, i) => f.map((__, j) => (i === j ? 2 / k : 0)));
  if (loss === 'sigmoid_cross_entropy') {
    return f.map((fi, i) => f.map((_, j) => (i === j ? 1 / (1 + Math.exp(-fi)) / (1 + Math.exp(fi)) / k : 0)));
  }
  const m = Math.max(...f);
  const e = f.map((v) => Math.exp(v - m));
  const z = e.reduce((a, b) => a + b);
  const p = e.map((v) => v / z);
  return p.map((pi, i) => p.map((pj, j) => (i === j ? pi : 0) - pi * pj));
}

/** diag of (1/N) Σ_n J_nᵀ H_n J_n, with J_n [K][D] row by row from tf.grad of each logit. */
export function ggnDiagonalBruteForce(p: Problem): number[] {
  const params = p.model.trainableWeights.map((w) => w.read());
  const n = p.x.shape[0]!;
  const d = trainableSize(p.model);
  const diagonal = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) {
    const xi = tf.slice(p.x, i, 1);
    const logits = Array.from(tf.tidy(() => referenceForward(p.model, xi)).dataSync());
    const jacobian = logits.map((_, k) => tf.tidy(() => flat(tf.grads(() => tf.sum(tf.slice(referenceForward(p.model, xi), [0, k], [1, 1])))(params))));
    const h = lossHessian(p.loss, logits);
    for (let j = 0; j < d; j++) {
      for (let a = 0; a < logits.length; a++) {
        for (let b = 0; b < logits.length; b++) diagonal[j]! += (jacobian[a]![j]! * h[a]![b]! * jacobian[b]![j]!) / n;
      }
    }
    xi.dispose();
  }
  return diagonal;
}

describe.each(BACKENDS)('curvature on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(LOSS_KINDS)('the loss Hessian factors multiply back to the closed-form Hessian, extreme logits included: %s', (loss) => {
    const rows = [
      [0.3, -1.2, 2.0, 0.1],
      [80, 0, -80, 1], // probabilities underflow to 0 and saturate at 1
      [-3, -3, -3, -3],
      [0, 0, 0, 200],
    ];
    const factors = outputHessianFactors(loss, tf.tensor2d(rows));
    expect(factors.shape[0]).toBe(loss === 'softmax_cross_entropy' ? 3 : 4); // softmax's Hessian has rank K − 1
    const s = factors.arraySync();
    rows.forEach((f, n) => {
      const h = lossHessian(loss, f);
      h.forEach((row, i) => row.forEach((hij, j) => expect(s.reduce((acc, column) => acc + column[n]![i]! * column[n]![j]!, 0)).toBeCloseTo(hij, 6)));
    });
  });

  it.each(Object.keys(PROBLEMS))('HVP matches finite differences of the gradient: %s', (name) => {
    const p = PROBLEMS[name]!(4);
    const rng = new Rng(8);
    const v = p.model.trainableWeights.map((w) => randn(rng, w.shape as number[]));
    const weights = p.model.trainableWeights;
    const original = weights.map((w) => w.read().clone());
    const gradientAt = (sign: number) => {
      weights.forEach((w, i) => w.write(tf.add(original[i]!, tf.mul(sign * 1e-3, v[i]!))));
      return computeBatchStats(p.model, p.loss, p.x, p.y, {}).grads;
    };
    const [plus, minus] = [gradientAt(1), gradientAt(-1)];
    weights.forEach((w, i) => w.write(original[i]!));
    const fd = plus.map((g, i) => tf.div(tf.sub(g, minus[i]!), 2e-3));
    expect(relativeError(hessianVectorProduct(p.model, p.loss, p.x, p.y, v), fd)).toBeLessThan(5e-3);
  });

  it.each(Object.keys(PROBLEMS))('diagHessian and diagGGN match the brute-force Hessian and GGN: %s', (name) => {
    const p = PROBLEMS[name]!(5);
    const stats = computeBatchStats(p.model, p.loss, p.x, p.y, { diagHessian: true, diagGGN: true });
    const hessian = hessianByColumns(p);
    const diagH = hessian.map((column, j) => column[j]!);
    expect(relative(flat(stats.diagGGN!), ggnDiagonalBruteForce(p))).toBeLessThan(3e-4);
    expect(relative(flat(stats.diagHessian!), diagH)).toBeLessThan(3e-4);
    stats.dispose();
  });

  it('diagHessian equals diagGGN for a ReLU network, and differs from it with tanh and sigmoid', () => {
    const relu = PROBLEMS['MLP relu, softmax CE, int labels']!(6);
    const a = computeBatchStats(relu.model, relu.loss, relu.x, relu.y, { diagHessian: true, diagGGN: true });
    expect(relative(flat(a.diagHessian!), flat(a.diagGGN!))).toBeLessThan(1e-6);
    const curved = PROBLEMS['MLP tanh + sigmoid layers, MSE']!(6);
    const b = computeBatchStats(curved.model, curved.loss, curved.x, curved.y, { diagHessian: true, diagGGN: true });
    expect(relative(flat(b.diagHessian!), flat(b.diagGGN!))).toBeGreaterThan(1e-2);
  });

  // One problem per loss (the sampling differs per loss; the factor backprop is shared with diagGGN).
  const sampled = Object.keys(PROBLEMS).filter((name) => /^MLP|BCE$/.test(name));
  it.each(sampled)('the Monte-Carlo GGN is seeded and its mean over many samples approaches the GGN: %s', (name) => {
    const p = PROBLEMS[name]!(7);
    const exact = flat(computeBatchStats(p.model, p.loss, p.x, p.y, { diagGGN: true }).diagGGN!);
    const mc = (samples: number, seed: number) => flat(computeBatchStats(p.model, p.loss, p.x, p.y, { diagGGNMC: { samples, seed } }).diagGGNMC!);
    expect(mc(1, 3)).toEqual(mc(1, 3));
    expect(relative(mc(1, 3), mc(1, 4))).toBeGreaterThan(1e-3);
    expect(relative(mc(1, 3), exact)).toBeGreaterThan(1e-2);
    expect(relative(mc(1000, 3), exact)).toBeLessThan(0.1);
  });

  it('uses the exact loops, and still matches brute force, for a layer the fast path does not know', () => {
    const rng = new Rng(9);
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 4, activation: 'softplus' }), tf.layers.dense({ units: 2 })] });
    model.setWeights(model.getWeights().map((w) => randn(rng, w.shape, 0.6)));
    const p: Problem = { name: 'elu', model, loss: 'softmax_cross_entropy', x: randn(rng, [4, 3]), y: tf.tensor1d([0, 1, 1, 0], 'int32') };
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    const stats = computeBatchStats(p.model, p.loss, p.x, p.y, { diagHessian: true, diagGGN: true, diagGGNMC: { samples: 300, seed: 1 } });
    warn.mockRestore();
    const hessian = hessianByColumns(p);
    expect(relative(flat(stats.diagHessian!), hessian.map((c, j) => c[j]!))).toBeLessThan(1e-4);
    const ggn = ggnDiagonalBruteForce(p);
    expect(relative(flat(stats.diagGGN!), ggn)).toBeLessThan(1e-4);
    expect(relative(flat(stats.diagGGNMC!), ggn)).toBeLessThan(0.15);
  });
});
