import * as tf from '@tensorflow/tfjs';
import type { CallContext } from '../context.js';
import type { Chain } from '../model/chain.js';
import { perExampleLoop } from '../per-example/loop.js';

/**
 * The exact counterpart of factorDiagonal without residuals, for any layer: (1/N) Σ_{n,c} (∇_θ f_n·S[c, n])² by
 * one gradient per example and column. S [C, N, K] is held constant.
 */
export function loopedFactorDiagonal(chain: Chain, x: tf.Tensor, ctx: CallContext, factors: tf.Tensor3D): tf.Tensor[] {
  const [columns, n] = factors.shape;
  let sums = chain.variables.map((v) => tf.zeros(v.shape as number[]));
  for (let c = 0; c < columns; c++) {
    const column = tf.squeeze(tf.slice(factors, [c, 0, 0], [1, -1, -1]), [0]);
    const grads = perExampleLoop(chain, x, ctx, (logits, i) => tf.sum(tf.mul(logits, tf.slice(column, i, 1))));
    const next = sums.map((s, p) => tf.addN([s, ...grads.map((g) => tf.square(g[p]!))]));
    tf.dispose([...sums, ...grads.flat(), column]);
    sums = next;
  }
  return sums.map((s) => tf.div(s, n));
}
