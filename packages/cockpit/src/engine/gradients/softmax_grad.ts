import * as tf from '@tensorflow/tfjs';

/** Softmax's vector-Jacobian product y∘(dy − Σ dy∘y), with y recomputed from the saved logits. */
export const softmaxGradConfig: tf.GradConfig = {
  kernelName: tf.Softmax,
  inputsToSave: ['logits'],
  gradFunc: (dy, saved, attrs) => {
    const [logits] = saved as tf.Tensor[];
    const { dim } = attrs as unknown as tf.SoftmaxAttrs;
    return {
      logits: () => {
        const y = tf.softmax(logits, dim);
        const dyTimesY = tf.mul(dy as tf.Tensor, y);
        return tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [dim], true), y));
      },
    };
  },
};
