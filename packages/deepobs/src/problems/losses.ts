import * as tf from '@tensorflow/tfjs';

/**
 * Per-example softmax cross-entropy from differentiable ops (logits − logSumExp), so that second derivatives
 * work (tfjs's softmaxCrossEntropy and logSoftmax are custom-gradient ops). logits [..., C], labels [...] int32.
 */
export function softmaxCrossEntropy(logits: tf.Tensor, labels: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const classes = logits.shape[logits.shape.length - 1];
    const logProbs = tf.sub(logits, tf.logSumExp(logits, -1, true));
    return tf.neg(tf.sum(tf.mul(tf.oneHot(labels.toInt(), classes), logProbs), -1));
  });
}

/** Fraction of positions where the arg-max of the logits equals the label. */
export function accuracy(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(logits, -1), labels.toInt()), 'float32')) as tf.Scalar);
}

/** DeepOBS's L2 term (λ/2)·Σ‖W‖² over the given kernels; zero when λ is 0 or there are none. */
export function l2Regularizer(kernels: tf.Tensor[], weightDecay: number): tf.Scalar {
  return tf.tidy(() => {
    if (weightDecay === 0 || kernels.length === 0) return tf.scalar(0);
    return tf.mul(weightDecay / 2, tf.addN(kernels.map((k) => tf.sum(tf.square(k))))) as tf.Scalar;
  });
}
