// AdaBound and AMSBound (Luo et al. 2019, as in the authors' implementation): Adam's per-coordinate step size
// lr·√(1−β2ᵗ)/(1−β1ᵗ)/(√v + ε) is clipped to [η_l(t), η_u(t)] with η_l = η·(1 − 1/(γt + 1)) and
// η_u = η·(1 + 1/(γt)), which both approach the final learning rate η, and then multiplies m. η follows the
// schedule: η = final_lr · lr / (initial lr). AMSBound uses the running maximum of v.
import * as tf from '@tensorflow/tfjs';
import type { AdamSettings } from './adam.js';
import { updateMoments } from './adam.js';
import { SlotOptimizer, zerosSlot } from './stateful.js';

export interface AdaBoundSettings extends AdamSettings {
  finalLr: number;
  gamma: number;
  amsbound: boolean;
}

type BoundSlots = { m: tf.Variable; v: tf.Variable; vMax?: tf.Variable };

export class AdaBound extends SlotOptimizer<BoundSlots> {
  private readonly initialLearningRate: number;

  constructor(
    name: string,
    learningRate: number,
    private readonly settings: AdaBoundSettings,
  ) {
    super(name, learningRate);
    this.initialLearningRate = learningRate;
  }

  protected createSlots(variable: tf.Variable): BoundSlots {
    const amsbound = this.settings.amsbound ? { vMax: zerosSlot(variable) } : {};
    return { m: zerosSlot(variable), v: zerosSlot(variable), ...amsbound };
  }

  protected update(variable: tf.Variable, grad: tf.Tensor, slots: BoundSlots, t: number): void {
    const { beta1, beta2, epsilon, gamma } = this.settings;
    const { m, v } = updateMoments(slots, grad, beta1, beta2);
    let second = v;
    if (slots.vMax) {
      second = tf.maximum(slots.vMax, v);
      slots.vMax.assign(second);
    }
    const stepSize = (this.learningRate * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
    const finalLr = (this.settings.finalLr * this.learningRate) / this.initialLearningRate;
    const lower = finalLr * (1 - 1 / (gamma * t + 1));
    const upper = finalLr * (1 + 1 / (gamma * t));
    const clipped = tf.clipByValue(tf.div(stepSize, second.sqrt().add(epsilon)), lower, upper);
    variable.assign(variable.sub(clipped.mul(m)));
  }
}
