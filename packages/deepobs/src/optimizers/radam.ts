// RAdam (Liu et al. 2020) as in torch.optim.RAdam (1.13). With ρ∞ = 2/(1−β2) − 1 and ρ_t = ρ∞ − 2tβ2ᵗ/(1−β2ᵗ):
// if ρ_t > 5, θ ← θ − lr·r_t·m̂·√(1−β2ᵗ)/(√v + ε) with the rectification r_t = √((ρ_t−4)(ρ_t−2)ρ∞ /
// ((ρ∞−4)(ρ∞−2)ρ_t)); otherwise plain momentum θ ← θ − lr·m̂ (m̂ = m/(1−β1ᵗ)).
import type * as tf from '@tensorflow/tfjs';
import type { MomentSlots } from './adam.js';
import { MomentOptimizer, updateMoments } from './adam.js';

export class RAdam extends MomentOptimizer {
  protected update(variable: tf.Variable, grad: tf.Tensor, slots: MomentSlots, t: number): void {
    const { beta1, beta2, epsilon } = this.settings;
    const { m, v } = updateMoments(slots, grad, beta1, beta2);
    const correction2 = 1 - beta2 ** t;
    const mHat = m.div(1 - beta1 ** t);
    const rhoInf = 2 / (1 - beta2) - 1;
    const rho = rhoInf - (2 * t * beta2 ** t) / correction2;
    if (rho > 5) {
      const rect = Math.sqrt(((rho - 4) * (rho - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho));
      const step = mHat.div(v.sqrt().add(epsilon)).mul(this.learningRate * rect * Math.sqrt(correction2));
      variable.assign(variable.sub(step));
    } else {
      variable.assign(variable.sub(mHat.mul(this.learningRate)));
    }
  }
}
