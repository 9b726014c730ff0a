import * as tf from '@tensorflow/tfjs';

/** σ'(x) = σ(x)(1 − σ(x)), with σ(x) recomputed from the saved input (stock tfjs saves the output: wrong HVPs). */
export const sigmoidGradConfig: tf.GradConfig = {
  kernelName: tf.Sigmoid,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved as tf.Tensor[];
    return {
      x: () => {
        const s = tf.sigmoid(x);
        return tf.mul(dy as tf.Tensor, tf.mul(s, tf.sub(1, s)));
      },
    };
  },
};
