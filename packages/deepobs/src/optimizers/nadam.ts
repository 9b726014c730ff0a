// Nadam as in torch.optim.NAdam (1.13), i.e. Dozat's Nesterov-accelerated Adam with Keras's momentum schedule
// μ_t = β1·(1 − ½·0.96^(t·ψ)), ψ = 0.004 (Keras Nadam, whose ε = 1e-7 Crowded Valley uses):
//   θ ← θ − lr·(1−μ_t)/(1−Π_{i≤t} μ_i) · g/d − lr·μ_{t+1}/(1−Π_{i≤t+1} μ_i) · m/d,   d = √(v/(1−β2ᵗ)) + ε.
import type * as tf from '@tensorflow/tfjs';
import type { MomentSlots } from './adam.js';
import { MomentOptimizer, updateMoments } from './adam.js';

const MOMENTUM_DECAY = 0.004;

export class Nadam extends MomentOptimizer {
  /** muProducts[t] = Π_{i≤t} μ_i; it depends on t only, so all variables share it. */
  private readonly muProducts = [1];

  private mu(t: number): number {
    return this.settings.beta1 * (1 - 0.5 * 0.96 ** (t * MOMENTUM_DECAY));
  }

  private muProduct(t: number): number {
    for (let i = this.muProducts.length; i <= t; i++) this.muProducts.push(this.muProducts[i - 1]! * this.mu(i));
    return this.muProducts[t]!;
  }

  protected update(variable: tf.Variable, grad: tf.Tensor, slots: MomentSlots, t: number): void {
    const { beta1, beta2, epsilon } = this.settings;
    const { m, v } = updateMoments(slots, grad, beta1, beta2);
    const denom = v.div(1 - beta2 ** t).sqrt().add(epsilon);
    const gradWeight = (this.learningRate * (1 - this.mu(t))) / (1 - this.muProduct(t));
    const momentWeight = (this.learningRate * this.mu(t + 1)) / (1 - this.muProduct(t) * this.mu(t + 1));
    variable.assign(variable.sub(grad.mul(gradWeight).add(m.mul(momentWeight)).div(denom)));
  }
}
