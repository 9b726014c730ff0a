import * as tf from '@tensorflow/tfjs';

/** tanh'(x) = 1 − tanh²(x), with tanh(x) recomputed from the saved input (stock tfjs saves the output: wrong HVPs). */
export const tanhGradConfig: tf.GradConfig = {
  kernelName: tf.Tanh,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved as tf.Tensor[];
    return { x: () => tf.mul(dy as tf.Tensor, tf.sub(1, tf.square(tf.tanh(x)))) };
  },
};
