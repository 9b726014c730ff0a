import * as tf from '@tensorflow/tfjs';

/**
 * Conv2DBackpropFilter(x, dy) is bilinear: ⟨W', filterGrad(x, dy)⟩ = ⟨conv2d(x, W'), dy⟩. So its gradient is the
 * input gradient of a convolution with W' = ddw (for x) and the convolution with ddw itself (for dy).
 */
export const conv2DBackpropFilterGradConfig: tf.GradConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  inputsToSave: ['x', 'dy'],
  gradFunc: (ddw, saved, attrs) => {
    const [x, dy] = saved as tf.Tensor4D[];
    const { strides, pad, dimRoundingMode } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    const filter = ddw as tf.Tensor4D;
    return {
      x: () => tf.conv2dTranspose(dy, filter, x.shape, strides, pad as 'valid' | 'same', dimRoundingMode),
      dy: () => tf.conv2d(x, filter, strides, pad as 'valid' | 'same', 'NHWC', 1, dimRoundingMode),
    };
  },
};
