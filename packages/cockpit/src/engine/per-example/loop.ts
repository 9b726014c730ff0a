import * as tf from '@tensorflow/tfjs';
import type { CallContext } from '../context.js';
import { forward } from '../forward.js';
import type { Chain } from '../model/chain.js';
import type { ForwardContext } from '../model/step.js';
import { MaterializedGrads } from './materialized-grads.js';

/** ∇_θ of f(example's logits) for each example n, by a loop of tf.grads calls (exact for any layer). */
export function perExampleLoop(
  chain: Chain,
  x: tf.Tensor,
  ctx: CallContext,
  f: (logits: tf.Tensor2D, n: number) => tf.Scalar,
): tf.Tensor[][] {
  const params = chain.variables.map((v) => v.read());
  const grads: tf.Tensor[][] = [];
  for (let n = 0; n < x.shape[0]!; n++) {
    const example: ForwardContext = ctx.forExample(n);
    grads.push(tf.grads(() => f(forward(chain, tf.slice(x, n, 1), example), n))(params));
  }
  return grads;
}

/** Per-example gradients of the losses by the exact loop, for models with layers the fast path does not know. */
export function loopedGrads(chain: Chain, x: tf.Tensor, ctx: CallContext, loss: (logits: tf.Tensor2D, n: number) => tf.Scalar): MaterializedGrads {
  const perExample = perExampleLoop(chain, x, ctx, loss);
  return new MaterializedGrads(chain.variables.map((_, p) => tf.concat(perExample.map((g) => tf.expandDims(g[p]!, 0)))));
}
