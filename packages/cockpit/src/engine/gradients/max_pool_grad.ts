import * as tf from '@tensorflow/tfjs';

/**
 * MaxPool's gradient, with the pooled output recomputed from the saved input (stock tfjs saves the output, which a
 * second backward pass never reaches).
 */
export const maxPoolGradConfig: tf.GradConfig = {
  kernelName: tf.MaxPool,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as tf.Tensor4D[];
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolAttrs;
    return {
      x: () => {
        const y = tf.maxPool(x, filterSize, strides, pad, dimRoundingMode);
        return tf.engine().runKernel(tf.MaxPoolGrad, { dy: dy as tf.Tensor, input: x, output: y }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
      },
    };
  },
};
