import * as tf from '@tensorflow/tfjs';

/** Swaps the last two axes (the explicit transpose that wasm's products want instead of their transpose flags). */
export function transposeLast<T extends tf.Tensor>(t: T): T {
  const axes = t.shape.map((_, i) => i);
  [axes[t.rank - 2], axes[t.rank - 1]] = [axes[t.rank - 1]!, axes[t.rank - 2]!];
  return tf.transpose(t, axes);
}
