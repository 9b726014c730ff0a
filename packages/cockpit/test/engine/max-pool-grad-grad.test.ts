// MaxPoolGrad's gradient with respect to dy (what a second backward pass through max pooling uses) against two
// independent references: the adjoint identity ⟨MaxPoolGrad(dy), ddx⟩ = ⟨dy, ddy⟩ with the backend's own
// MaxPoolGrad kernel (so ties go to the maximum the kernel picks), and a brute-force loop over the windows. And
// curvature factors carried back through max pooling against the MaxPoolGrad kernel, column by column.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@flightdeck/core';
import { maxPoolFactorBackprop } from '../../src/engine/curvature/max-pool-factors.js';
import { installSecondOrderGradients } from '../../src/engine/gradients/install.js';
import { BACKENDS, randn, useBackend } from './helpers.js';

interface Pool {
  shape: [number, number, number, number];
  size: number;
  stride: number;
  pad: 'same' | 'valid';
}
const POOLS: Pool[] = [
  { shape: [2, 7, 6, 3], size: 3, stride: 2, pad: 'same' },
  { shape: [2, 6, 6, 2], size: 2, stride: 2, pad: 'valid' },
  { shape: [1, 5, 5, 4], size: 3, stride: 1, pad: 'same' },
  { shape: [3, 8, 7, 2], size: 3, stride: 2, pad: 'valid' },
];

/** Inputs from {−2, −1, 0}: windows of negative values and many ties. */
function tiedInput(rng: Rng, shape: Pool['shape']): tf.Tensor4D {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => rng.int(3) - 2), shape) as tf.Tensor4D;
}

/** ddy = ∂⟨MaxPoolGrad(dy, x, maxPool(x)), ddx⟩/∂dy through the registered gradient. */
function ddyOf(x: tf.Tensor4D, ddx: tf.Tensor, dyShape: number[], { size, stride, pad }: Pool): tf.Tensor {
  const y = tf.maxPool(x, size, stride, pad);
  const maxPoolGrad = (dy: tf.Tensor) =>
    tf.engine().runKernel(tf.MaxPoolGrad, { dy, input: x, output: y }, { filterSize: size, strides: stride, pad } as unknown as tf.NamedAttrMap) as tf.Tensor;
  return tf.grad((dy: tf.Tensor) => tf.sum(tf.mul(maxPoolGrad(dy), ddx)))(tf.zeros(dyShape));
}

/** ddx at each window's first maximum (row-major), windows placed as tfjs's computePool2DInfo places them. */
function bruteForce(x: tf.Tensor4D, ddx: tf.Tensor4D, { size, stride, pad }: Pool): number[] {
  const info = tf.backend_util.computePool2DInfo(x.shape, size, stride, 1, pad);
  const xs = x.arraySync();
  const ds = ddx.arraySync();
  const [n, h, w, c] = x.shape;
  const out: number[] = [];
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < info.outHeight; i++) {
      for (let j = 0; j < info.outWidth; j++) {
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity;
          let at = 0;
          for (let di = 0; di < size; di++) {
            for (let dj = 0; dj < size; dj++) {
              const r = i * stride + di - info.padInfo.top;
              const col = j * stride + dj - info.padInfo.left;
              if (r < 0 || r >= h || col < 0 || col >= w) continue;
              if (xs[b]![r]![col]![ch]! > best) [best, at] = [xs[b]![r]![col]![ch]!, ds[b]![r]![col]![ch]!];
            }
          }
          out.push(at);
        }
      }
    }
  }
  return out;
}

describe.each(BACKENDS)('MaxPoolGrad gradient on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
    installSecondOrderGradients();
  });

  it.each(POOLS.map((p) => [`${p.size}×${p.size} stride ${p.stride} ${p.pad}`, p] as const))(
    'is the adjoint of the MaxPoolGrad kernel and picks the first maximum: %s',
    (_name, pool) => {
      tf.tidy(() => {
        const rng = new Rng(5);
        for (const x of [tiedInput(rng, pool.shape), randn(rng, pool.shape) as tf.Tensor4D]) {
          const dyShape = tf.backend_util.computePool2DInfo(x.shape, pool.size, pool.stride, 1, pool.pad).outShape;
          const ddx = randn(rng, pool.shape) as tf.Tensor4D;
          const dy = randn(rng, dyShape);
          const ddy = ddyOf(x, ddx, dyShape, pool);
          const y = tf.maxPool(x, pool.size, pool.stride, pool.pad);
          const dx = tf.engine().runKernel(tf.MaxPoolGrad, { dy, input: x, output: y }, { filterSize: pool.size, strides: pool.stride, pad: pool.pad } as unknown as tf.NamedAttrMap) as tf.Tensor;
          const left = tf.sum(tf.mul(dx, ddx)).dataSync()[0]!;
          const right = tf.sum(tf.mul(dy, ddy)).dataSync()[0]!;
          expect(Math.abs(left - right)).toBeLessThan(1e-4 * (1 + Math.abs(left)));
          expect(Array.from(ddy.dataSync())).toEqual(bruteForce(x, ddx, pool).map((v) => Math.fround(v)));
        }
      });
    },
  );

  it.each(POOLS.map((p) => [`${p.size}×${p.size} stride ${p.stride} ${p.pad}`, p] as const))(
    'carries factor columns back as MaxPoolGrad does, overlaps summed: %s',
    (_name, pool) => {
      tf.tidy(() => {
        const rng = new Rng(8);
        const columns = 3;
        for (const x of [tiedInput(rng, pool.shape), randn(rng, pool.shape) as tf.Tensor4D]) {
          const info = tf.backend_util.computePool2DInfo(x.shape, pool.size, pool.stride, 1, pool.pad);
          const s = randn(rng, [columns * pool.shape[0], ...info.outShape.slice(1)]) as tf.Tensor4D;
          const y = tf.maxPool(x, pool.size, pool.stride, pool.pad);
          const attrs = { filterSize: pool.size, strides: pool.stride, pad: pool.pad } as unknown as tf.NamedAttrMap;
          const expected = tf.concat(
            tf.split(s, columns).map((column) => tf.engine().runKernel(tf.MaxPoolGrad, { dy: column, input: x, output: y }, attrs) as tf.Tensor),
          );
          const actual = maxPoolFactorBackprop(s, columns, x, info);
          expect(actual.shape).toEqual(expected.shape);
          const [a, e] = [actual.dataSync(), expected.dataSync()];
          e.forEach((v, i) => expect(Math.abs(a[i]! - v)).toBeLessThan(1e-5 * (1 + Math.abs(v))));
        }
      });
    },
  );
});
