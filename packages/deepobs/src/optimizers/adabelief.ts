// AdaBelief (Zhuang et al. 2020, Algorithm 2): Adam with the second moment of the gradient's deviation from its
// mean, s ← β2·s + (1−β2)·(g − m)² + ε, and θ ← θ − lr·m̂ / (√ŝ + ε) (hats: bias corrections). No weight
// decoupling or rectification, as in the defaults Crowded Valley ran (ε = 1e-14, the TF default).
import type * as tf from '@tensorflow/tfjs';
import type { MomentSlots } from './adam.js';
import { MomentOptimizer } from './adam.js';

export class AdaBelief extends MomentOptimizer {
  protected update(variable: tf.Variable, grad: tf.Tensor, slots: MomentSlots, t: number): void {
    const { beta1, beta2, epsilon } = this.settings;
    const m = slots.m.mul(beta1).add(grad.mul(1 - beta1));
    const s = slots.v.mul(beta2).add(grad.sub(m).square().mul(1 - beta2)).add(epsilon);
    slots.m.assign(m);
    slots.v.assign(s); // the slot holds AdaBelief's s
    const denom = s.div(1 - beta2 ** t).sqrt().add(epsilon);
    variable.assign(variable.sub(m.div(denom).mul(this.learningRate / (1 - beta1 ** t))));
  }
}
