// The engine's gradientHistogram2d (GradHist2d's joint counts of (g_n[k], θ[k]) per parameter) against the same
// rule applied to its own materialised individual gradients and to per-example gradients from a loop of tf.grad
// calls (an independent computation); through GradHist2d and the request merge too, with keepIndividual and bin
// adaptation; and the point of it: Dense layers' individual gradients are not materialised for it.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@flightdeck/core';
import { planStep, trackStep } from '../../src/cockpit/step-plan';
import { type BatchStats, computeBatchStats, parameters } from '../../src/engine/index.js';
import { binParameters, GradAbsMax, GradHist2d, histogram2d, type JointAxes, ParamAbsMax } from '../../src/quantities';
import { linear } from '../../src/schedules';
import { goldenPlan, goldenStepData } from '../quantities/golden-stats';
import { BACKENDS, randn, trainableSize, useBackend } from './helpers.js';
import { bruteForcePerExample, type Problem, PROBLEMS } from './models.js';

const centres = (range: [number, number], bins: number) => ({ range, bins, clamp: 'centres' }) as const;

const AXES: JointAxes[] = [
  { x: centres([-1, 1], 40), y: centres([-2, 2], 50) }, // GradHist2d's defaults
  { x: centres([-0.05, 0.05], 7), y: centres([-0.5, 0.3], 6) }, // most gradients and parameters clamped
  { x: centres([-3, 2], 11), y: centres([-1.5, 1.5], 9) },
];

/** A ReLU MLP on inputs that are mostly exact zeros (as MNIST pixels are), one layer without bias. */
function sparseReluMlp(seed: number): Problem {
  const rng = new Rng(seed);
  const L = tf.layers;
  const model = tf.sequential({
    layers: [L.dense({ inputShape: [12], units: 9, activation: 'relu' }), L.dense({ units: 7, activation: 'relu', useBias: false }), L.dense({ units: 4 })],
  });
  model.setWeights(model.getWeights().map((w) => randn(rng, w.shape, 0.7)));
  const x = tf.tensor2d(Float32Array.from({ length: 8 * 12 }, () => (rng.next() < 0.6 ? 0 : rng.normal(0.5, 1))), [8, 12]);
  const y = tf.tensor1d(Array.from({ length: 8 }, () => rng.int(4)), 'int32');
  return { name: 'sparse-relu', model, loss: 'softmax_cross_entropy', x, y };
}

/** The exact per-example loop's path: a layer the fast path does not know (an ELU activation). */
function opaqueMlp(seed: number): Problem {
  const rng = new Rng(seed);
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 5, activation: 'elu' }), tf.layers.dense({ units: 3 })] });
  model.setWeights(model.getWeights().map((w) => randn(rng, w.shape, 0.6)));
  return { name: 'elu', model, loss: 'mean_squared_error', x: randn(rng, [5, 4]), y: randn(rng, [5, 3]) };
}

const CASES: Record<string, (seed: number) => Problem> = { ...PROBLEMS, 'ReLU MLP on sparse inputs': sparseReluMlp, 'MLP with an ELU (exact loop)': opaqueMlp };

const theta = (model: tf.LayersModel) => model.trainableWeights.map((w) => w.read());

/** histogram2d over the materialised individual gradients, per parameter. */
function materialisedCounts(stats: BatchStats, model: tf.LayersModel, axes: JointAxes): number[][] {
  return tf.tidy(() => stats.individualGradients!.map((g, p) => Array.from(histogram2d(g, theta(model)[p]!, axes.x.range, axes.y.range, [axes.x.bins, axes.y.bins]).dataSync())));
}

/** The 2-D rule applied in a JS loop to per-example gradients g[n][offset + k] and θ. */
function bruteForceCounts(perExample: number[][], model: tf.LayersModel, axes: JointAxes): number[][] {
  const bin = (v: number, axis: JointAxes['x']) => {
    const { scale, shift, low, high } = binParameters(axis);
    return Math.floor(Math.min(Math.max(v * scale + shift, low), high));
  };
  let offset = 0;
  return theta(model).map((t) => {
    const values = t.dataSync();
    const counts = new Array<number>(axes.x.bins * axes.y.bins).fill(0);
    for (const g of perExample) {
      values.forEach((v, k) => {
        if (!Number.isNaN(g[offset + k]!)) counts[bin(g[offset + k]!, axes.x) * axes.y.bins + bin(v, axes.y)]++;
      });
    }
    offset += values.length;
    return counts;
  });
}

const engineCounts = (stats: BatchStats) => stats.gradientHistogram2d!.counts.map((c) => Array.from(c.dataSync()));

function withoutWarnings<T>(run: () => T): T {
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
  try {
    return run();
  } finally {
    warn.mockRestore();
  }
}

describe.each(BACKENDS)('gradientHistogram2d on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(Object.keys(CASES))('equals the 2-D rule on the materialised and on the tf.grad per-example gradients: %s', (name) => {
    const p = CASES[name]!(5);
    const reference = bruteForcePerExample(p);
    withoutWarnings(() => {
      for (const axes of AXES) {
        const stats = computeBatchStats(p.model, p.loss, p.x, p.y, { individualGradients: true, gradientHistogram2d: axes }, { seed: 1 });
        expect(stats.gradientHistogram2d!.axes).toEqual(axes);
        const counts = engineCounts(stats);
        expect(counts).toEqual(materialisedCounts(stats, p.model, axes));
        expect(counts).toEqual(bruteForceCounts(reference, p.model, axes));
        expect(counts.flat().reduce((a, b) => a + b, 0)).toBe(p.x.shape[0]! * trainableSize(p.model));
        stats.dispose();
        const alone = computeBatchStats(p.model, p.loss, p.x, p.y, { gradientHistogram2d: axes }, { seed: 1 });
        expect(alone.individualGradients).toBeUndefined();
        expect(engineCounts(alone)).toEqual(counts);
        alone.dispose();
      }
    });
  });

  it('an example with a NaN input: its NaN gradients are skipped, its zero ones counted, as binning them does', () => {
    const p = sparseReluMlp(7);
    const values = p.x.arraySync() as number[][];
    values[2]![0] = NaN;
    values[5]![3] = NaN;
    const x = tf.tensor2d(values);
    for (const axes of AXES) {
      const stats = computeBatchStats(p.model, p.loss, x, p.y, { individualGradients: true, gradientHistogram2d: axes }, { seed: 1 });
      const counts = engineCounts(stats);
      expect(counts).toEqual(materialisedCounts(stats, p.model, axes));
      const nans = stats.individualGradients!.reduce((s, g) => s + Array.from(g.dataSync()).filter(Number.isNaN).length, 0);
      expect(nans).toBeGreaterThan(0);
      expect(counts.flat().reduce((a, b) => a + b, 0)).toBe(x.shape[0]! * trainableSize(p.model) - nans);
      stats.dispose();
    }
    x.dispose();
  });

  it('does not materialise Dense individual gradients for it', async () => {
    const rng = new Rng(2);
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [300], units: 200, activation: 'relu' }), tf.layers.dense({ units: 10 })] });
    const x = randn(rng, [32, 300]);
    const y = tf.tensor1d(Array.from({ length: 32 }, () => rng.int(10)), 'int32');
    const peak = async (request: Parameters<typeof computeBatchStats>[4]) => (await tf.profile(() => computeBatchStats(model, 'softmax_cross_entropy', x, y, request).dispose())).peakBytes;
    const firstLayer = 32 * 300 * 200 * 4;
    expect(await peak({ individualGradients: true })).toBeGreaterThan(firstLayer);
    expect(await peak({ gradientHistogram2d: AXES[0]! })).toBeLessThan(firstLayer / 4);
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe('GradHist2d through the step plan', () => {
  beforeAll(() => useBackend('cpu'));

  /** Tracks `quantities` on one step, and their twins on the same statistics less the engine's counts (the gradients binned by the quantity). */
  async function trackBoth(p: Problem, step: number, quantities: GradHist2d[], twins: GradHist2d[]) {
    const plan = goldenPlan(step, theta(p.model), { kind: 'sgd', lr: 0.1 });
    const { active, request } = planStep(quantities, plan);
    const stats = computeBatchStats(p.model, p.loss, p.x, p.y, { ...request, individualGradients: true }, { seed: step });
    const params = parameters(p.model);
    const fused = await trackStep(active, goldenStepData(plan, params, stats, 0));
    const binned = await trackStep(planStep(twins, plan).active, goldenStepData(plan, params, { ...stats, gradientHistogram2d: undefined }, 0));
    stats.dispose();
    return { request, fused, binned };
  }

  it('alone it asks the engine for the counts only, and for max |g| to adapt its range', () => {
    const plan = goldenPlan(3, [], { kind: 'sgd', lr: 0.1 });
    expect(planStep([new GradHist2d(linear(1))], plan).request).toEqual({ gradientHistogram2d: AXES[0] });
    const adapted = new GradHist2d(linear(2), { adapt: [new GradAbsMax(linear(3)), undefined] });
    expect(planStep([adapted], plan).request).toEqual({ gradientAbsMax: true });
  });

  it('keepIndividual: the total and each parameter’s histogram, from the engine, equal those binned from the gradients', async () => {
    const p = PROBLEMS['CNN conv same + max pool, conv valid stride 2 + avg pool same, one-hot CE']!(3);
    const make = () => new GradHist2d(linear(1), { bins: [9, 7], range: [[-0.5, 0.5], [-1, 1]], keepIndividual: true });
    const { request, fused, binned } = await trackBoth(p, 0, [make()], [make()]);
    expect(request.gradientHistogram2d).toEqual({ x: centres([-0.5, 0.5], 9), y: centres([-1, 1], 7) });
    expect(fused.map((r) => r.param)).toEqual([undefined, ...parameters(p.model).map((q) => q.name)]);
    expect(fused).toEqual(binned);
  });

  it('two histograms on different ranges: one from the engine, the other binned from the gradients, both exact', async () => {
    const p = sparseReluMlp(9);
    const make = () => [new GradHist2d(linear(1), { bins: [10, 8] }), new GradHist2d(linear(1), { bins: [6, 5], range: [[-0.2, 0.2], [-1, 1]] })];
    const { request, fused, binned } = await trackBoth(p, 0, make(), make());
    expect(request.gradientHistogram2d).toEqual({ x: centres([-1, 1], 10), y: centres([-2, 2], 8) });
    expect(request.individualGradients).toBe(true);
    expect(fused).toEqual(binned);
  });

  it('bin adaptation moves both ranges, and every histogram stays exact', async () => {
    const p = sparseReluMlp(11);
    const make = () => new GradHist2d(linear(1), { adapt: [new GradAbsMax(linear(1), 0.1), new ParamAbsMax(linear(1))] });
    const [fusedQuantity, binnedQuantity] = [make(), make()];
    const ranges: unknown[] = [];
    for (let step = 0; step < 3; step++) {
      const { request, fused, binned } = await trackBoth(p, step, [fusedQuantity], [binnedQuantity]);
      expect(request.gradientHistogram2d).toBeDefined();
      expect(fused).toEqual(binned);
      const { xEdges, yEdges } = fused[0]!.histogram2d!;
      ranges.push([xEdges![0], yEdges![0]]);
    }
    expect(ranges[0]).toEqual([-1, -2]);
    expect(ranges[1]).not.toEqual(ranges[0]);
  });
});
