// im2col (both layouts) against a loop over its definition: patch row (n, y, x), entry (i, j, c) is a[n, y·sh + i − top, x·sw + j − left, c], 0 outside.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@flightdeck/core';
import { patches } from '../../src/engine/patches.js';
import { BACKENDS, randn, useBackend } from './helpers.js';

function bruteForce(a: number[][][][], info: tf.backend_util.Conv2DInfo): number[] {
  const out: number[] = [];
  const [h, w] = [a[0]!.length, a[0]![0]!.length];
  for (const image of a) {
    for (let y = 0; y < info.outHeight; y++) {
      for (let x = 0; x < info.outWidth; x++) {
        for (let i = 0; i < info.filterHeight; i++) {
          for (let j = 0; j < info.filterWidth; j++) {
            const [r, q] = [y * info.strideHeight + i - info.padInfo.top, x * info.strideWidth + j - info.padInfo.left];
            const inside = r >= 0 && r < h && q >= 0 && q < w;
            for (let c = 0; c < image[0]![0]!.length; c++) out.push(inside ? image[r]![q]![c]! : 0);
          }
        }
      }
    }
  }
  return out;
}

describe.each(BACKENDS)('patches (im2col) on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each([
    [[2, 7, 6, 3], [3, 3], [2, 2], 'same'],
    [[2, 6, 6, 2], [5, 5], [1, 1], 'valid'],
    [[1, 5, 8, 4], [2, 3], [2, 1], 'same'],
    [[3, 9, 9, 1], [3, 3], [3, 3], 'valid'],
    [[2, 4, 5, 2], [5, 5], [1, 1], 'same'],
  ] as const)('of %j with kernel %j, strides %j, %s matches the loop', (shape, kernel, strides, pad) => {
    tf.tidy(() => {
      const a = randn(new Rng(5), [...shape]) as tf.Tensor4D;
      const info = tf.backend_util.computeConv2DInfo([...shape], [kernel[0], kernel[1], shape[3], 4], [...strides], 1, pad);
      const [positions, taps] = [info.outHeight * info.outWidth, kernel[0] * kernel[1] * shape[3]];
      const expected = bruteForce(a.arraySync(), info).map(Math.fround);
      const rows = patches(a, info);
      expect(rows.shape).toEqual([shape[0], positions, taps]);
      expect(Array.from(rows.dataSync())).toEqual(expected);
      // 'columns': entry (n, t, p) of the transpose is the loop's (n, p, t).
      const columns = patches(a, info, 'columns');
      expect(columns.shape).toEqual([shape[0], taps, positions]);
      const values = columns.dataSync();
      expect(Array.from(values, (_, k) => {
        const [n, t, p] = [Math.floor(k / (taps * positions)), Math.floor(k / positions) % taps, k % positions];
        return expected[(n * positions + p) * taps + t]!;
      })).toEqual(Array.from(values));
    });
  });
});
