import * as tf from '@tensorflow/tfjs';
import { firstMaxima } from '../gradients/window_taps_last.js';
import type { WindowInfo } from '../patches.js';

/**
 * Carries C columns of factors s [C·N, outH, outW, ch] back through max pooling at its input a [N, H, W, ch]: each
 * window's entry goes to the window's first maximum, summed where windows overlap (MaxPoolGrad's rule). The
 * maxima are found once for the N examples and every column is scattered by one ScatterNd; MaxPoolGrad on the
 * input tiled C times would find the same maxima C times (on cpu 2.8 s of a 15 s diag_h for the 3c3d). The flat
 * indices are counted out on the host: tfjs-wasm's broadcasting int32 arithmetic costs ~100 ms for them.
 */
export function maxPoolFactorBackprop(s: tf.Tensor4D, columns: number, a: tf.Tensor4D, info: WindowInfo): tf.Tensor4D {
  const [n, height, width, channels] = a.shape;
  const { outHeight, outWidth, strideHeight, strideWidth, filterWidth, padInfo } = info;
  const taps = tf.tidy(() => firstMaxima(a, info).dataSync());
  const size = n * height * width * channels;
  const indices = new Int32Array(columns * taps.length);
  let i = 0;
  for (let example = 0; example < n; example++) {
    for (let y = 0; y < outHeight; y++) {
      for (let x = 0; x < outWidth; x++) {
        for (let c = 0; c < channels; c++, i++) {
          const row = y * strideHeight - padInfo.top + Math.floor(taps[i]! / filterWidth);
          const column = x * strideWidth - padInfo.left + (taps[i]! % filterWidth);
          const flat = ((example * height + row) * width + column) * channels + c;
          for (let k = 0; k < columns; k++) indices[k * taps.length + i] = k * size + flat;
        }
      }
    }
  }
  const scattered = tf.scatterND(tf.tensor2d(indices, [indices.length, 1], 'int32'), tf.reshape(s, [-1]), [columns * size]);
  return tf.reshape(scattered, [columns * n, height, width, channels]) as tf.Tensor4D;
}
