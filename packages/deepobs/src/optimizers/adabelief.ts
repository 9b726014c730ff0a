// AdaBelief (Zhuang et al. 2020, Algorithm 2): Adam with the second moment of the gradient's deviation from its
// mean, s ← β2·s + (1−β2)·(g − m)² + ε, and θ ← θ − lr·m̂ / (√ŝ + ε) (hats: bias corrections). No weight
// decoupling or rectification, as in the defaults Crowded Valley ran (ε = 1e-14, the TF default).
import * as tf from '@tensorflow/tfjs';
import type { AdamSettings } from './adam.js';
import { SlotOptimizer, zerosSlot } from './stateful.js';

export class AdaBelief extends SlotOptimizer<{ m: tf.Variable; s: tf.Variable }> {
  constructor(
    name: string,
    learningRate: number,
    private readonly settings: AdamSettings,
  ) {
    super(name, learningRate);
  }

  protected createSlots(variable: tf.Variable) {
    return { m: zerosSlot(variable), s: zerosSlot(variable) };
  }

  protected update(variable: tf.Variable, grad: tf.Tensor, slots: { m: tf.Variable; s: tf.Variable }, t: number): void {
    const { beta1, beta2, epsilon } = this.settings;
    const m = slots.m.mul(beta1).add(grad.mul(1 - beta1));
    const s = slots.s.mul(beta2).add(grad.sub(m).square().mul(1 - beta2)).add(epsilon);
    slots.m.assign(m);
    slots.s.assign(s);
    const denom = s.div(1 - beta2 ** t).sqrt().add(epsilon);
    variable.assign(variable.sub(m.div(denom).mul(this.learningRate / (1 - beta1 ** t))));
  }
}
