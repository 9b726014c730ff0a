// binCounts: histogram counts of a float32 tensor (or of pairs with a second one) in one pass over the backend's
// own memory, downloading nothing. The cpu and wasm backends get a JS kernel (tfjs's bincount is about ten times
// slower than an elementwise op there, and the tf-op route needs four more passes over inputs of hundreds of MB);
// other backends run the same rule as tfjs ops.
import * as tf from '@tensorflow/tfjs';
import { registerJsKernel, withBackendViews } from '@flightdeck/core';
import { type Axis, binIndices, binParameters, countPairs, countValues } from './bin-rule.js';

export * from './bin-rule.js';

const KERNEL = 'FlightdeckBinCounts';

interface BinCountsAttrs {
  x: Axis;
  y?: Axis;
}

function binCountsKernel({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { x: xAxis, y: yAxis } = attrs as unknown as BinCountsAttrs;
  const pair = yAxis === undefined ? [] : [inputs.y as tf.TensorInfo];
  // int32: a float32 count stops growing at 2^24, and one bin can hold all the zeros of a large layer.
  const { out, outValues, inputValues: [x, y] } = withBackendViews(backend, { shape: [xAxis.bins * (yAxis?.bins ?? 1)], dtype: 'int32' }, [inputs.x as tf.TensorInfo, ...pair]);
  const counts = outValues as Int32Array;
  // x is [N, size]; a y [size] pairs with every row.
  if (yAxis === undefined) countValues(counts, x as Float32Array, xAxis);
  else countPairs(counts, x as Float32Array, xAxis, yAxis.bins, binIndices(y as Float32Array, yAxis));
  return out;
}

registerJsKernel(KERNEL, binCountsKernel);

/** The same rule as tfjs ops (in float32) for backends without the kernel. */
function binIndexOps(v: tf.Tensor, axis: Axis): tf.Tensor {
  const { scale, shift, low, high } = binParameters(axis);
  // Non-negative after clamping, so the cast's truncation is the floor.
  return tf.cast(tf.clipByValue(tf.add(tf.mul(tf.reshape(v, [-1]), scale), shift), low, high), 'int32');
}

function binCountsOps(x: tf.Tensor, y: tf.Tensor | undefined, xAxis: Axis, yAxis: Axis | undefined): tf.Tensor1D {
  return tf.tidy(() => {
    let index = binIndexOps(x, xAxis);
    if (y !== undefined && yAxis !== undefined) {
      index = tf.add(tf.mul(tf.reshape(index, [-1, y.size]), tf.scalar(yAxis.bins, 'int32')), tf.reshape(binIndexOps(y, yAxis), [1, y.size]));
    }
    return tf.bincount(tf.reshape(index, [-1]) as tf.Tensor1D, tf.tensor1d([], 'int32'), xAxis.bins * (yAxis?.bins ?? 1));
  });
}

/**
 * int32 counts of x per bin ([xBins]), or of the pairs (x[n, j], y[j]) over every row n of x ([xBins·yBins],
 * row-major [x bin, y bin]).
 */
export function binCounts(x: tf.Tensor, xAxis: Axis, pair?: { y: tf.Tensor; axis: Axis }): tf.Tensor1D {
  if (pair !== undefined && x.size % pair.y.size !== 0) throw new Error(`binCounts: ${x.size} values do not pair with ${pair.y.size}`);
  if (!tf.getKernel(KERNEL, tf.getBackend())) return binCountsOps(x, pair?.y, xAxis, pair?.axis);
  const inputs = pair ? { x, y: pair.y } : { x };
  const attrs = { x: xAxis, ...(pair ? { y: pair.axis } : {}) };
  return tf.engine().runKernel(KERNEL, inputs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor1D;
}
