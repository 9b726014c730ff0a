import * as tf from '@tensorflow/tfjs';
import { transposeLast, unstackRows } from '@flightdeck/core';

/**
 * tf.matMul with the transposes done as separate ops: tfjs-wasm's BatchMatMul runs 3–10× slower with its own
 * transpose flags than a transpose (memory-bound) followed by a plain product.
 */
export function matMul<T extends tf.Tensor>(a: T, b: T, transposeA = false, transposeB = false): T {
  return tf.matMul(transposeA ? transposeLast(a) : a, transposeB ? transposeLast(b) : b) as unknown as T;
}

/**
 * Σ over one axis as a product with a vector of ones: tfjs-wasm's Sum over any axis but the last transposes first
 * and is 10–50× slower (seconds for per-example gradients).
 */
export function sumAxis(t: tf.Tensor, axis: number): tf.Tensor {
  const before = t.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const length = t.shape[axis]!;
  const after = t.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  // A plain product where possible: wasm's batched matMul is far slower even with a batch of one.
  const summed =
    before === 1
      ? tf.matMul(tf.ones([1, length]), tf.reshape(t, [length, after]))
      : tf.matMul(tf.ones([1, 1, length]), tf.reshape(t, [before, length, after]));
  return tf.reshape(summed, [...t.shape.slice(0, axis), ...t.shape.slice(axis + 1)]);
}

/**
 * A float32 tensor's values on the host, in an array that spans its own buffer (so that postMessage copies only
 * these values). The array may be the backend's own storage (cpu): read it, never write.
 */
export function hostValues(t: tf.Tensor): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`hostValues: float32 expected, got ${t.dtype}`);
  const values = t.dataSync() as Float32Array;
  return values.byteLength === values.buffer.byteLength ? values : values.slice();
}

/**
 * Per-example outer products a_n b_nᵀ: [N, p] × [N, q] → [N, p, q]. The cpu backend's broadcasting multiply does
 * index arithmetic per element (about 10× slower than its batched matMul with inner size 1); on wasm it is the
 * other way round.
 */
export function outerProducts(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor3D {
  const [n, p] = a.shape;
  const q = b.shape[1];
  const column = tf.reshape(a, [n, p, 1]) as tf.Tensor3D;
  const row = tf.reshape(b, [n, 1, q]) as tf.Tensor3D;
  return tf.getBackend() === 'cpu' ? tf.matMul(column, row) : tf.mul(column, row);
}

/**
 * The products a_b · b_b of a batch, [B, m, k] × [B, k, n] → [B, m, n]. tfjs-wasm's BatchMatMul with a batch runs at
 * about 1 GFLOP/s, 10–25× slower than its 2-D product, so on wasm each product is a 2-D one on the operands' rows
 * (unstackRows: wasm's own Slice is far slower still).
 */
export function batchProducts(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  if (tf.getBackend() !== 'wasm') return tf.matMul(a, b);
  const [rowsA, rowsB] = [unstackRows(a), unstackRows(b)];
  const products = rowsA.map((r, i) => tf.matMul(r as tf.Tensor2D, rowsB[i] as tf.Tensor2D));
  const out = tf.stack(products) as tf.Tensor3D;
  tf.dispose([...rowsA, ...rowsB, ...products]);
  return out;
}
