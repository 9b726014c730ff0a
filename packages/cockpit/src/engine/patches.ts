import * as tf from '@tensorflow/tfjs';
import { registerJsKernel, withBackendViews } from '@flightdeck/core';

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

/**
 * im2col: [N, outH·outW, kh·kw·C], the patch layout that matches a [kh, kw, C, O] kernel flattened to rows; with
 * `layout` 'columns' its transpose [N, kh·kw·C, outH·outW]. The cpu and wasm backends copy the patches in one JS
 * pass (the strided slices and their concatenation, or a transpose afterwards, took about half of the per-example
 * convolution statistics on wasm); other backends compose tfjs ops. Not differentiable (the engine's statistics
 * are not taped).
 */
export function patches(x: tf.Tensor4D, info: WindowInfo, layout: PatchLayout = 'rows'): tf.Tensor3D {
  if (tf.getKernel(IM2COL, tf.getBackend())) {
    return tf.engine().runKernel(IM2COL, { x }, { window: info, layout } as unknown as tf.NamedAttrMap) as tf.Tensor3D;
  }
  const [n, , , c] = x.shape;
  const rows = tf.reshape(tf.stack(windowTaps(x, info), 3), [n, info.outHeight * info.outWidth, info.filterHeight * info.filterWidth * c]) as tf.Tensor3D;
  return layout === 'rows' ? rows : tf.transpose(rows, [0, 2, 1]);
}

/** 'rows': one row per output position (im2col); 'columns': one column per output position. */
export type PatchLayout = 'rows' | 'columns';

const IM2COL = 'FlightdeckIm2Col';

/** Rows: each output position's taps, [positions, kh·kw·C] per example; a tap's C values are read and written in a run. */
function fillRows(out: Float32Array, values: Float32Array, b: number, [h, w, c]: [number, number, number], window: WindowInfo): void {
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight, outWidth, padInfo } = window;
  const row = kh * kw * c;
  const example = b * outHeight * outWidth * row;
  for (let oy = 0; oy < outHeight; oy++) {
    for (let ox = 0; ox < outWidth; ox++) {
      const position = example + (oy * outWidth + ox) * row;
      for (let i = 0; i < kh; i++) {
        const y = oy * sh + i - padInfo.top;
        if (y < 0 || y >= h) continue;
        for (let j = 0; j < kw; j++) {
          const xx = ox * sw + j - padInfo.left;
          if (xx < 0 || xx >= w) continue;
          const src = ((b * h + y) * w + xx) * c;
          const dst = position + (i * kw + j) * c;
          for (let k = 0; k < c; k++) out[dst + k] = values[src + k]!;
        }
      }
    }
  }
}

/**
 * Columns: [kh·kw·C, positions] per example. Tap by tap, the positions go in order, so each of the tap's C rows is
 * written in sequence; position-major order wrote every value `positions` floats past the last one.
 */
function fillColumns(out: Float32Array, values: Float32Array, b: number, [h, w, c]: [number, number, number], window: WindowInfo): void {
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight, outWidth, padInfo } = window;
  const positions = outHeight * outWidth;
  const example = b * kh * kw * c * positions;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const tap = example + (i * kw + j) * c * positions;
      for (let oy = 0; oy < outHeight; oy++) {
        const y = oy * sh + i - padInfo.top;
        if (y < 0 || y >= h) continue;
        for (let ox = 0; ox < outWidth; ox++) {
          const xx = ox * sw + j - padInfo.left;
          if (xx < 0 || xx >= w) continue;
          const src = ((b * h + y) * w + xx) * c;
          const dst = tap + oy * outWidth + ox;
          for (let k = 0; k < c; k++) out[dst + k * positions] = values[src + k]!;
        }
      }
    }
  }
}

function im2colKernel({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const x = inputs.x as tf.TensorInfo;
  const { window, layout } = attrs as unknown as { window: WindowInfo; layout: PatchLayout };
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const row = window.filterHeight * window.filterWidth * c;
  const positions = window.outHeight * window.outWidth;
  const shape = layout === 'rows' ? [n, positions, row] : [n, row, positions];
  // Zero-filled: the padding.
  const { out: info, outValues: out, inputValues: [values] } = withBackendViews(backend, { shape, dtype: 'float32' }, [x]);
  const fill = layout === 'rows' ? fillRows : fillColumns;
  for (let b = 0; b < n; b++) fill(out as Float32Array, values as Float32Array, b, [h, w, c], window);
  return info;
}

registerJsKernel(IM2COL, im2colKernel);
