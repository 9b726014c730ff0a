import type * as tf from '@tensorflow/tfjs';
import type { ForwardContext, KnownStep, Linearized } from './step.js';

/**
 * The R-operator through a parameter-free linear step (flatten, dropout with its mask, average pooling): the step
 * is its own Jacobian, and there is no second-order term.
 */
export function linearMap(step: KnownStep, a: tf.Tensor, ctx: ForwardContext): Linearized {
  return {
    forward: (ra) => ra && step.apply(ra, ctx),
    backward: (_ra, rgOut, _rParams, withInput) => ({ input: withInput ? step.backpropFactors(rgOut, 1, a, ctx) : null, params: [] }),
    dispose: () => {},
  };
}
