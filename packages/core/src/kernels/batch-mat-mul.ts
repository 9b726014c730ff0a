// BatchMatMul for wasm: the stock kernel is 5–35× slower with a transpose flag set (the layout every matMul
// gradient asks for) than an explicit transpose followed by a plain product.
import * as tf from '@tensorflow/tfjs';
import { stockKernelFor } from './stock-kernels.js';
import { transposeLast } from './transpose-last.js';

/**
 * Plain products go to wasm's _FusedMatMul (the same XNNPACK product as the stock BatchMatMul, here without bias
 * or activation); calling BatchMatMul from inside would come back to this kernel.
 */
function batchMatMul(args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { inputs, attrs } = args;
  const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
  const a = inputs.a as tf.Tensor;
  const b = inputs.b as tf.Tensor;
  // _FusedMatMul flattens the batch axes, so it broadcasts only a batch of one; other broadcasts go to the stock kernel.
  if (!fusedHandlesBatch(a.shape.slice(0, -2), b.shape.slice(0, -2))) {
    return stockKernelFor(batchMatMulWasm)(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  }
  return tf.tidy(() =>
    tf.fused.matMul({ a: transposeA ? transposeLast(a) : a, b: transposeB ? transposeLast(b) : b }),
  );
}

function fusedHandlesBatch(batchA: number[], batchB: number[]): boolean {
  const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
  if (size(batchA) === 1 || size(batchB) === 1) return true;
  return batchA.length === batchB.length && batchA.every((d, i) => d === batchB[i]);
}

export const batchMatMulWasm: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul as unknown as tf.KernelFunc,
};
