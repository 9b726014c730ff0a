import * as tf from '@tensorflow/tfjs';
import { avgPoolCorrection } from './avg_pool_counts.js';

/** AvgPool's gradient, the exact transpose of the pooling also where 'same' padding cuts a window. */
export const avgPoolGradConfig: tf.GradConfig = {
  kernelName: tf.AvgPool,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as tf.Tensor4D[];
    const poolAttrs = attrs as unknown as tf.AvgPoolAttrs;
    return {
      x: () => {
        const scaled = tf.mul(dy as tf.Tensor4D, avgPoolCorrection(x.shape, poolAttrs));
        return tf.engine().runKernel(tf.AvgPoolGrad, { dy: scaled, input: x }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
      },
    };
  },
};
