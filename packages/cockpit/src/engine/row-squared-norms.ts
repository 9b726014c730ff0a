// rowSquaredNorms: ‖x[n]‖² for every row of [N, P] materialised per-example gradients. As ops it is a Square and a
// Sum over the last axis: 31 ms on wasm for 128 × 110,592 values (the 3c3d's third convolution at CIFAR-10 size).
// The cpu and wasm backends get one JS pass per row (9 ms; squaredDistance's float64 loop). Products with a vector
// stay with the backend, whose SIMD product beats a JS loop there (11 ms against 16).
import * as tf from '@tensorflow/tfjs';
import { registerJsKernel, withBackendViews } from '@flightdeck/core';
import { sumSquares } from './squared-distance.js';

const KERNEL = 'FlightdeckRowSquaredNorms';

function rowSquaredNormsKernel({ inputs, backend }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const x = inputs.x as tf.TensorInfo;
  const [rows, size] = x.shape as [number, number];
  const { out, outValues, inputValues: [values] } = withBackendViews(backend, { shape: [rows], dtype: 'float32' }, [x]);
  for (let n = 0; n < rows; n++) outValues[n] = sumSquares(values as Float32Array, n * size, (n + 1) * size);
  return out;
}

registerJsKernel(KERNEL, rowSquaredNormsKernel);

/** ‖x[n]‖² for every row of x [N, P]: [N]. */
export function rowSquaredNorms(x: tf.Tensor2D): tf.Tensor1D {
  if (x.dtype !== 'float32') throw new Error(`rowSquaredNorms: float32 expected, got ${x.dtype}`);
  if (!tf.getKernel(KERNEL, tf.getBackend())) return tf.tidy(() => tf.sum(tf.square(x), 1));
  return tf.engine().runKernel(KERNEL, { x } as unknown as tf.NamedTensorMap) as tf.Tensor1D;
}
