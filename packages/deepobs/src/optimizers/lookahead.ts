// Lookahead (Zhang et al. 2019): an inner optimizer moves the fast weights; every k of its steps the slow weights
// move a fraction α towards them, φ ← φ + α(θ − φ), and the fast weights restart from there, θ ← φ. The slow
// weights start at the parameters' values before the first step.
import * as tf from '@tensorflow/tfjs';
import { checkGradients } from './stateful.js';
import type { Optimizer } from './types.js';

export class Lookahead implements Optimizer {
  private readonly slow = new Map<tf.Variable, { weights: tf.Variable; steps: number }>();

  constructor(
    readonly name: string,
    private readonly inner: Optimizer,
    private readonly alpha: number,
    private readonly k: number,
  ) {
    if (!Number.isInteger(k) || k < 1) throw new Error(`${name}: k must be a positive integer, got ${k}`);
  }

  get learningRate(): number {
    return this.inner.learningRate;
  }

  set learningRate(value: number) {
    this.inner.learningRate = value;
  }

  applyGradients(variables: tf.Variable[], grads: tf.Tensor[]): void {
    checkGradients(this.name, variables, grads);
    const entries = variables.map((v) => {
      let entry = this.slow.get(v);
      if (!entry) {
        entry = { weights: tf.tidy(() => tf.variable(v.clone(), false)), steps: 0 };
        this.slow.set(v, entry);
      }
      return entry;
    });
    this.inner.applyGradients(variables, grads);
    variables.forEach((fast, i) => {
      const entry = entries[i]!;
      entry.steps += 1;
      if (entry.steps % this.k !== 0) return;
      tf.tidy(() => {
        const slow = entry.weights.add(fast.sub(entry.weights).mul(this.alpha));
        entry.weights.assign(slow);
        fast.assign(slow);
      });
    });
  }

  dispose(): void {
    this.inner.dispose();
    for (const { weights } of this.slow.values()) weights.dispose();
    this.slow.clear();
  }
}
