// The engine (our BackPACK): per-example gradient statistics, curvature diagonals and Hessian-vector products for
// chain models of Dense, Conv2D, ReLU/Sigmoid/Tanh, MaxPooling2D, AveragePooling2D, Flatten and Dropout.
import * as tf from '@tensorflow/tfjs';
import { CallContext } from './context.js';
import { stepShapes } from './forward.js';
import { chainHessianOperator, type HessianOperator } from './hvp.js';
import { targetMatrix } from './losses.js';
import { chainOf } from './model/chain.js';
import type { EngineOptions, LossKind } from './types.js';

export * from './types.js';
export { computeBatchStats } from './batch-stats.js';
export { CountingThread, sharedCountingThread, type CountJob } from './counting-thread.js';
export { parameters } from './parameters.js';
export { installSecondOrderGradients } from './gradients/install.js';
export { individualLosses, targetMatrix, LOSS_KINDS } from './losses.js';

export type { HessianOperator } from './hvp.js';

/**
 * H·v for the mean loss L of the batch (x, y) at the model's current parameters, for any number of v (per
 * parameter, in parameters() order): the first-order pass is made once. Dropout masks are drawn once, from
 * options.seed. dispose() frees the pass; apply() after the parameters changed would use the old pass.
 */
export function hessianOperator(model: tf.LayersModel, loss: LossKind, x: tf.Tensor, y: tf.Tensor, options: EngineOptions = {}): HessianOperator {
  const chain = chainOf(model);
  const ctx = new CallContext(options.seed ?? Math.floor(Math.random() * 2 ** 31));
  const targets = tf.tidy(() => targetMatrix(loss, y, stepShapes(chain, x.shape).at(-1)!));
  let operator: HessianOperator;
  try {
    operator = chainHessianOperator(chain, loss, x, targets, ctx);
  } catch (e) {
    tf.dispose(targets);
    ctx.dispose();
    throw e;
  }
  return {
    apply: (v) => operator.apply(v),
    dispose: () => {
      operator.dispose();
      targets.dispose();
      ctx.dispose();
    },
  };
}

/** H·v for the mean loss L of the batch (v per parameter, in parameters() order). */
export function hessianVectorProduct(
  model: tf.LayersModel,
  loss: LossKind,
  x: tf.Tensor,
  y: tf.Tensor,
  v: tf.Tensor[],
  options: EngineOptions = {},
): tf.Tensor[] {
  const operator = hessianOperator(model, loss, x, y, options);
  try {
    return operator.apply(v);
  } finally {
    operator.dispose();
  }
}
