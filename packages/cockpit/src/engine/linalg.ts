import * as tf from '@tensorflow/tfjs';

/** Swaps the last two axes. */
export function transposeLast<T extends tf.Tensor>(t: T): T {
  const axes = t.shape.map((_, i) => i);
  [axes[t.rank - 2], axes[t.rank - 1]] = [axes[t.rank - 1]!, axes[t.rank - 2]!];
  return tf.transpose(t, axes);
}

/**
 * tf.matMul with the transposes done as separate ops: tfjs-wasm's BatchMatMul runs 3–10× slower with its own
 * transpose flags than a transpose (memory-bound) followed by a plain product.
 */
export function matMul<T extends tf.Tensor>(a: T, b: T, transposeA = false, transposeB = false): T {
  return tf.matMul(transposeA ? transposeLast(a) : a, transposeB ? transposeLast(b) : b) as unknown as T;
}
