import * as tf from '@tensorflow/tfjs';
import { conv2dFitted, fitAxis } from './conv-geometry.js';

/**
 * Conv2DBackpropFilter as one forward convolution (tfjs-wasm has no such kernel; the cpu backend's is a loop with
 * index arithmetic per product, 40× slower than its own forward convolution):
 * dW[i, j, c, o] = Σ_{n, y, x} x[n, y·s + i, x·s + j, c]·dy[n, y, x, o] is a valid correlation of x with batch and
 * channels swapped, [c, H, W, n], and dy as the filter, [y, x, n, o], dilated by the strides. Ops run inside a
 * kernel are not taped, so this is safe under tf.grad.
 */
function conv2DBackpropFilter({ inputs, attrs }: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): tf.Tensor {
  const { strides, pad, dimRoundingMode, filterShape, dataFormat } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter (replacement): dataFormat ${dataFormat} is not supported, only NHWC`);
  const x = inputs.x as tf.Tensor4D;
  const dy = inputs.dy as tf.Tensor4D;
  const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  // Pad after so that exactly kernel-size positions come out (strides can leave trailing rows of x unread).
  const axis = (length: number, kernel: number, before: number, outLength: number, stride: number) =>
    fitAxis(length, before, kernel + (outLength - 1) * stride - length - before);
  const rows = axis(info.inHeight, info.filterHeight, info.padInfo.top, info.outHeight, info.strideHeight);
  const cols = axis(info.inWidth, info.filterWidth, info.padInfo.left, info.outWidth, info.strideWidth);
  // Padding so wide that every window misses x: nothing reaches the filter.
  if (!rows || !cols) return tf.zeros(filterShape);
  return tf.tidy(() => {
    const gradient = conv2dFitted(tf.transpose(x, [3, 1, 2, 0]), tf.transpose(dy, [1, 2, 0, 3]), rows, cols, [
      info.strideHeight,
      info.strideWidth,
    ]);
    return tf.transpose(gradient, [1, 2, 0, 3]);
  });
}

export const conv2DBackpropFilterWasm: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc,
};

export const conv2DBackpropFilterCpu: tf.KernelConfig = { ...conv2DBackpropFilterWasm, backendName: 'cpu' };
