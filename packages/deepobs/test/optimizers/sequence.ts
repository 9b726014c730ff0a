// A deterministic problem for optimizer tests: two parameter tensors, a gradient sequence whose scale first
// shrinks (so AMSGrad's maximum and AdaBound's bounds matter) and a learning-rate change halfway (as a schedule).
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@flightdeck/core';
import type { Optimizer } from '../../src/optimizers/index.js';

export const SHAPES = [[3, 4], [5]];
export const STEPS = 12;
/** Before this (1-based) step the learning rate is multiplied by LR_FACTOR. */
export const LR_CHANGE_STEP = 7;
export const LR_FACTOR = 0.5;
const SCALES = [2, 2, 1.5, 1, 0.5, 0.3, 0.3, 0.2, 0.5, 1, 0.1, 0.05];

export interface Sequence {
  init: number[][];
  grads: number[][][];
}

export function makeSequence(seed = 7): Sequence {
  const rng = new Rng(seed);
  const sizes = SHAPES.map((s) => s.reduce((a, b) => a * b, 1));
  const init = sizes.map((n) => Array.from({ length: n }, () => rng.normal()));
  const grads = SCALES.slice(0, STEPS).map((scale) =>
    sizes.map((n) => Array.from({ length: n }, () => Math.fround(scale * (rng.normal() + 0.3)))),
  );
  return { init, grads };
}

/** The parameters after running `optimizer` on the sequence with tfjs (flattened per tensor). */
export function runTfjs(optimizer: Optimizer, sequence: Sequence): number[][] {
  const variables = sequence.init.map((values, i) => tf.variable(tf.tensor(values, SHAPES[i])));
  sequence.grads.forEach((step, t) => {
    if (t + 1 === LR_CHANGE_STEP) optimizer.learningRate *= LR_FACTOR;
    const grads = step.map((values, i) => tf.tensor(values, SHAPES[i]));
    optimizer.applyGradients(variables, grads);
    tf.dispose(grads);
  });
  const result = variables.map((v) => Array.from(v.dataSync()));
  tf.dispose(variables);
  return result;
}

/**
 * Every parameter agrees within float32 accuracy: |a − b| ≤ 1e-6 + 2e-4·|b − θ₀| (relative to how far the
 * optimizer moved it), and the optimizer did move the parameters (so agreement is not vacuous).
 */
export function expectClose(actual: number[][], expected: number[][], init: number[][], label: string): void {
  let moved = 0;
  const bad: string[] = [];
  expected.forEach((tensor, i) =>
    tensor.forEach((b, j) => {
      const a = actual[i]![j]!;
      const displacement = Math.abs(b - init[i]![j]!);
      moved = Math.max(moved, displacement);
      if (!(Math.abs(a - b) <= 1e-6 + 2e-4 * displacement)) bad.push(`[${i}][${j}] tfjs ${a} vs ${b}`);
    }),
  );
  expect({ label, mismatches: bad.slice(0, 5) }).toEqual({ label, mismatches: [] });
  expect(moved).toBeGreaterThan(1e-3);
}
