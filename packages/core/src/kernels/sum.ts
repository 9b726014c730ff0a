// Sum for wasm: the stock kernel transposes the reduced axes to the end first, so summing a float tensor over its
// leading axes (every bias gradient of a convolution: [batch, h, w, c] → [c]) took 70 ms for 128×28×28×64;
// as products with rows of ones it is one pass over the data.
import * as tf from '@tensorflow/tfjs';
import { stockKernelFor } from './stock-kernels.js';

function sum(args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown }): tf.TensorInfo {
  const x = args.inputs.x as tf.Tensor;
  const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  const leading = axes.length < x.rank && axes.every((a, i) => a === i);
  if (x.dtype !== 'float32' || !leading || axes.length === 0 || x.size === 0) {
    return stockKernelFor(sumWasm)(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  }
  const kept = x.shape.slice(axes.length);
  const outShape = keepDims ? [...axes.map(() => 1), ...kept] : kept;
  return tf.tidy(() => tf.reshape(sumLeadingAxes(x, axes.length), outShape));
}

/**
 * Sums of the columns of x seen as [rows, columns]. wasm's product packs its right operand on every call, so
 * one product with a row of ones would repack all of x: the first axis is summed last, over partial sums of
 * each slice along it, computed as a batch of products whose right operands are small.
 */
function sumLeadingAxes(x: tf.Tensor, count: number): tf.Tensor {
  const columns = x.shape.slice(count).reduce((a, b) => a * b, 1);
  const first = x.shape[0]!;
  const perSlice = x.size / columns / first;
  const partial =
    perSlice === 1
      ? tf.reshape(x, [first, columns])
      : tf.reshape(tf.matMul(tf.ones([1, 1, perSlice]), tf.reshape(x, [first, perSlice, columns])), [first, columns]);
  return tf.matMul(tf.ones([1, first]), partial);
}

export const sumWasm: tf.KernelConfig = {
  kernelName: tf.Sum,
  backendName: 'wasm',
  kernelFunc: sum as unknown as tf.KernelFunc,
};
