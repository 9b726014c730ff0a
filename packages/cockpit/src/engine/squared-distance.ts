// squaredDistance: Σ (x − y)² or Σ x² over a whole tensor, the norms and distances of the parameter-sized quantities
// (GradNorm, Distance, UpdateSize, …). As ops it is a Sub, a Square and a Sum: three passes and two temporaries,
// 1.3 ms for the MNIST MLP's first kernel on wasm. The cpu and wasm backends get one JS pass over the backend's
// memory (0.4 ms), accumulating in float64.
import * as tf from '@tensorflow/tfjs';
import { registerJsKernel, withBackendViews } from '@flightdeck/core';

const KERNEL = 'FlightdeckSquaredDistance';

/**
 * Σ x[k]² over start ≤ k < end, four accumulators (one chain of additions waits on the previous one). Plain locals:
 * destructuring in this loop ran about half as fast.
 */
export function sumSquares(x: Float32Array, start = 0, end = x.length): number {
  let [s0, s1, s2, s3] = [0, 0, 0, 0];
  const end4 = end - ((end - start) % 4);
  for (let k = start; k < end4; k += 4) {
    const a = x[k];
    const b = x[k + 1];
    const c = x[k + 2];
    const d = x[k + 3];
    s0 += a * a;
    s1 += b * b;
    s2 += c * c;
    s3 += d * d;
  }
  for (let k = end4; k < end; k++) s0 += x[k] * x[k];
  return s0 + s1 + s2 + s3;
}

/** Σ (x[k] − y[k])², each difference rounded to float32 as tf.sub's is. */
function sumSquaredDifferences(x: Float32Array, y: Float32Array): number {
  let [s0, s1, s2, s3] = [0, 0, 0, 0];
  const n4 = x.length - (x.length % 4);
  for (let k = 0; k < n4; k += 4) {
    const d0 = Math.fround(x[k] - y[k]);
    const d1 = Math.fround(x[k + 1] - y[k + 1]);
    const d2 = Math.fround(x[k + 2] - y[k + 2]);
    const d3 = Math.fround(x[k + 3] - y[k + 3]);
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (let k = n4; k < x.length; k++) {
    const d = Math.fround(x[k] - y[k]);
    s0 += d * d;
  }
  return s0 + s1 + s2 + s3;
}

function squaredDistanceKernel({ inputs, backend }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const pair = inputs.y === undefined ? [] : [inputs.y as tf.TensorInfo];
  const { out, outValues, inputValues: [x, y] } = withBackendViews(backend, { shape: [], dtype: 'float32' }, [inputs.x as tf.TensorInfo, ...pair]);
  outValues[0] = y === undefined ? sumSquares(x as Float32Array) : sumSquaredDifferences(x as Float32Array, y as Float32Array);
  return out;
}

registerJsKernel(KERNEL, squaredDistanceKernel);

/** ‖x − y‖² = Σ (x − y)² over every entry (same shapes), or ‖x‖² without y, as a float32 scalar. */
export function squaredDistance(x: tf.Tensor, y?: tf.Tensor): tf.Scalar {
  for (const t of y === undefined ? [x] : [x, y]) if (t.dtype !== 'float32') throw new Error(`squaredDistance: float32 expected, got ${t.dtype}`);
  if (y !== undefined && !tf.util.arraysEqual(x.shape, y.shape)) throw new Error(`squaredDistance: shapes ${x.shape} and ${y.shape} differ`);
  if (!tf.getKernel(KERNEL, tf.getBackend())) return tf.tidy(() => tf.sum(tf.square(y === undefined ? x : tf.sub(x, y))));
  return tf.engine().runKernel(KERNEL, (y === undefined ? { x } : { x, y }) as unknown as tf.NamedTensorMap) as tf.Scalar;
}
