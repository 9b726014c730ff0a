import * as tf from '@tensorflow/tfjs';
import { conv2dFitted, fitAxis } from './conv-geometry.js';

/**
 * Conv2DBackpropInput for wasm as one forward convolution (XNNPACK, several times faster than the stock loops;
 * on the cpu backend, whose forward convolution is a loop too, it is slower than the stock kernel):
 * dx is the full correlation of dy, spread out by the strides, with the filter flipped in space and its
 * in/out channels swapped. Ops run inside a kernel are not taped, so this is safe under tf.grad.
 */
function conv2DBackpropInput({ inputs, attrs }: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): tf.Tensor {
  const { strides, pad, dimRoundingMode, inputShape, dataFormat } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  if (dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropInput (replacement): dataFormat ${dataFormat} is not supported, only NHWC`);
  const dy = inputs.dy as tf.Tensor4D;
  const filter = inputs.filter as tf.Tensor4D;
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  return tf.tidy(() => {
    const spread = spreadByStrides(dy, info.strideHeight, info.strideWidth);
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
    // dx[h] = Σ_i spread[h + top − i]·W[i]: a correlation with the flipped filter that starts kh − 1 − top early.
    const axis = (length: number, kernel: number, before: number, spreadLength: number) =>
      fitAxis(spreadLength, kernel - 1 - before, length + before - spreadLength);
    return conv2dFitted(
      spread,
      flipped,
      axis(info.inHeight, info.filterHeight, info.padInfo.top, spread.shape[1]),
      axis(info.inWidth, info.filterWidth, info.padInfo.left, spread.shape[2]),
    );
  });
}

/** dy with strides − 1 zeros between neighbouring positions, so that a stride-1 correlation sees the gaps. */
function spreadByStrides(dy: tf.Tensor4D, strideHeight: number, strideWidth: number): tf.Tensor4D {
  if (strideHeight === 1 && strideWidth === 1) return dy;
  const [n, h, w, c] = dy.shape;
  const gaps = tf.pad(tf.reshape(dy, [n, h, 1, w, 1, c]), [
    [0, 0],
    [0, 0],
    [0, strideHeight - 1],
    [0, 0],
    [0, strideWidth - 1],
    [0, 0],
  ]);
  const full = tf.reshape<tf.Rank.R4>(gaps, [n, h * strideHeight, w * strideWidth, c]);
  return tf.slice(full, [0, 0, 0, 0], [n, (h - 1) * strideHeight + 1, (w - 1) * strideWidth + 1, c]);
}

export const conv2DBackpropInputWasm: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as tf.KernelFunc,
};
