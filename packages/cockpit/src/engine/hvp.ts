import * as tf from '@tensorflow/tfjs';
import type { CallContext } from './context.js';
import { forward } from './forward.js';
import { installSecondOrderGradients } from './gradients/install.js';
import { individualLosses } from './losses.js';
import { assertPerParameter, type Chain } from './model/chain.js';
import type { LossKind } from './types.js';

/** H·v for the mean loss by double backprop: ∇_θ(∇_θL · v). */
export function chainHvp(chain: Chain, loss: LossKind, x: tf.Tensor, targets: tf.Tensor, ctx: CallContext, v: readonly tf.Tensor[]): tf.Tensor[] {
  installSecondOrderGradients();
  const params = chain.variables.map((p) => p.read());
  assertPerParameter('hessianVectorProduct: v', v, chain);
  return tf.tidy(() =>
    tf.grads(() => {
      const grads = tf.grads(() => tf.mean(individualLosses(loss, forward(chain, x, ctx), targets)))(params);
      return tf.addN(grads.map((g, i) => tf.sum(tf.mul(g, v[i]!)))) as tf.Scalar;
    })(params),
  );
}

/** diag(H) by one HVP per parameter entry: exact for any layer, and only affordable for small models. */
export function hvpDiagonal(chain: Chain, loss: LossKind, x: tf.Tensor, targets: tf.Tensor, ctx: CallContext): tf.Tensor[] {
  return chain.variables.map((variable, p) => {
    const size = variable.read().size;
    const diagonal = new Float32Array(size);
    for (let j = 0; j < size; j++) {
      const unit = chain.variables.map((w, q) => (q === p ? tf.oneHot(j, size).reshape(w.shape as number[]).toFloat() : tf.zeros(w.shape as number[])));
      const hv = chainHvp(chain, loss, x, targets, ctx, unit);
      diagonal[j] = tf.tidy(() => tf.slice(tf.reshape(hv[p]!, [-1]), j, 1).dataSync()[0]!);
      tf.dispose([...unit, ...hv]);
    }
    return tf.tensor(diagonal, variable.shape as number[]);
  });
}
