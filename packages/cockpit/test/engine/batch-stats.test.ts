// computeBatchStats' first-order statistics against a brute-force loop of tf.grad calls per example, through the
// model's own layers and tfjs's own losses.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@flightdeck/core';
import { computeBatchStats, parameters, type StatsRequest } from '../../src/engine/index.js';
import { BACKENDS, randn, useBackend } from './helpers.js';
import { bruteForcePerExample, PROBLEMS, type Problem, referenceForward, referenceLoss } from './models.js';

/** max |a − b| ≤ tol · (max |b| + 1e-3): float32 against float32 with the scale of the quantity. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 2e-4): void {
  expect(actual.length).toBe(expected.length);
  const scale = Math.max(1e-3, ...Array.from(expected, Math.abs));
  const worst = Math.max(0, ...Array.from(actual, (a, i) => Math.abs(a - expected[i]!)));
  expect(worst / scale).toBeLessThanOrEqual(tol);
}

const flat = (ts: tf.Tensor[]) => ts.flatMap((t) => Array.from(t.dataSync()));
const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);

const FULL: StatsRequest = { batchL2: true, batchDot: true, meanProjections: true, sumGradSquared: true, individualGradients: true };

/** Every first-order output of the engine against the per-example loop's g_n. */
function checkFirstOrder(p: Problem, g: number[][], seed?: number): void {
  const rng = new Rng(11);
  const direction = p.model.trainableWeights.map((w) => randn(rng, w.shape as number[]));
  const stats = computeBatchStats(p.model, p.loss, p.x, p.y, { ...FULL, projectOn: direction }, { seed });
  const n = g.length;
  const d = g[0]!.length;
  const mean = Array.from({ length: d }, (_, j) => g.reduce((s, gn) => s + gn[j]!, 0) / n);
  expectClose(flat(stats.grads), mean);
  expectClose(stats.batchL2!.dataSync(), g.map((gn) => dot(gn, gn)));
  expectClose(stats.batchDot!.dataSync(), g.flatMap((gn) => g.map((gm) => dot(gn, gm))));
  expectClose(stats.meanProjections!.dataSync(), g.map((gn) => dot(gn, mean)));
  expectClose(flat(stats.sumGradSquared!), mean.map((_, j) => g.reduce((s, gn) => s + gn[j]! ** 2, 0)));
  const dFlat = flat(direction);
  expectClose(stats.projections!.dataSync(), g.map((gn) => dot(gn, dFlat)));
  const individual = stats.individualGradients!.map((t) => Array.from(t.dataSync()));
  const params = parameters(p.model);
  params.forEach((info, k) => {
    expect(stats.individualGradients![k]!.shape).toEqual([n, ...info.shape]);
    const perExample = g.flatMap((gn) => gn.slice(info.offset, info.offset + info.size));
    expectClose(individual[k]!, perExample);
  });
  stats.dispose();
  tf.dispose(direction);
}

describe.each(BACKENDS)('computeBatchStats on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(Object.keys(PROBLEMS))("∇L made from the output gradients is bit for bit the one tfjs's own gradients give: %s", (name) => {
    const p = PROBLEMS[name]!(4);
    const bits = (request: StatsRequest) => {
      const stats = computeBatchStats(p.model, p.loss, p.x, p.y, request, { seed: 3 });
      const values = stats.grads.map((g) => Array.from(g.dataSync()));
      stats.dispose();
      return values;
    };
    // {}: the backward pass takes the parameters' gradients itself; batchL2: they are made from the output gradients.
    expect(bits({ batchL2: true })).toEqual(bits({}));
  });

  it.each(Object.keys(PROBLEMS))('matches the per-example loop: %s', (name) => {
    const p = PROBLEMS[name]!(3);
    const warn = jest.spyOn(console, 'warn');
    checkFirstOrder(p, bruteForcePerExample(p));
    expect(warn).not.toHaveBeenCalled(); // the fast path, not the loop
    warn.mockRestore();
    const stats = computeBatchStats(p.model, p.loss, p.x, p.y, {});
    const reference = Array.from({ length: p.x.shape[0]! }, (_, n) =>
      tf.tidy(() => referenceLoss(p.loss, referenceForward(p.model, tf.slice(p.x, n, 1)), tf.slice(p.y, n, 1)).dataSync()[0]!),
    );
    expectClose(stats.individualLosses.dataSync(), reference);
    expectClose(stats.loss.dataSync(), [reference.reduce((a, b) => a + b) / reference.length]);
    expect(stats.batchL2).toBeUndefined();
    stats.dispose();
  });

  it('projects on the mean gradient of an earlier pass by its factors: the same projections as by the direction', () => {
    const rng = new Rng(21);
    const L = tf.layers;
    // N'·(in + out) < in·out for the middle Dense layers (the cross Gram route), not for the last (the direct
    // product); the convolution has no factors and always projects on the direction.
    const model = tf.sequential({
      layers: [
        L.conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 3, padding: 'same', activation: 'relu' }),
        L.flatten(),
        L.dense({ units: 12, activation: 'relu' }),
        L.dense({ units: 10, useBias: false, activation: 'tanh' }),
        L.dense({ units: 2 }),
      ],
    });
    model.setWeights(model.getWeights().map((w) => randn(rng, w.shape, 0.6)));
    const batch = (n: number): Problem => ({
      name: 'factored', model, loss: 'softmax_cross_entropy', x: randn(rng, [n, 4, 4, 1]), y: tf.tensor1d(Array.from({ length: n }, () => rng.int(2)), 'int32'),
    });
    const [earlier, later] = [batch(3), batch(4)];
    const kept = computeBatchStats(model, earlier.loss, earlier.x, earlier.y, { keepFactors: true });
    expect(kept.factors!.map((f) => f && [f.a.shape, f.delta.shape])).toEqual([undefined, [[3, 32], [3, 12]], [[3, 12], [3, 10]], [[3, 10], [3, 2]]]);
    const scale = -0.3;
    const direction = kept.grads.map((g) => tf.mul(g, scale));
    const stats = computeBatchStats(model, later.loss, later.x, later.y, { projectOn: direction, projectOnFactors: { factors: kept.factors!, scale } });
    const dFlat = flat(direction);
    expectClose(stats.projections!.dataSync(), bruteForcePerExample(later).map((gn) => dot(gn, dFlat)));
    tf.dispose([...direction, earlier.x, earlier.y, later.x, later.y]);
    kept.dispose();
    stats.dispose();
  });

  it('draws one dropout mask per call from the seed and uses it for every statistic', () => {
    const rng = new Rng(5);
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [5], units: 8, activation: 'relu' }), tf.layers.dropout({ rate: 0.5 }), tf.layers.dense({ units: 3 })],
    });
    model.setWeights(model.getWeights().map((w) => randn(rng, w.shape, 0.6)));
    const p: Problem = { name: 'dropout', model, loss: 'softmax_cross_entropy', x: randn(rng, [6, 5]), y: tf.tensor1d([0, 1, 2, 2, 1, 0], 'int32') };
    // The documented seeding: masks come from Rng(seed).fork('dropout'), drawn per dropout layer, row-major.
    const maskRng = new Rng(42).fork('dropout');
    const mask = tf.tensor2d(Array.from({ length: 6 * 8 }, () => (maskRng.next() >= 0.5 ? 2 : 0)), [6, 8]);
    checkFirstOrder(p, bruteForcePerExample(p, [mask]), 42);
    const again = computeBatchStats(model, p.loss, p.x, p.y, {}, { seed: 42 });
    const other = computeBatchStats(model, p.loss, p.x, p.y, {}, { seed: 43 });
    expect(Array.from(again.loss.dataSync())).toEqual(Array.from(computeBatchStats(model, p.loss, p.x, p.y, {}, { seed: 42 }).loss.dataSync()));
    expect(other.loss.dataSync()[0]).not.toBeCloseTo(again.loss.dataSync()[0]!, 5);
  });

  it('takes the exact per-example loop, with one warning naming the layer, for a layer it does not know', () => {
    const rng = new Rng(6);
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [4], units: 5, activation: 'elu', name: 'elu_dense' }), tf.layers.dense({ units: 3 })],
    });
    model.setWeights(model.getWeights().map((w) => randn(rng, w.shape, 0.6)));
    const p: Problem = { name: 'elu', model, loss: 'mean_squared_error', x: randn(rng, [5, 4]), y: randn(rng, [5, 3]) };
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      checkFirstOrder(p, bruteForcePerExample(p));
      checkFirstOrder(p, bruteForcePerExample(p));
      const messages = warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('cockpit engine'));
      expect(messages).toHaveLength(1);
      expect(messages[0]).toContain('"elu_dense"');
      expect(messages[0]).toContain('activation elu');
    } finally {
      warn.mockRestore();
    }
  });
});

describe('engine inputs', () => {
  beforeAll(() => useBackend('cpu'));

  it('parameters() lists the trainable weights in getWeights() order with offsets', () => {
    const p = PROBLEMS['CNN conv same + max pool, conv valid stride 2 + avg pool same, one-hot CE']!(1);
    const infos = parameters(p.model);
    expect(infos.map((i) => i.shape)).toEqual(p.model.getWeights().map((w) => w.shape));
    expect(infos.map((i) => i.name)).toEqual(p.model.trainableWeights.map((w) => w.name));
    expect(infos.map((i) => i.offset)).toEqual([0, 18, 20, 44, 46, 52]);
    expect(infos.at(-1)!.size).toBe(3);
  });

  it('gives the same statistics for integer labels and one-hot rows', () => {
    const p = PROBLEMS['MLP relu, softmax CE, int labels']!(2);
    const a = computeBatchStats(p.model, p.loss, p.x, p.y, { batchL2: true });
    const b = computeBatchStats(p.model, p.loss, p.x, tf.oneHot(p.y as tf.Tensor1D, 3), { batchL2: true });
    expectClose(a.batchL2!.dataSync(), b.batchL2!.dataSync(), 1e-6);
  });

  it('rejects targets of the wrong shape, naming the expected shape', () => {
    const p = PROBLEMS['MLP tanh + sigmoid layers, MSE']!(2);
    expect(() => computeBatchStats(p.model, p.loss, p.x, tf.zeros([5, 3]), {})).toThrow(/\[5, 2\], got \[5,3\]/);
    expect(() => computeBatchStats(p.model, 'hinge' as never, p.x, p.y, {})).toThrow(/unknown loss "hinge"/);
    expect(() => computeBatchStats(p.model, p.loss, p.x, p.y, { projectOn: [tf.zeros([4, 5])] })).toThrow(/projectOn must have one tensor per parameter with shapes \[4,5\], \[5\]/);
  });

  it('rejects a model whose layers do not form a chain', () => {
    const input = tf.input({ shape: [3] });
    const a = tf.layers.dense({ units: 2 }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.dense({ units: 2 }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.add().apply([a, b]) as tf.SymbolicTensor });
    expect(() => parameters(model)).toThrow(/chain of layers/);
  });

  it('does not leak tensors', () => {
    const p = PROBLEMS['CNN conv same stride 2 + max pool same, sigmoid BCE']!(2);
    computeBatchStats(p.model, p.loss, p.x, p.y, FULL).dispose();
    const before = tf.memory().numTensors;
    computeBatchStats(p.model, p.loss, p.x, p.y, { ...FULL, diagHessian: true, diagGGN: true, diagGGNMC: { samples: 2, seed: 1 } }).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
