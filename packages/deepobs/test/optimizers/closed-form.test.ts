// The optimizers PyTorch lacks, against small float64 implementations of the papers' formulas written here,
// element by element, independently of the tfjs code.
import * as tf from '@tensorflow/tfjs';
import { createOptimizer } from '../../src/optimizers/index.js';
import { LR_CHANGE_STEP, LR_FACTOR, expectClose, makeSequence, runTfjs } from './sequence.js';

/** One scalar parameter's update rule: state in, new value out (state mutated). */
type ScalarRule = (theta: number, g: number, t: number, lr: number, state: Record<string, number>) => number;

function runFloat64(rule: ScalarRule, init: number[][], grads: number[][][], lr0: number): number[][] {
  return init.map((tensor, i) =>
    tensor.map((theta0, j) => {
      const state: Record<string, number> = {};
      let theta = theta0;
      let lr = lr0;
      grads.forEach((step, s) => {
        if (s + 1 === LR_CHANGE_STEP) lr *= LR_FACTOR;
        theta = rule(theta, step[i]![j]!, s + 1, lr, state);
      });
      return theta;
    }),
  );
}

/** Zhuang et al. 2020, Algorithm 2. */
const adaBelief =
  (b1: number, b2: number, eps: number): ScalarRule =>
  (theta, g, t, lr, st) => {
    st.m = b1 * (st.m ?? 0) + (1 - b1) * g;
    st.s = b2 * (st.s ?? 0) + (1 - b2) * (g - st.m) ** 2 + eps;
    const mHat = st.m / (1 - b1 ** t);
    const sHat = st.s / (1 - b2 ** t);
    return theta - (lr * mHat) / (Math.sqrt(sHat) + eps);
  };

/** Luo et al. 2019, Algorithm 2/3, with the final learning rate scaled by the schedule as the authors' code does. */
const adaBound =
  (
    b1: number,
    b2: number,
    eps: number,
    finalLr: number,
    gamma: number,
    lrInitial: number,
    ams: boolean,
    clips = { low: 0, high: 0 },
  ): ScalarRule =>
  (theta, g, t, lr, st) => {
    st.m = b1 * (st.m ?? 0) + (1 - b1) * g;
    st.v = b2 * (st.v ?? 0) + (1 - b2) * g * g;
    st.vMax = Math.max(st.vMax ?? 0, st.v);
    const v = ams ? st.vMax : st.v;
    const eta = (finalLr * lr) / lrInitial;
    const lower = eta * (1 - 1 / (gamma * t + 1));
    const upper = eta * (1 + 1 / (gamma * t));
    const step = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t) / (Math.sqrt(v) + eps);
    if (step < lower) clips.low += 1;
    if (step > upper) clips.high += 1;
    return theta - Math.min(Math.max(step, lower), upper) * st.m;
  };

/** Zhang et al. 2019, Algorithm 1, around heavy-ball momentum. */
const lookaheadMomentum =
  (rho: number, alpha: number, k: number): ScalarRule =>
  (theta, g, t, lr, st) => {
    st.slow ??= theta;
    st.v = rho * (st.v ?? 0) + g;
    const fast = theta - lr * st.v;
    if (t % k !== 0) return fast;
    st.slow += alpha * (fast - st.slow);
    return st.slow;
  };

describe('optimizers against the papers’ formulas in float64', () => {
  const sequence = makeSequence(11);

  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  const cases: [string, string, Record<string, number>, ScalarRule, number][] = [
    ['AdaBelief (defaults, ε = 1e-14)', 'AdaBelief', { lr: 0.01 }, adaBelief(0.9, 0.999, 1e-14), 0.01],
    ['AdaBelief (β2 = 0.9, ε = 1e-4)', 'AdaBelief', { lr: 0.01, beta2: 0.9, epsilon: 1e-4 }, adaBelief(0.9, 0.9, 1e-4), 0.01],
    // γ = 0.5 makes the bounds tight within 12 steps, so clipping happens on both sides.
    ['AdaBound', 'AdaBound', { lr: 0.01, final_lr: 0.05, gamma: 0.5 }, adaBound(0.9, 0.999, 1e-8, 0.05, 0.5, 0.01, false), 0.01],
    [
      'AMSBound',
      'AMSBound',
      { lr: 0.01, beta2: 0.9, final_lr: 0.05, gamma: 0.5 },
      adaBound(0.9, 0.9, 1e-8, 0.05, 0.5, 0.01, true),
      0.01,
    ],
    ['AdaBound (defaults)', 'AdaBound', {}, adaBound(0.9, 0.999, 1e-8, 0.1, 1e-3, 1e-3, false), 1e-3],
    ['LookaheadMomentum', 'LookaheadMomentum', { lr: 0.05, momentum: 0.9, alpha: 0.5, k: 5 }, lookaheadMomentum(0.9, 0.5, 5), 0.05],
  ];

  it.each(cases)('%s', (label, name, hyperparameters, rule, lr0) => {
    const optimizer = createOptimizer(name, hyperparameters);
    const ours = runTfjs(optimizer, sequence);
    optimizer.dispose();
    expectClose(ours, runFloat64(rule, sequence.init, sequence.grads, lr0), sequence.init, label);
  });

  it('clips on both sides in the AdaBound case above, so the bounds are exercised', () => {
    const clips = { low: 0, high: 0 };
    runFloat64(adaBound(0.9, 0.999, 1e-8, 0.05, 0.5, 0.01, false, clips), sequence.init, sequence.grads, 0.01);
    expect(clips.low).toBeGreaterThan(0);
    expect(clips.high).toBeGreaterThan(0);
  });
});
