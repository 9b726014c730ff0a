// The engine's gradientHistogram and gradientAbsMax against binCounts and max |·| of its own materialised
// individual gradients (which batch-stats.test.ts checks against the per-example loop), through GradHist1d and the
// request merge too; and the point of it: Dense layers' individual gradients are not materialised for them.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@flightdeck/core';
import { planStep, trackStep } from '../../src/cockpit/step-plan';
import { type BatchStats, computeBatchStats, CountingThread, parameters } from '../../src/engine/index.js';
import { binCounts, GradAbsMax, GradHist1d, type Axis } from '../../src/quantities';
import { linear } from '../../src/schedules';
import { goldenPlan, goldenStepData } from '../quantities/golden-stats';
import { BACKENDS, randn, trainableSize, useBackend } from './helpers.js';
import { PROBLEMS } from './models.js';

const AXES: Axis[] = [
  { range: [-0.5, 0.5], bins: 16, clamp: 'edges' },
  { range: [-2, 2], bins: 100, clamp: 'edges' },
  { range: [-0.2, 0.6], bins: 9, clamp: 'centres' },
];

async function countsOf(stats: BatchStats): Promise<number[]> {
  const h = stats.gradientHistogram!;
  return 'pending' in h ? Array.from(await h.pending) : Array.from(h.counts.dataSync());
}

const counted = (gradients: tf.Tensor[], axis: Axis) => tf.tidy(() => Array.from(tf.addN(gradients.map((g) => binCounts(g, axis))).dataSync()));

describe.each(BACKENDS)('gradientHistogram on %s', (backend) => {
  const thread = new CountingThread();
  beforeAll(() => useBackend(backend));
  afterAll(() => thread.close());

  it.each(Object.keys(PROBLEMS))('equals binCounts of the individual gradients, counted here and on the counting thread: %s', async (name) => {
    const p = PROBLEMS[name]!(5);
    for (const axis of AXES) {
      const stats = computeBatchStats(p.model, p.loss, p.x, p.y, { individualGradients: true, gradientHistogram: axis }, { seed: 1 });
      const expected = counted(stats.individualGradients!, axis);
      expect(stats.gradientHistogram!.axis).toEqual(axis);
      expect(await countsOf(stats)).toEqual(expected);
      expect(expected.reduce((a, b) => a + b, 0)).toBe(p.x.shape[0]! * trainableSize(p.model));
      stats.dispose();
      const alone = computeBatchStats(p.model, p.loss, p.x, p.y, { gradientHistogram: axis }, { seed: 1 });
      expect(alone.individualGradients).toBeUndefined();
      expect(await countsOf(alone)).toEqual(expected);
      alone.dispose();
      const threaded = computeBatchStats(p.model, p.loss, p.x, p.y, { gradientHistogram: axis }, { seed: 1, countingThread: thread });
      // Dense layers count on the thread; materialised gradients (convolutions) here.
      expect('pending' in threaded.gradientHistogram!).toBe(p.model.layers.some((l) => l.getClassName() === 'Dense'));
      expect(await countsOf(threaded)).toEqual(expected);
      threaded.dispose();
    }
  });

  it.each(Object.keys(PROBLEMS))('gradientAbsMax equals max |g| of the individual gradients: %s', (name) => {
    const p = PROBLEMS[name]!(6);
    const stats = computeBatchStats(p.model, p.loss, p.x, p.y, { individualGradients: true, gradientAbsMax: true }, { seed: 1 });
    const expected = Math.max(...stats.individualGradients!.flatMap((g) => Array.from(g.dataSync(), Math.abs)));
    expect(stats.gradientAbsMax!.dataSync()[0]).toBe(expected);
    stats.dispose();
  });

  it('does not materialise Dense individual gradients for it', async () => {
    const rng = new Rng(2);
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [300], units: 200, activation: 'relu' }), tf.layers.dense({ units: 10 })] });
    const x = randn(rng, [32, 300]);
    const y = tf.tensor1d(Array.from({ length: 32 }, () => rng.int(10)), 'int32');
    const axis = AXES[1]!;
    const peak = async (request: Parameters<typeof computeBatchStats>[4]) => (await tf.profile(() => computeBatchStats(model, 'softmax_cross_entropy', x, y, request).dispose())).peakBytes;
    const firstLayer = 32 * 300 * 200 * 4;
    expect(await peak({ individualGradients: true })).toBeGreaterThan(firstLayer);
    expect(await peak({ gradientHistogram: axis, gradientAbsMax: true })).toBeLessThan(firstLayer / 4);
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe('GradHist1d through the step plan', () => {
  beforeAll(() => useBackend('cpu'));

  it('two histograms on different ranges: one from the engine, the other binned from the gradients, both exact', async () => {
    const p = PROBLEMS['MLP relu, softmax CE, int labels']!(9);
    const quantities = [new GradHist1d(linear(1), { bins: 10, range: [-0.3, 0.3] }), new GradHist1d(linear(1), { bins: 7, range: [-1, 1] })];
    const theta = p.model.trainableWeights.map((w) => w.read());
    const plan = goldenPlan(0, theta, { kind: 'sgd', lr: 0.1 });
    const { active, request } = planStep(quantities, plan);
    expect(request.gradientHistogram).toEqual({ range: [-0.3, 0.3], bins: 10, clamp: 'edges' });
    expect(request.individualGradients).toBe(true);
    const stats = computeBatchStats(p.model, p.loss, p.x, p.y, request);
    const records = await trackStep(active, goldenStepData(plan, parameters(p.model), stats, 0));
    expect(records.map((r) => r.histogram1d!.counts)).toEqual([
      counted(stats.individualGradients!, { range: [-0.3, 0.3], bins: 10, clamp: 'edges' }),
      counted(stats.individualGradients!, { range: [-1, 1], bins: 7, clamp: 'edges' }),
    ]);
    stats.dispose();
  });

  it('alone it asks the engine for the counts only, and for max |g| to adapt its range', () => {
    const plan = goldenPlan(3, [], { kind: 'sgd', lr: 0.1 });
    expect(planStep([new GradHist1d(linear(1))], plan).request).toEqual({ gradientHistogram: { range: [-2, 2], bins: 100, clamp: 'edges' } });
    expect(planStep([new GradHist1d(linear(2), { adapt: new GradAbsMax(linear(3)) })], plan).request).toEqual({ gradientAbsMax: true });
  });
});
