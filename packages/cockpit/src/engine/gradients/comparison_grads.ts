import * as tf from '@tensorflow/tfjs';

/**
 * Comparisons are piecewise constant: zero gradients. Stock tfjs registers none for most of them, so a second
 * backward pass through Max/Min/ReLU masks throws.
 */
function zeroGradConfig(kernelName: string): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['a', 'b'],
    gradFunc: (_dy, saved) => {
      const [a, b] = saved as tf.Tensor[];
      return { a: () => tf.zerosLike(a), b: () => tf.zerosLike(b) };
    },
  };
}

export const comparisonGradConfigs: tf.GradConfig[] = [tf.Equal, tf.NotEqual, tf.Greater, tf.Less, tf.LessEqual].map(
  zeroGradConfig,
);
