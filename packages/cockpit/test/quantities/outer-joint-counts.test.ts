// outerJointCounts against binCounts of the materialised outer products (tf.mul, float32) paired with θ, on the JS
// kernel (cpu: every run visited; wasm: central bins from sign products) and on the tf-op route of other backends:
// the counts must be the same integers.
import * as tf from '@tensorflow/tfjs';
import { Rng, selectBackend } from '@flightdeck/core';
import { type Axis, binCounts, type JointAxes, outerJointCounts } from '../../src/quantities';

const rng = new Rng(23);

/** Normal values with exact zeros, repeated values and powers of two whose products land exactly on bin edges. */
function factors(n: number, width: number, spread: number, zeros = 0.25): Float32Array {
  const special = [0, -0, 0.5, -0.5, 1, -1, 2, -2, 0.25, 4, -4, 0.75, -1.5];
  return Float32Array.from({ length: n * width }, () => {
    const r = rng.next();
    if (r < zeros) return 0;
    if (r < zeros + 0.2) return special[rng.int(special.length)]!;
    if (r < zeros + 0.25) return 1e-30 * rng.normal(); // products underflow to (signed) zero and subnormals
    return rng.normal(0, spread);
  });
}

const centres = (range: [number, number], bins: number): Axis => ({ range, bins, clamp: 'centres' });

const AXES: JointAxes[] = [
  { x: centres([-1, 1], 40), y: centres([-2, 2], 50) }, // GradHist2d's defaults
  { x: centres([-2, 2], 8), y: centres([-1, 1], 4) }, // edges at multiples of 0.5: many exact ties
  { x: centres([-0.3, 0.7], 7), y: centres([-0.2, 0.9], 5) }, // asymmetric, inexact edges
  { x: centres([-1e-6, 1e-6], 3), y: centres([-1e-6, 1e-6], 3) }, // almost everything clamped into the edge bins
  { x: { range: [-2, 2], bins: 9, clamp: 'edges' }, y: { range: [-1, 1], bins: 6, clamp: 'edges' } }, // torch.histc's rule
  { x: centres([1, -1], 6), y: centres([1, -1], 5) }, // reversed: bins decrease with the value
];

async function materialised(a: tf.Tensor2D, d: tf.Tensor2D, theta: tf.Tensor, axes: JointAxes): Promise<number[]> {
  return Array.from(await tf.tidy(() => binCounts(tf.mul(tf.expandDims(a, 2), tf.expandDims(d, 1)), axes.x, { y: theta, axis: axes.y })).data());
}

async function compareOn(a: Float32Array, d: Float32Array, theta: Float32Array, n: number, axes: JointAxes): Promise<number[]> {
  const [p, q] = [a.length / n, d.length / n];
  const [ta, td, tt] = [tf.tensor2d(a, [n, p]), tf.tensor2d(d, [n, q]), tf.tensor2d(theta, [p, q])];
  const counts = Array.from(await outerJointCounts(ta, td, tt, axes).data());
  expect(counts).toEqual(await materialised(ta, td, tt, axes));
  tf.dispose([ta, td, tt]);
  return counts;
}

describe.each(['cpu', 'wasm'] as const)('outerJointCounts on %s', (backend) => {
  beforeAll(() => selectBackend(backend));
  afterAll(() => selectBackend('cpu'));

  test.each(AXES.flatMap((axes) => [1, 0.1, 10].map((spread) => [axes, spread] as const)))('%j: random factors with zeros, ties and outliers (spread %p)', async (axes, spread) => {
    for (const [n, p, q] of [
      [5, 37, 41],
      [3, 1, 200],
      [4, 64, 1],
      [2, 300, 17],
      [2, 120, 150],
    ] as const) {
      await compareOn(factors(n, p, spread), factors(n, q, spread), factors(1, p * q, 1, 0.1), n, axes);
    }
  });

  test('rows of zeros, all-zero examples and a single non-zero pair', async () => {
    const axes = AXES[0]!;
    const [n, p, q] = [4, 30, 20];
    const a = factors(n, p, 1, 0.7);
    const d = factors(n, q, 0.3, 0.7);
    a.fill(0, 0, p); // example 0: no non-zero row
    d.fill(0, q, 2 * q); // example 1: no non-zero column
    a.fill(0, 2 * p, 3 * p);
    d.fill(0, 2 * q, 3 * q);
    [a[2 * p + 5], d[2 * q + 7]] = [0.5, -0.25]; // example 2: one non-zero product
    const counts = await compareOn(a, d, factors(1, p * q, 1), n, axes);
    expect(counts.reduce((s, c) => s + c, 0)).toBe(n * p * q);
  });

  test('non-finite factors and θ, degenerate ranges: NaN products skipped, infinities clamped, as binCounts does', async () => {
    const [n, p, q] = [4, 20, 30];
    const a = factors(n, p, 1);
    const d = factors(n, q, 1);
    const theta = factors(1, p * q, 1);
    a[3] = NaN;
    a[25] = Infinity;
    d[70] = -Infinity; // meets zeros of a: NaN products
    d[100] = 3e38; // overflows to ±Infinity in float32 against |a| > 1.2
    [theta[5], theta[17], theta[40]] = [NaN, Infinity, -Infinity];
    const degenerate: JointAxes[] = [
      { x: centres([1, 1], 4), y: centres([-1, 1], 3) },
      { x: centres([NaN, NaN], 4), y: centres([-1, 1], 3) },
      { x: centres([-Infinity, Infinity], 4), y: centres([-1, 1], 3) },
      { x: centres([-1, 1], 4), y: centres([2, 2], 3) },
    ];
    for (const axes of [...AXES, ...degenerate]) await compareOn(a, d, theta, n, axes);
  });
});

test('the tf-op route (backends without the kernel) gives the same counts', async () => {
  await selectBackend('cpu');
  const [n, p, q] = [3, 50, 60];
  const [a, d, theta] = [factors(n, p, 1), factors(n, q, 0.3), factors(1, p * q, 1)];
  const axes = AXES[0]!;
  const tensors = () => [tf.tensor2d(a, [n, p]), tf.tensor2d(d, [n, q]), tf.tensor2d(theta, [p, q])] as const;
  const expected = await materialised(...tensors(), axes);
  const config = tf.getKernel('FlightdeckOuterJointCounts', 'cpu')!;
  tf.unregisterKernel('FlightdeckOuterJointCounts', 'cpu');
  try {
    expect(Array.from(await outerJointCounts(...tensors(), axes).data())).toEqual(expected);
  } finally {
    tf.registerKernel(config);
  }
});

test('tensors that do not pair are refused', () => {
  const axes = AXES[0]!;
  expect(() => outerJointCounts(tf.zeros([3, 5]), tf.zeros([4, 2]), tf.zeros([5, 2]), axes)).toThrow(/3 rows of a against 4 rows of d/);
  expect(() => outerJointCounts(tf.zeros([3, 5]), tf.zeros([3, 2]), tf.zeros([5, 3]), axes)).toThrow(/θ of shape \[5,3\] does not pair with products of shape \[5, 2\]/);
  expect(() => outerJointCounts(tf.zeros([3, 5]), tf.zeros([3, 2], 'int32') as tf.Tensor2D, tf.zeros([5, 2]), axes)).toThrow(/float32 tensors expected/);
});
