import * as tf from '@tensorflow/tfjs';

/** Where a 2-D window (pooling or convolution) sits: tfjs's own Conv2DInfo carries all of it. */
export type WindowInfo = Pick<
  tf.backend_util.Conv2DInfo,
  'filterHeight' | 'filterWidth' | 'strideHeight' | 'strideWidth' | 'outHeight' | 'outWidth' | 'padInfo'
>;

/**
 * The input seen by each window tap (i, j), in row-major tap order: element [n, y, x, c] of tap (i, j) is
 * padded[n, y·sh + i, x·sw + j, c]. Padding is filled with `padValue`.
 */
export function windowTaps(x: tf.Tensor4D, info: WindowInfo, padValue = 0): tf.Tensor4D[] {
  const { top, bottom, left, right } = info.padInfo;
  const [n, , , c] = x.shape;
  const padded = top || bottom || left || right ? tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]], padValue) : x;
  const taps: tf.Tensor4D[] = [];
  for (let i = 0; i < info.filterHeight; i++) {
    for (let j = 0; j < info.filterWidth; j++) {
      const end = [n, i + info.strideHeight * (info.outHeight - 1) + 1, j + info.strideWidth * (info.outWidth - 1) + 1, c];
      taps.push(tf.stridedSlice(padded, [0, i, j, 0], end, [1, info.strideHeight, info.strideWidth, 1]) as tf.Tensor4D);
    }
  }
  return taps;
}

/** im2col: [N, outH·outW, kh·kw·C], the patch layout that matches a [kh, kw, C, O] kernel flattened to rows. */
export function patches(x: tf.Tensor4D, info: WindowInfo): tf.Tensor3D {
  const taps = windowTaps(x, info);
  const [n, , , c] = x.shape;
  return tf.reshape(tf.stack(taps, 3), [n, info.outHeight * info.outWidth, taps.length * c]);
}
