import * as tf from '@tensorflow/tfjs';
import { firstMaxima, windowTapsLast } from './window_taps_last.js';

/**
 * MaxPoolGrad scatters dy to each window's first maximum (row-major), so it is linear in dy with gradient "ddx at
 * that maximum"; it is piecewise constant in the input and the pooled output. The maximum is found with argMax over
 * the window taps (first wins, as in the kernels) rather than maxPoolWithArgmax, which is wrong on wasm for windows
 * of negative values.
 */
export const maxPoolGradGradConfig: tf.GradConfig = {
  kernelName: tf.MaxPoolGrad,
  inputsToSave: ['dy', 'input'],
  gradFunc: (ddx, saved, attrs) => {
    const [dy, input] = saved as tf.Tensor4D[];
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
    return {
      dy: () => {
        const info = tf.backend_util.computePool2DInfo(input.shape, filterSize, strides, 1, pad, dimRoundingMode);
        const first = firstMaxima(input, info);
        const ddxTaps = windowTapsLast(ddx as tf.Tensor4D, info, 0);
        return tf.sum(tf.mul(tf.oneHot(first, ddxTaps.shape[4]!), ddxTaps), 4);
      },
      input: () => tf.zerosLike(input),
      output: () => tf.zerosLike(dy),
    };
  },
};
