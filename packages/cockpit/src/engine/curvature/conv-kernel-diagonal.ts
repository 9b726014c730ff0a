import * as tf from '@tensorflow/tfjs';
import { batchProducts, matMul, sumAxis } from '../linalg.js';

/** Floats of the per-column gradients materialised at once (16 MiB). */
const MAX_BLOCK_SIZE = 2 ** 22;
/** Floats of the patch Gram tensor [N, positions, positions, taps] of the factored form (64 MiB). */
const MAX_PATCH_GRAM_SIZE = 2 ** 24;

/**
 * [out, taps]: Σ over examples n and columns c of the squared per-column kernel gradients G[c, n] = S[c, n]ᵀ P_n,
 * from the patches P [N, positions, taps] and the factors rows [C, N, positions, out]. Whichever is cheaper of:
 * materialising G a block of examples at a time, or (few output positions) the factored form
 * Σ_n Σ_{s,s'} (P_n P_nᵀ)[s,s'] (S_n S_nᵀ)[s,s'] summed over columns first, as one product.
 */
export function convKernelDiagonal(p: tf.Tensor3D, rows: tf.Tensor4D, { form, maxBlockSize = MAX_BLOCK_SIZE }: KernelDiagonalOptions = {}): tf.Tensor2D {
  const [columns, n, positions] = rows.shape;
  const taps = p.shape[2];
  // Per example and (out, tap) the factored form costs about positions² multiply-adds, the blocked one
  // columns·positions (wasm: about equal at 16 positions and 10 columns; cpu: blocked 1.5× faster there).
  const factored = form ? form === 'factored' : positions <= columns && n * positions * positions * taps <= MAX_PATCH_GRAM_SIZE;
  return factored ? factoredKernelDiagonal(p, rows) : blockedKernelDiagonal(p, rows, maxBlockSize);
}

/** For tests and benchmarks: force one form, or smaller blocks. */
export interface KernelDiagonalOptions {
  form?: 'blocked' | 'factored';
  maxBlockSize?: number;
}

/** G for all columns of one example at once, [C·out, positions] × [positions, taps], a block of examples at a time. */
function blockedKernelDiagonal(p: tf.Tensor3D, rows: tf.Tensor4D, maxBlockSize: number): tf.Tensor2D {
  const [columns, n, positions, out] = rows.shape;
  const taps = p.shape[2];
  const block = Math.max(1, Math.min(n, Math.floor(maxBlockSize / (columns * out * taps))));
  const perExample = tf.reshape(tf.transpose(rows, [1, 0, 3, 2]), [n, columns * out, positions]) as tf.Tensor3D;
  let sum = tf.zeros([1, out * taps]);
  for (let start = 0; start < n; start += block) {
    const next = tf.tidy(() => {
      const size = Math.min(block, n - start);
      const slice = <T extends tf.Tensor3D>(t: T) => (size === n ? t : (tf.slice(t, [start, 0, 0], [size, -1, -1]) as T));
      const g = batchProducts(slice(perExample), slice(p));
      return tf.add(sum, sumAxis(tf.reshape(tf.square(g), [size * columns, out * taps]), 0));
    });
    sum.dispose();
    sum = next;
  }
  perExample.dispose();
  return tf.reshape(sum, [out, taps]) as tf.Tensor2D;
}

/** Σ_n Σ_{s,s'} (S_n S_nᵀ)[s, s', o] (P_n P_nᵀ)[s, s', k], with S_n S_nᵀ summed over columns. */
function factoredKernelDiagonal(p: tf.Tensor3D, rows: tf.Tensor4D): tf.Tensor2D {
  const [, n, positions, out] = rows.shape;
  const taps = p.shape[2];
  const perOutput = tf.transpose(rows, [1, 3, 2, 0]); // [N, out, positions, columns]
  const outputGram = tf.transpose(matMul(perOutput, perOutput, false, true), [0, 2, 3, 1]); // [N, s, s', out]
  const patchGram = tf.mul(tf.reshape(p, [n, positions, 1, taps]), tf.reshape(p, [n, 1, positions, taps]));
  const pairs = n * positions * positions;
  return matMul(tf.reshape(outputGram, [pairs, out]) as tf.Tensor2D, tf.reshape(patchGram, [pairs, taps]) as tf.Tensor2D, true, false);
}
