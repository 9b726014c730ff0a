import * as tf from '@tensorflow/tfjs';
import type { WindowInfo } from '../patches.js';

/**
 * Every window tap of a pooling window as the last axis: [N, outH, outW, C, taps], taps in row-major order, as a
 * depthwise convolution with one-hot filters (a tap is x·1 plus exact zeros, so the values are exact). tfjs-wasm's
 * StridedSlice, the other way to take taps, costs 10–20 ms per tap on a 32×13×13×64 input; this is one kernel.
 * Padding is filled with `padValue`, which must be finite (0·∞ would turn a whole window into NaN).
 */
export function windowTapsLast(x: tf.Tensor4D, info: WindowInfo, padValue: number): tf.Tensor {
  const { top, bottom, left, right } = info.padInfo;
  const [n, , , channels] = x.shape;
  const kh = info.filterHeight;
  const kw = info.filterWidth;
  const taps = kh * kw;
  const padded = top || bottom || left || right ? tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]], padValue) : x;
  const filter = new Float32Array(taps * channels * taps);
  // filter[i, j, c, t] = 1 where t = i·kw + j.
  for (let t = 0; t < taps; t++) for (let c = 0; c < channels; c++) filter[(t * channels + c) * taps + t] = 1;
  const out = tf.depthwiseConv2d(padded, tf.tensor4d(filter, [kh, kw, channels, taps]), [info.strideHeight, info.strideWidth], 'valid');
  return tf.reshape(out, [n, info.outHeight, info.outWidth, channels, taps]);
}

/** Below every value a pooled input holds; finite, because the taps come from a convolution. */
const BELOW_EVERYTHING = -3.4028234663852886e38;

/**
 * For each pooling window, the tap (row-major index in the window) of its first maximum: [N, outH, outW, C] int32.
 * First wins, as in the MaxPool and MaxPoolGrad kernels; padding never wins.
 */
export function firstMaxima(x: tf.Tensor4D, info: WindowInfo): tf.Tensor4D {
  return tf.argMax(windowTapsLast(x, info, BELOW_EVERYTHING), 4) as tf.Tensor4D;
}
