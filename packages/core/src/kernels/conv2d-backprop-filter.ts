import * as tf from '@tensorflow/tfjs';

/**
 * Conv2DBackpropFilter as one matMul per kernel tap: dW[i, j] = Σ over batch and output positions of the input
 * window at tap (i, j) times dy. tfjs-backend-wasm has no such kernel (every conv weight gradient throws). Ops run
 * inside a kernel are not taped, so this is safe under tf.grad.
 */
function conv2DBackpropFilter({ inputs, attrs }: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): tf.Tensor {
  const { strides, pad, dimRoundingMode, filterShape, dataFormat } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter (wasm replacement): dataFormat ${dataFormat} is not supported, only NHWC`);
  const x = inputs.x as tf.Tensor4D;
  const dy = inputs.dy as tf.Tensor4D;
  const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const [kh, kw, inC, outC] = filterShape;
  return tf.tidy(() => {
    const { top, bottom, left, right } = info.padInfo;
    const padded = tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]);
    // dyᵀ once, and plain products: wasm's matMul is several times slower with its transpose flags.
    const dyColumns = tf.transpose(tf.reshape(dy, [-1, outC]));
    const taps: tf.Tensor[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const window = tf.stridedSlice(
          padded,
          [0, i, j, 0],
          [x.shape[0], i + info.strideHeight * (info.outHeight - 1) + 1, j + info.strideWidth * (info.outWidth - 1) + 1, inC],
          [1, info.strideHeight, info.strideWidth, 1],
        );
        taps.push(tf.matMul(dyColumns, tf.reshape(window, [-1, inC])));
      }
    }
    return tf.reshape(tf.transpose(tf.stack(taps), [0, 2, 1]), filterShape);
  });
}

export const conv2DBackpropFilterWasm: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc,
};
