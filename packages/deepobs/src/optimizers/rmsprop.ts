// RMSProp as torch.optim.RMSprop: s ← ρs + (1−ρ)g² (centred: minus the squared running mean of g),
// d = √s + ε, then θ ← θ − lr·g/d, or with momentum μ: b ← μb + g/d, θ ← θ − lr·b.
// TF1's RMSPropOptimizer (Crowded Valley's) differs in two ways: s starts at 1 instead of 0, and ε sits inside
// the root, √(s + ε). The first changes the early steps noticeably (smaller), so runs are not bit-comparable.
import * as tf from '@tensorflow/tfjs';
import { SlotOptimizer, zerosSlot } from './stateful.js';

export interface RmsPropSettings {
  decay: number;
  momentum: number;
  epsilon: number;
  centered: boolean;
}

type RmsSlots = { squares: tf.Variable; mean?: tf.Variable; buffer?: tf.Variable };

export class RmsProp extends SlotOptimizer<RmsSlots> {
  constructor(
    name: string,
    learningRate: number,
    private readonly settings: RmsPropSettings,
  ) {
    super(name, learningRate);
  }

  protected createSlots(variable: tf.Variable): RmsSlots {
    return {
      squares: zerosSlot(variable),
      ...(this.settings.centered ? { mean: zerosSlot(variable) } : {}),
      ...(this.settings.momentum > 0 ? { buffer: zerosSlot(variable) } : {}),
    };
  }

  protected update(variable: tf.Variable, grad: tf.Tensor, slots: RmsSlots): void {
    const { decay, momentum, epsilon } = this.settings;
    const s = slots.squares.mul(decay).add(grad.square().mul(1 - decay));
    slots.squares.assign(s);
    let variance: tf.Tensor = s;
    if (slots.mean) {
      const mean = slots.mean.mul(decay).add(grad.mul(1 - decay));
      slots.mean.assign(mean);
      variance = s.sub(mean.square());
    }
    let direction = grad.div(variance.sqrt().add(epsilon));
    if (slots.buffer) {
      direction = slots.buffer.mul(momentum).add(direction);
      slots.buffer.assign(direction);
    }
    variable.assign(variable.sub(direction.mul(this.learningRate)));
  }
}
