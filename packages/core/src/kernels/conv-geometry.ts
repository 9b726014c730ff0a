// Backprop convolutions rewritten as forward convolutions need paddings that can come out negative (explicit
// paddings larger than the kernel, strides that leave trailing rows unread); a forward conv only pads, so the
// negative part becomes a crop of its input.
import * as tf from '@tensorflow/tfjs';

export interface AxisFit {
  /** Rows or columns to drop from the start and keep, of the input along this axis. */
  begin: number;
  size: number;
  /** Zero padding the forward convolution adds before and after. */
  padBefore: number;
  padAfter: number;
}

/**
 * Fits an axis of `length` to read `before` padding first and `after` padding last (either may be negative);
 * null when the crops leave nothing of it, so that the convolution reads only zeros.
 */
export function fitAxis(length: number, before: number, after: number): AxisFit | null {
  const begin = Math.max(0, -before);
  const size = length - begin - Math.max(0, -after);
  return size > 0 ? { begin, size, padBefore: Math.max(0, before), padAfter: Math.max(0, after) } : null;
}

/** Forward NHWC convolution of `x` whose spatial axes are first padded or cropped as `rows` and `cols` say. */
export function conv2dFitted(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  rows: AxisFit,
  cols: AxisFit,
  dilations: [number, number] = [1, 1],
): tf.Tensor4D {
  const cropped =
    rows.begin === 0 && cols.begin === 0 && rows.size === x.shape[1] && cols.size === x.shape[2]
      ? x
      : tf.slice(x, [0, rows.begin, cols.begin, 0], [-1, rows.size, cols.size, -1]);
  const padding: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [rows.padBefore, rows.padAfter],
    [cols.padBefore, cols.padAfter],
    [0, 0],
  ];
  return tf.conv2d(cropped, filter, 1, padding, 'NHWC', dilations);
}
