// The bookkeeping every per-variable optimizer shares: slot tensors per variable, a per-variable step count for
// bias corrections, shape checks, tidy scopes and disposal. Each optimizer file only writes its update rule.
import * as tf from '@tensorflow/tfjs';
import type { Optimizer } from './types.js';

export type Slots = Record<string, tf.Variable>;

export abstract class SlotOptimizer<S extends Slots> implements Optimizer {
  private readonly entries = new Map<tf.Variable, { slots: S; step: number }>();

  constructor(
    readonly name: string,
    public learningRate: number,
  ) {}

  /** The state of one variable before its first update (zeros, usually). */
  protected abstract createSlots(variable: tf.Variable): S;

  /** One update at 1-based `step`, run inside tf.tidy: assign the new slots and the new variable value. */
  protected abstract update(variable: tf.Variable, grad: tf.Tensor, slots: S, step: number): void;

  applyGradients(variables: tf.Variable[], grads: tf.Tensor[]): void {
    checkGradients(this.name, variables, grads);
    variables.forEach((variable, i) => {
      let entry = this.entries.get(variable);
      if (!entry) {
        entry = { slots: tf.tidy(() => this.createSlots(variable)), step: 0 };
        this.entries.set(variable, entry);
      }
      entry.step += 1;
      const { slots, step } = entry;
      tf.tidy(() => this.update(variable, grads[i]!, slots, step));
    });
  }

  dispose(): void {
    for (const { slots } of this.entries.values()) tf.dispose(Object.values(slots));
    this.entries.clear();
  }
}

/** Gradients must match the variables one to one, in shape. */
export function checkGradients(optimizer: string, variables: tf.Variable[], grads: tf.Tensor[]): void {
  if (variables.length !== grads.length) {
    throw new Error(`${optimizer}: ${variables.length} variables but ${grads.length} gradients`);
  }
  variables.forEach((v, i) => {
    if (!grads[i]) throw new Error(`${optimizer}: no gradient for variable "${v.name}" (does the loss depend on it?)`);
    if (!tf.util.arraysEqual(v.shape, grads[i].shape)) {
      throw new Error(`${optimizer}: gradient ${i} has shape [${grads[i]!.shape}] but variable "${v.name}" has [${v.shape}]`);
    }
  });
}

/** A non-trainable zero tensor shaped like `variable`, for a slot. */
export function zerosSlot(variable: tf.Variable): tf.Variable {
  return tf.variable(tf.zerosLike(variable), false);
}
