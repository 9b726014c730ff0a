import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../data/index.js';
import type { ProblemInstance } from '../problems/index.js';

export interface StepOutput {
  /** Mini-batch loss at the parameters before the update. */
  loss: number;
  /** ∇loss per variable, in `instance.variables` order; the caller disposes them. */
  grads: tf.Tensor[];
  /** True when the step already wrote its own StepRecord (Cockpit did). */
  recorded?: boolean;
}

/** How one training step gets its loss and gradient: plainly, or through Cockpit. */
export type TrainStep = (batch: Batch, step: number, epoch: number) => Promise<StepOutput>;

export function plainTrainStep(instance: ProblemInstance): TrainStep {
  return async (batch) => {
    const { value, grads } = tf.variableGrads(() => instance.loss(batch, 'train'), instance.variables);
    const loss = (await value.data())[0];
    value.dispose();
    return { loss, grads: instance.variables.map((v) => grads[v.name]) };
  };
}
