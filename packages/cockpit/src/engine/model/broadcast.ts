import * as tf from '@tensorflow/tfjs';

/**
 * Multiplies factors s [C·N, ...] by a per-example tensor t [N, ...], the same for each of the C columns (as a
 * same-shape product: the cpu backend's broadcasting multiply is an order of magnitude slower).
 */
export function mulPerExample(s: tf.Tensor, columns: number, t: tf.Tensor): tf.Tensor {
  return tf.mul(s, tf.reshape(tileColumns(t, columns), s.shape));
}

/**
 * Stacks C copies of a per-example tensor a [N, ...] into [C·N, ...], column-major like the factors (concat: wasm's
 * Tile is about 25× slower).
 */
export function tileColumns(a: tf.Tensor, columns: number): tf.Tensor {
  return columns === 1 ? a : tf.concat(Array.from({ length: columns }, () => a));
}

/** The vector-Jacobian product of a parameter-free map f at a, for each of the C columns of s, by autodiff. */
export function vjpPerColumn(f: (t: tf.Tensor) => tf.Tensor, s: tf.Tensor, columns: number, a: tf.Tensor): tf.Tensor {
  return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), s)))(tileColumns(a, columns));
}
