// The engine (our BackPACK): per-example gradient statistics, curvature diagonals and Hessian-vector products for
// chain models of Dense, Conv2D, ReLU/Sigmoid/Tanh, MaxPooling2D, AveragePooling2D, Flatten and Dropout.
import * as tf from '@tensorflow/tfjs';
import { CallContext } from './context.js';
import { stepShapes } from './forward.js';
import { chainHvp } from './hvp.js';
import { targetMatrix } from './losses.js';
import { chainOf } from './model/chain.js';
import type { EngineOptions, LossKind } from './types.js';

export * from './types.js';
export { computeBatchStats } from './batch-stats.js';
export { parameters } from './parameters.js';
export { installSecondOrderGradients } from './gradients/install.js';
export { individualLosses, targetMatrix, LOSS_KINDS } from './losses.js';

/** H·v for the mean loss L of the batch (v per parameter, in parameters() order), by double backprop. */
export function hessianVectorProduct(
  model: tf.LayersModel,
  loss: LossKind,
  x: tf.Tensor,
  y: tf.Tensor,
  v: tf.Tensor[],
  options: EngineOptions = {},
): tf.Tensor[] {
  const chain = chainOf(model);
  const ctx = new CallContext(options.seed ?? Math.floor(Math.random() * 2 ** 31));
  try {
    return tf.tidy(() => chainHvp(chain, loss, x, targetMatrix(loss, y, stepShapes(chain, x.shape).at(-1)!), ctx, v));
  } finally {
    ctx.dispose();
  }
}
