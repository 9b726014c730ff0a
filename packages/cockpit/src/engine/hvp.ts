import * as tf from '@tensorflow/tfjs';
import type { CallContext } from './context.js';
import { backwardPass, forward } from './forward.js';
import { installSecondOrderGradients } from './gradients/install.js';
import { individualLosses, outputHessianProduct } from './losses.js';
import { assertPerParameter, type Chain } from './model/chain.js';
import type { KnownStep } from './model/step.js';
import type { LossKind } from './types.js';

/** H·v for the mean loss L of one batch at the current parameters; apply() may be called any number of times. */
export interface HessianOperator {
  /** v and the result per parameter, in the chain's parameter order. */
  apply(v: readonly tf.Tensor[]): tf.Tensor[];
  dispose(): void;
}

/**
 * Pearlmutter's R-operator: the forward and backward pass are made once, and each product is one directional pass
 * forward (R{activations}) and one back (R{gradients}) through the steps' linearizations, 1.1–1.6 training steps on
 * the benchmark models. Double backprop repeats the first-order pass inside every product and differentiates the
 * backward pass's ops one by one (2.7–3.1 steps). A chain with a layer the fast path does not know takes double
 * backprop (exact too).
 */
export function chainHessianOperator(chain: Chain, loss: LossKind, x: tf.Tensor, targets: tf.Tensor, ctx: CallContext): HessianOperator {
  if (chain.opaque.length > 0) return { apply: (v) => chainHvp(chain, loss, x, targets, ctx, v), dispose: () => {} };
  const first = chain.steps.findIndex((s) => s.variables.length > 0);
  if (first < 0) throw new Error('hessianVectorProduct: the model has no trainable parameters');
  // Steps before the first parameter see no direction: they are neither linearised nor visited.
  const steps = (chain.steps as readonly KnownStep[]).slice(first);
  const pass = backwardPass(chain, loss, x, targets, ctx, chain.steps.map((_, i) => i >= first), false);
  const linearized = steps.map((step, j) => step.linearize(pass.inputs[first + j]!, pass.outputGrads[first + j]!, ctx));
  const curvature = outputHessianProduct(loss, pass.logits);
  const n = x.shape[0]!;
  return {
    apply: (v) => {
      assertPerParameter('hessianVectorProduct: v', v, chain);
      return tf.tidy(() => {
        let offset = 0;
        const rParams = steps.map((s) => v.slice(offset, (offset += s.variables.length)));
        const rInputs: (tf.Tensor | null)[] = [];
        const rLogits = linearized.reduce<tf.Tensor | null>((r, step, i) => {
          rInputs.push(r);
          return step.forward(r, rParams[i]!);
        }, null);
        let rGrad = curvature.apply(rLogits!);
        const products: tf.Tensor[][] = steps.map(() => []);
        for (let i = steps.length - 1; i >= 0; i--) {
          const { input, params } = linearized[i]!.backward(rInputs[i] ?? null, rGrad, rParams[i]!, i > 0);
          products[i] = params;
          if (input) rGrad = input;
        }
        return products.flat().map((p) => tf.div(p, n));
      });
    },
    dispose: () => {
      linearized.forEach((l) => l.dispose());
      curvature.dispose();
      tf.dispose(pass.outputGrads.filter((g): g is tf.Tensor => g !== undefined));
      pass.dispose();
    },
  };
}

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
