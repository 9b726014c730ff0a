import * as tf from '@tensorflow/tfjs';

/** AvgPoolGrad is the transpose of the (linear) average pooling, so its gradient with respect to dy is avgPool. */
export const avgPoolGradGradConfig: tf.GradConfig = {
  kernelName: tf.AvgPoolGrad,
  inputsToSave: ['input'],
  gradFunc: (ddx, saved, attrs) => {
    const [input] = saved as tf.Tensor4D[];
    const { filterSize, strides, pad } = attrs as unknown as tf.AvgPoolGradAttrs;
    return {
      dy: () => tf.avgPool(ddx as tf.Tensor4D, filterSize, strides, pad),
      input: () => tf.zerosLike(input),
    };
  },
};
