import * as tf from '@tensorflow/tfjs';

type Reduce = (x: tf.Tensor, axes: number[], keepDims: boolean) => tf.Tensor;
/** Max names its axes `reductionIndices`, Min names them `axis`. */
type AxesOf = (attrs: tf.NamedAttrMap) => number | number[];

/**
 * Max and Min route dy to the extreme entries. The extreme is recomputed from the saved input (stock tfjs uses the
 * saved output, which a second backward pass never reaches); the mask comes from Equal, which has a zero gradient.
 */
function extremumGradConfig(kernelName: string, reduce: Reduce, axesOf: AxesOf): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as tf.Tensor[];
      const axes = tf.util.parseAxisParam(axesOf(attrs), x.shape);
      return {
        x: () => {
          const y = reduce(x, axes, true);
          const keptShape = tf.backend_util.expandShapeToKeepDim((dy as tf.Tensor).shape, axes);
          const dyKept = (dy as tf.Tensor).rank < x.rank ? tf.reshape(dy as tf.Tensor, keptShape) : (dy as tf.Tensor);
          return tf.mul(dyKept, tf.cast(tf.equal(x, y), dyKept.dtype));
        },
      };
    },
  };
}

export const maxGradConfig = extremumGradConfig(
  tf.Max,
  (x, axes, keepDims) => tf.max(x, axes, keepDims),
  (attrs) => (attrs as unknown as tf.MaxAttrs).reductionIndices,
);
export const minGradConfig = extremumGradConfig(
  tf.Min,
  (x, axes, keepDims) => tf.min(x, axes, keepDims),
  (attrs) => (attrs as unknown as tf.MinAttrs).axis,
);
