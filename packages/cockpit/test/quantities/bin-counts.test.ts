// binCounts against a plain loop with the original's float64 rules, on the JS kernel and on the tf-op route that
// other backends take.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@flightdeck/core';
import { binCounts, type Axis } from '../../src/quantities';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function reference(x: Float32Array, xAxis: Axis, y?: Float32Array, yAxis?: Axis): number[] {
  // The rules as the golden README states them (no value in this data lies within rounding of an inner edge).
  const bin = ({ range: [lo, hi], bins, clamp }: Axis, v: number) => {
    if (clamp === 'edges') return Math.min(Math.trunc(((Math.min(Math.max(v, lo), hi) - lo) * bins) / (hi - lo)), bins - 1);
    const w = (hi - lo) / bins;
    return Math.trunc((Math.min(Math.max(v, lo + w / 2), hi - w / 2) - lo) / w);
  };
  const counts = new Array<number>(xAxis.bins * (yAxis?.bins ?? 1)).fill(0);
  x.forEach((v, k) => counts[bin(xAxis, v) * (yAxis?.bins ?? 1) + (y ? bin(yAxis!, y[k % y.length]) : 0)]++);
  return counts;
}

const rng = new Rng(3);
// Spread past both ends, with exact zeros and values exactly on edges.
const x = Float32Array.from({ length: 6 * 40 }, (_, k) => (k % 7 === 0 ? 0 : k % 11 === 0 ? 2 : k % 13 === 0 ? -1.5 : rng.normal(0, 1.5)));
const y = Float32Array.from({ length: 40 }, () => rng.normal(0, 1));
const edges: Axis = { range: [-2, 2], bins: 8, clamp: 'edges' };
const centres: Axis = { range: [-1, 1], bins: 5, clamp: 'centres' };

async function bothRoutes(run: () => tf.Tensor): Promise<[number[], number[]]> {
  const kernel = Array.from(await run().data());
  const config = tf.getKernel('FlightdeckBinCounts', 'cpu')!;
  tf.unregisterKernel('FlightdeckBinCounts', 'cpu');
  try {
    return [kernel, Array.from(await run().data())];
  } finally {
    tf.registerKernel(config);
  }
}

test('1-D: torch.histc rule (clamped, x = hi into the last bin), kernel and tf ops', async () => {
  const [kernel, ops] = await bothRoutes(() => binCounts(tf.tensor(x, [6, 40]), edges));
  expect(kernel).toEqual(reference(x, edges));
  expect(ops).toEqual(kernel);
  expect(kernel.reduce((a, b) => a + b, 0)).toBe(x.length);
});

test('1-D: any length (values in groups of four, then the rest) with NaN skipped', async () => {
  for (let length = 1; length <= 11; length++) {
    const values = Float32Array.from({ length }, (_, k) => (k % 5 === 3 ? NaN : x[k * 7]!));
    const counts = Array.from(await binCounts(tf.tensor(values), edges).data());
    expect(counts).toEqual(reference(values.filter((v) => !Number.isNaN(v)), edges));
  }
});

test('2-D: pairs (x[n, j], y[j]) with clamping to the edge-bin centres, kernel and tf ops', async () => {
  const yAxis: Axis = { range: [-2, 2], bins: 4, clamp: 'centres' };
  const [kernel, ops] = await bothRoutes(() => binCounts(tf.tensor(x, [6, 40]), centres, { y: tf.tensor(y), axis: yAxis }));
  expect(kernel).toEqual(reference(x, centres, y, yAxis));
  expect(ops).toEqual(kernel);
});

test('on wasm the kernel reads the heap in place and gives the same counts', async () => {
  require('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  try {
    expect(Array.from(await binCounts(tf.tensor(x, [6, 40]), edges).data())).toEqual(reference(x, edges));
  } finally {
    await tf.setBackend('cpu');
  }
});

test('a second tensor that does not pair is refused', () => {
  expect(() => binCounts(tf.zeros([3, 5]), centres, { y: tf.zeros([4]), axis: centres })).toThrow(/15 values do not pair with 4/);
});
