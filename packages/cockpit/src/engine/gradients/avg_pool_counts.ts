import * as tf from '@tensorflow/tfjs';

/**
 * avgPool divides each window by the number of input entries it covers (padding excluded), but tfjs 4.22's
 * AvgPoolGrad divides by the full window size: its gradient is wrong wherever 'same' padding cuts a window.
 * This is (full window size) / (covered entries) per output position, [1, outH, outW, 1], to correct it.
 */
export function avgPoolCorrection(inputShape: number[], attrs: tf.AvgPoolAttrs): tf.Tensor4D {
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  const info = tf.backend_util.computePool2DInfo(inputShape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const ones = tf.ones([1, info.inHeight, info.inWidth, 1]) as tf.Tensor4D;
  const window = tf.ones([info.filterHeight, info.filterWidth, 1, 1]) as tf.Tensor4D;
  const covered = tf.conv2d(ones, window, [info.strideHeight, info.strideWidth], pad, 'NHWC', 1, dimRoundingMode);
  return tf.div(info.filterHeight * info.filterWidth, covered);
}
