// Stochastic gradient descent, with heavy-ball or Nesterov momentum (PyTorch's torch.optim.SGD, dampening 0,
// which is also TF's MomentumOptimizer: v ← ρv + g; θ ← θ − lr·v, or θ ← θ − lr·(g + ρv) for Nesterov).
import * as tf from '@tensorflow/tfjs';
import { SlotOptimizer, zerosSlot } from './stateful.js';

export class PlainSgd extends SlotOptimizer<Record<string, never>> {
  protected createSlots(): Record<string, never> {
    return {};
  }

  protected update(variable: tf.Variable, grad: tf.Tensor): void {
    variable.assign(variable.sub(grad.mul(this.learningRate)));
  }
}

export class MomentumSgd extends SlotOptimizer<{ velocity: tf.Variable }> {
  constructor(
    name: string,
    learningRate: number,
    private readonly momentum: number,
    private readonly nesterov: boolean,
  ) {
    super(name, learningRate);
  }

  protected createSlots(variable: tf.Variable) {
    return { velocity: zerosSlot(variable) };
  }

  protected update(variable: tf.Variable, grad: tf.Tensor, { velocity }: { velocity: tf.Variable }): void {
    const v = velocity.mul(this.momentum).add(grad);
    velocity.assign(v);
    const direction = this.nesterov ? grad.add(v.mul(this.momentum)) : v;
    variable.assign(variable.sub(direction.mul(this.learningRate)));
  }
}
