// outerBinCounts against binCounts of the materialised outer products (tf.mul, float32), on the JS kernel (cpu
// and wasm) and on the tf-op route of other backends: the counts must be the same integers.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@flightdeck/core';
import { binCounts, outerBinCounts, type Axis } from '../../src/quantities';
import { sortFinite } from '../../src/quantities/outer-products-counting.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const rng = new Rng(17);

/** Normal values with exact zeros, repeated values and powers of two whose products land exactly on bin edges. */
function factors(n: number, width: number, spread: number): Float32Array {
  const special = [0, -0, 0.5, -0.5, 1, -1, 2, -2, 0.25, 4, -4, 0.75, -1.5];
  return Float32Array.from({ length: n * width }, () => {
    const r = rng.next();
    if (r < 0.25) return 0;
    if (r < 0.45) return special[rng.int(special.length)]!;
    if (r < 0.5) return 1e-30 * rng.normal(); // products underflow to (signed) zero and subnormals
    return rng.normal(0, spread);
  });
}

const AXES: Axis[] = [
  { range: [-2, 2], bins: 8, clamp: 'edges' }, // edges at multiples of 0.5: many exact ties
  { range: [-2, 2], bins: 100, clamp: 'edges' }, // GradHist1d's default
  { range: [-0.3, 0.7], bins: 7, clamp: 'edges' }, // asymmetric, inexact edges
  { range: [-1, 1], bins: 5, clamp: 'centres' },
  { range: [-1e-6, 1e-6], bins: 3, clamp: 'edges' }, // almost everything outside: the edge bins
  { range: [1, -1], bins: 6, clamp: 'edges' }, // reversed: bins decrease with the value
];

async function materialised(a: tf.Tensor2D, d: tf.Tensor2D, axis: Axis): Promise<number[]> {
  return Array.from(await tf.tidy(() => binCounts(tf.mul(tf.expandDims(a, 2), tf.expandDims(d, 1)), axis)).data());
}

async function compareOn(a: Float32Array, d: Float32Array, n: number, axis: Axis): Promise<void> {
  const ta = tf.tensor2d(a, [n, a.length / n]);
  const td = tf.tensor2d(d, [n, d.length / n]);
  const counts = Array.from(await outerBinCounts(ta, td, axis).data());
  expect(counts).toEqual(await materialised(ta, td, axis));
  tf.dispose([ta, td]);
}

describe.each(AXES)('outerBinCounts on %j', (axis) => {
  test.each([1, 0.1, 10])('random factors with zeros, ties and outliers (spread %p), cpu kernel', async (spread) => {
    for (const [n, p, q] of [
      [5, 37, 41],
      [3, 1, 200],
      [4, 64, 1],
      [2, 300, 17],
      [2, 300, 200],
    ] as const) {
      await compareOn(factors(n, p, spread), factors(n, q, spread), n, axis);
    }
  });
});

test('non-finite factors and ranges: NaN products skipped, infinities clamped, as binCounts does', async () => {
  const a = factors(4, 20, 1);
  const d = factors(4, 30, 1);
  a[3] = NaN;
  a[25] = Infinity;
  d[70] = -Infinity; // meets zeros of a: NaN products
  d[100] = 3e38; // overflows to ±Infinity in float32 against |a| > 1.2
  for (const axis of [...AXES, { range: [1, 1], bins: 4, clamp: 'edges' } as Axis, { range: [NaN, NaN], bins: 4, clamp: 'edges' } as Axis]) {
    await compareOn(a, d, 4, axis);
  }
});

test('the tf-op route (backends without the kernel) and the wasm kernel give the same counts', async () => {
  const a = factors(3, 50, 1);
  const d = factors(3, 60, 0.3);
  const axis = AXES[1]!;
  const ta = tf.tensor2d(a, [3, 50]);
  const td = tf.tensor2d(d, [3, 60]);
  const expected = await materialised(ta, td, axis);
  const config = tf.getKernel('FlightdeckOuterBinCounts', 'cpu')!;
  tf.unregisterKernel('FlightdeckOuterBinCounts', 'cpu');
  try {
    expect(Array.from(await outerBinCounts(ta, td, axis).data())).toEqual(expected);
  } finally {
    tf.registerKernel(config);
  }
  require('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  try {
    await compareOn(a, d, 3, axis);
    const counts = Array.from(await outerBinCounts(tf.tensor2d(a, [3, 50]), tf.tensor2d(d, [3, 60]), axis).data());
    expect(counts).toEqual(expected);
  } finally {
    await tf.setBackend('cpu');
  }
});

test('factors whose rows do not pair are refused', () => {
  expect(() => outerBinCounts(tf.zeros([3, 5]), tf.zeros([4, 2]), AXES[0]!)).toThrow(/3 rows of a against 4 rows of d/);
});

describe('sortFinite', () => {
  it('orders finite floats as a numeric sort does, subnormals, ties and signed zeros included', () => {
    const values = Float32Array.from({ length: 2000 }, (_, i) => (i % 7 === 0 ? [0, -0, 1e-40, -1e-40, 3.4e38, -3.4e38][i % 6]! : rng.normal(0, 10 ** rng.int(6))));
    const sorted = sortFinite(Float32Array.from(values));
    expect(Array.from(sorted)).toEqual(Array.from(values).sort((a, b) => a - b || (Object.is(a, -0) ? -1 : Object.is(b, -0) ? 1 : 0)));
    const zeroSigns = Array.from(sorted).filter((v) => v === 0).map((v) => (Object.is(v, -0) ? '-' : '+'));
    expect(zeroSigns.join('')).toMatch(/^-+\++$/);
  });
});
