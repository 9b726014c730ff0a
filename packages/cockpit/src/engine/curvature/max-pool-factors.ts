import * as tf from '@tensorflow/tfjs';
import { firstMaxima } from '../gradients/window_taps_last.js';
import type { WindowInfo } from '../patches.js';

/**
 * Carries C columns of factors s [C·N, outH, outW, ch] back through max pooling at its input a [N, H, W, ch]: each
 * window's entry goes to the window's first maximum, summed where windows overlap (MaxPoolGrad's rule). The
 * maxima are found once for the N examples and every column is scattered by one ScatterNd; MaxPoolGrad on the
 * input tiled C times would find the same maxima C times (on cpu 2.8 s of a 15 s diag_h for the 3c3d).
 */
export function maxPoolFactorBackprop(s: tf.Tensor4D, columns: number, a: tf.Tensor4D, info: WindowInfo): tf.Tensor4D {
  const [n, height, width, channels] = a.shape;
  const { outHeight, outWidth, strideHeight, strideWidth, filterWidth, padInfo } = info;
  const int = (v: number) => tf.scalar(v, 'int32');
  const tap = firstMaxima(a, info);
  const tapRow = tf.floorDiv(tap, int(filterWidth));
  const tapColumn = tf.sub(tap, tf.mul(tapRow, int(filterWidth)));
  const range = (length: number, f: (i: number) => number) => Int32Array.from({ length }, (_, i) => f(i));
  // Flat index of the maximum in [C·N, H, W, ch]: ((k·N + n)·H + y·sh + row − top)·W + x·sw + column − left)·ch + c.
  const rows = tf.add(tf.add(tapRow, tf.tensor4d(range(outHeight, (y) => y * strideHeight - padInfo.top), [1, outHeight, 1, 1], 'int32')), tf.tensor4d(range(n, (i) => i * height), [n, 1, 1, 1], 'int32'));
  const columnsInRow = tf.add(tapColumn, tf.tensor4d(range(outWidth, (x) => x * strideWidth - padInfo.left), [1, 1, outWidth, 1], 'int32'));
  const position = tf.add(tf.mul(tf.add(tf.mul(rows, int(width)), columnsInRow), int(channels)), tf.tensor4d(range(channels, (c) => c), [1, 1, 1, channels], 'int32'));
  const size = n * height * width * channels;
  const indices = tf.add(tf.reshape(position, [1, -1]), tf.tensor2d(range(columns, (k) => k * size), [columns, 1], 'int32'));
  const scattered = tf.scatterND(tf.reshape(indices, [-1, 1]), tf.reshape(s, [-1]), [columns * size]);
  return tf.reshape(scattered, [columns * n, height, width, channels]) as tf.Tensor4D;
}
