// Adam and AMSGrad as in torch.optim.Adam (1.13): θ ← θ − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε), with v replaced by
// its running maximum for AMSGrad. TF's AdamOptimizer adds ε to √v before the bias correction ("ε-hat"); with
// ε = 1e-8 the two differ only where √v is ~1e-8.
import * as tf from '@tensorflow/tfjs';
import { SlotOptimizer, zerosSlot } from './stateful.js';

export interface AdamSettings {
  beta1: number;
  beta2: number;
  epsilon: number;
}

type AdamSlots = { m: tf.Variable; v: tf.Variable; vMax?: tf.Variable };

export class Adam extends SlotOptimizer<AdamSlots> {
  constructor(
    name: string,
    learningRate: number,
    private readonly settings: AdamSettings,
    private readonly amsgrad: boolean,
  ) {
    super(name, learningRate);
  }

  protected createSlots(variable: tf.Variable): AdamSlots {
    return { m: zerosSlot(variable), v: zerosSlot(variable), ...(this.amsgrad ? { vMax: zerosSlot(variable) } : {}) };
  }

  protected update(variable: tf.Variable, grad: tf.Tensor, slots: AdamSlots, step: number): void {
    const { beta1, beta2, epsilon } = this.settings;
    const { m, v } = updateMoments(slots, grad, beta1, beta2);
    let second = v;
    if (slots.vMax) {
      second = tf.maximum(slots.vMax, v);
      slots.vMax.assign(second);
    }
    const denom = second.sqrt().div(Math.sqrt(1 - beta2 ** step)).add(epsilon);
    variable.assign(variable.sub(m.div(denom).mul(this.learningRate / (1 - beta1 ** step))));
  }
}

/** m ← β1·m + (1−β1)·g and v ← β2·v + (1−β2)·g², assigned to the slots and returned. */
export function updateMoments(
  slots: { m: tf.Variable; v: tf.Variable },
  grad: tf.Tensor,
  beta1: number,
  beta2: number,
): { m: tf.Tensor; v: tf.Tensor } {
  const m = slots.m.mul(beta1).add(grad.mul(1 - beta1));
  const v = slots.v.mul(beta2).add(grad.square().mul(1 - beta2));
  slots.m.assign(m);
  slots.v.assign(v);
  return { m, v };
}

export type MomentSlots = { m: tf.Variable; v: tf.Variable };

/** Optimizers that keep Adam's two per-variable moment estimates (Nadam, RAdam, AdaBelief). */
export abstract class MomentOptimizer extends SlotOptimizer<MomentSlots> {
  constructor(
    name: string,
    learningRate: number,
    protected readonly settings: AdamSettings,
  ) {
    super(name, learningRate);
  }

  protected createSlots(variable: tf.Variable): MomentSlots {
    return { m: zerosSlot(variable), v: zerosSlot(variable) };
  }
}
