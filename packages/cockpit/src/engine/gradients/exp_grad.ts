import * as tf from '@tensorflow/tfjs';

/** d exp(x) = exp(x)·dx, recomputed from the saved input so that a second backward pass sees it depend on x. */
export const expGradConfig: tf.GradConfig = {
  kernelName: tf.Exp,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved as tf.Tensor[];
    return { x: () => tf.mul(dy as tf.Tensor, tf.exp(x)) };
  },
};
