import * as tf from '@tensorflow/tfjs';
import { avgPoolCorrection } from './avg_pool_counts.js';

/**
 * AvgPoolGrad (as tfjs computes it: every window divided by its full size) is linear in dy; its gradient with
 * respect to dy is the pooling with that same divisor, i.e. avgPool rescaled by covered/full entries.
 */
export const avgPoolGradGradConfig: tf.GradConfig = {
  kernelName: tf.AvgPoolGrad,
  inputsToSave: ['input'],
  gradFunc: (ddx, saved, attrs) => {
    const [input] = saved as tf.Tensor4D[];
    const poolAttrs = attrs as unknown as tf.AvgPoolAttrs;
    const { filterSize, strides, pad } = poolAttrs;
    return {
      dy: () => tf.div(tf.avgPool(ddx as tf.Tensor4D, filterSize, strides, pad), avgPoolCorrection(input.shape, poolAttrs)),
      input: () => tf.zerosLike(input),
    };
  },
};
