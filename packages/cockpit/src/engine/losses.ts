import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@flightdeck/core';
import type { LossKind } from './types.js';

export const LOSS_KINDS: readonly LossKind[] = ['softmax_cross_entropy', 'mean_squared_error', 'sigmoid_cross_entropy'];

/**
 * Targets as a float [N, K] matrix. Cross-entropy takes integer class labels [N] (int32, or floats holding
 * integers) or one-hot / probability rows [N, K]; the other losses take [N, K] targets (BCE: values in [0, 1]).
 */
export function targetMatrix(loss: LossKind, y: tf.Tensor, outputs: number[]): tf.Tensor2D {
  const [n, k] = outputs as [number, number];
  if (outputs.length !== 2) throw new Error(`${loss}: the model's output must be [N, K], got [${outputs}]`);
  if (loss === 'softmax_cross_entropy' && y.rank === 1) {
    if (y.shape[0] !== n) throw new Error(`${loss}: ${y.shape[0]} labels for a batch of ${n}`);
    return tf.oneHot(tf.cast(y, 'int32'), k).toFloat() as tf.Tensor2D;
  }
  if (y.rank !== 2 || y.shape[0] !== n || y.shape[1] !== k) {
    const labels = loss === 'softmax_cross_entropy' ? `integer labels [${n}] or ` : '';
    throw new Error(`${loss}: targets must be ${labels}[${n}, ${k}], got [${y.shape}]`);
  }
  return tf.cast(y, 'float32') as tf.Tensor2D;
}

/**
 * ℓ_i for every example, written from differentiable ops so that second derivatives work (tfjs's own losses are
 * customGrad ops). MSE and BCE average over the K outputs, so that mean_i ℓ_i is torch's mean over all N·K.
 */
export function individualLosses(loss: LossKind, logits: tf.Tensor, targets: tf.Tensor): tf.Tensor1D {
  switch (loss) {
    case 'softmax_cross_entropy':
      return tf.neg(tf.sum(tf.mul(targets, tf.sub(logits, tf.logSumExp(logits, 1, true))), 1)) as tf.Tensor1D;
    case 'mean_squared_error':
      return tf.mean(tf.square(tf.sub(logits, targets)), 1);
    case 'sigmoid_cross_entropy':
      return tf.mean(tf.sub(tf.softplus(logits), tf.mul(logits, targets)), 1);
  }
}

/**
 * Square-root factors S of each example's loss Hessian with respect to the logits, H_n = Σ_c S[c, n] S[c, n]ᵀ:
 * [C, N, K]. MSE: √(2/K) e_c; BCE: √(σ_c(1 − σ_c)/K) e_c (C = K). Cross-entropy: H = diag(p) − ppᵀ has rank K − 1
 * (H·1 = 0), so C = K − 1 columns suffice, and every column costs a backward pass in the curvature diagonals:
 * the Cholesky factor of H restricted to the first K − 1 logits, extended by H's null vector. In closed form, with
 * t_c = Σ_{i>c} p_i: S[c] = √(p_c t_c / (p_c + t_c)) · (e_c − Σ_{i>c} (p_i / t_c) e_i), every ratio in [0, 1].
 */
export function outputHessianFactors(loss: LossKind, logits: tf.Tensor2D): tf.Tensor3D {
  const k = logits.shape[1];
  const eye = tf.reshape(tf.eye(k), [k, 1, k]);
  switch (loss) {
    case 'softmax_cross_entropy': {
      const p = tf.softmax(logits);
      const after = tf.cumsum(p, 1, true, true); // t_c
      const columns = (t: tf.Tensor) => tf.reshape(tf.slice(tf.transpose(t), 0, k - 1), [k - 1, -1, 1]);
      const scale = columns(tf.sqrt(tf.divNoNan(tf.mul(p, after), tf.add(p, after))));
      const below = tf.reshape(tf.tensor2d(Array.from({ length: (k - 1) * k }, (_, j) => Number(j % k > Math.floor(j / k))), [k - 1, k]), [k - 1, 1, k]);
      const shares = tf.divNoNan(tf.reshape(p, [1, -1, k]), columns(after));
      return tf.mul(scale, tf.sub(tf.slice(eye, 0, k - 1), tf.mul(below, shares))) as tf.Tensor3D;
    }
    case 'mean_squared_error':
      return tf.mul(tf.onesLike(logits), tf.mul(eye, Math.sqrt(2 / k))) as tf.Tensor3D;
    case 'sigmoid_cross_entropy': {
      const s = tf.sigmoid(logits);
      return tf.mul(eye, tf.sqrt(tf.div(tf.mul(s, tf.sub(1, s)), k))) as tf.Tensor3D;
    }
  }
}

/**
 * Monte-Carlo factors [M, N, K] with E[Σ_m S[m, n] S[m, n]ᵀ] = H_n: each column is the logit gradient of the
 * loss at a target drawn from the model's predictive distribution (scaled so that it is unbiased), over √M.
 */
export function sampledOutputFactors(loss: LossKind, logits: tf.Tensor2D, samples: number, rng: Rng): tf.Tensor3D {
  const [n, k] = logits.shape;
  const uniform = (count: number) => Float32Array.from({ length: count }, () => rng.next());
  const scale = 1 / Math.sqrt(samples);
  switch (loss) {
    case 'softmax_cross_entropy': {
      const p = tf.softmax(logits);
      const u = tf.tensor3d(uniform(samples * n), [samples, n, 1]);
      // Inverse CDF: the class is the number of cumulative probabilities below u (clamped for rounding at 1).
      const drawn = tf.minimum(tf.sum(tf.cast(tf.less(tf.cumsum(p, 1), u), 'int32'), 2), tf.scalar(k - 1, 'int32'));
      return tf.mul(tf.sub(p, tf.oneHot(drawn, k)), scale) as tf.Tensor3D;
    }
    case 'mean_squared_error': {
      const eps = tf.tensor3d(Float32Array.from({ length: samples * n * k }, () => rng.normal()), [samples, n, k]);
      return tf.mul(eps, scale * Math.sqrt(2 / k)) as tf.Tensor3D;
    }
    case 'sigmoid_cross_entropy': {
      const s = tf.sigmoid(logits);
      const drawn = tf.cast(tf.less(tf.tensor3d(uniform(samples * n * k), [samples, n, k]), s), 'float32');
      return tf.mul(tf.sub(s, drawn), scale / Math.sqrt(k)) as tf.Tensor3D;
    }
  }
}

/**
 * r ↦ H_n r_n for every example: the loss Hessians with respect to the logits applied to r [N, K]. The curvature is
 * computed once (dispose frees it). Cross-entropy: p ⊙ r − p (pᵀr); MSE: (2/K) r; BCE: σ(1 − σ)/K ⊙ r.
 */
export function outputHessianProduct(loss: LossKind, logits: tf.Tensor2D): { apply(r: tf.Tensor): tf.Tensor; dispose(): void } {
  const k = logits.shape[1];
  switch (loss) {
    case 'softmax_cross_entropy': {
      const p = tf.softmax(logits);
      return { apply: (r) => tf.mul(p, tf.sub(r, tf.sum(tf.mul(p, r), 1, true))), dispose: () => p.dispose() };
    }
    case 'mean_squared_error':
      return { apply: (r) => tf.mul(r, 2 / k), dispose: () => {} };
    case 'sigmoid_cross_entropy': {
      const weights = tf.tidy(() => {
        const s = tf.sigmoid(logits);
        return tf.div(tf.mul(s, tf.sub(1, s)), k);
      });
      return { apply: (r) => tf.mul(weights, r), dispose: () => weights.dispose() };
    }
  }
}
