import * as tf from '@tensorflow/tfjs';
import { firstMaxima } from '../gradients/window_taps_last.js';
import type { WindowInfo } from '../patches.js';

/**
 * Where max pooling at input a [N, H, W, ch] takes each output entry from: the flat input index of each window's
 * first maximum (row-major, MaxPoolGrad's rule). Found once, it carries any number of directions through the
 * pooling's Jacobian (gather) and its transpose (scatter). The flat indices are counted out on the host:
 * tfjs-wasm's broadcasting int32 arithmetic costs ~100 ms for them.
 */
export class MaxPoolRouting {
  private readonly sources: Int32Array;
  private gatherIndices: tf.Tensor1D | undefined;
  private readonly inputShape: [number, number, number, number];
  private readonly outputShape: [number, number, number, number];

  constructor(a: tf.Tensor4D, info: WindowInfo) {
    const [n, height, width, channels] = a.shape;
    const { outHeight, outWidth, strideHeight, strideWidth, filterWidth, padInfo } = info;
    this.inputShape = a.shape;
    this.outputShape = [n, outHeight, outWidth, channels];
    const taps = tf.tidy(() => firstMaxima(a, info).dataSync());
    this.sources = new Int32Array(taps.length);
    let i = 0;
    for (let example = 0; example < n; example++) {
      for (let y = 0; y < outHeight; y++) {
        for (let x = 0; x < outWidth; x++) {
          for (let c = 0; c < channels; c++, i++) {
            const row = y * strideHeight - padInfo.top + Math.floor(taps[i]! / filterWidth);
            const column = x * strideWidth - padInfo.left + (taps[i]! % filterWidth);
            this.sources[i] = ((example * height + row) * width + column) * channels + c;
          }
        }
      }
    }
  }

  /** The Jacobian applied to r [N, H, W, ch]: r at each window's first maximum, [N, outH, outW, ch]. */
  gather(r: tf.Tensor): tf.Tensor4D {
    this.gatherIndices ??= tf.keep(tf.tensor1d(this.sources, 'int32'));
    return tf.reshape(tf.gather(tf.reshape(r, [-1]), this.gatherIndices), this.outputShape);
  }

  /**
   * The transposed Jacobian for C columns s [C·N, outH, outW, ch] → [C·N, H, W, ch]: each entry goes to its
   * window's first maximum, summed where windows overlap; one ScatterNd for all columns (MaxPoolGrad on the input
   * tiled C times would find the same maxima C times: on cpu 2.8 s of a 15 s diag_h for the 3c3d).
   */
  scatter(s: tf.Tensor, columns: number): tf.Tensor4D {
    const [n, height, width, channels] = this.inputShape;
    const size = n * height * width * channels;
    const count = this.sources.length;
    const indices = new Int32Array(columns * count);
    for (let k = 0; k < columns; k++) {
      for (let i = 0; i < count; i++) indices[k * count + i] = k * size + this.sources[i]!;
    }
    const scattered = tf.scatterND(tf.tensor2d(indices, [indices.length, 1], 'int32'), tf.reshape(s, [-1]), [columns * size]);
    return tf.reshape(scattered, [columns * n, height, width, channels]) as tf.Tensor4D;
  }

  dispose(): void {
    this.gatherIndices?.dispose();
  }
}

/** Carries C columns of factors s [C·N, outH, outW, ch] back through max pooling at its input a [N, H, W, ch]. */
export function maxPoolFactorBackprop(s: tf.Tensor4D, columns: number, a: tf.Tensor4D, info: WindowInfo): tf.Tensor4D {
  return new MaxPoolRouting(a, info).scatter(s, columns);
}
