// sumOfSquares against a float64 loop over the definition, on both JS-kernel backends: row counts that are and are
// not multiples of the kernel's four-row step, several trailing shapes, an empty one.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@flightdeck/core';
import { sumOfSquares } from '../../src/engine/sum-of-squares.js';
import { BACKENDS, useBackend } from './helpers.js';

describe.each(BACKENDS)('sumOfSquares on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each([[[8, 5]], [[7, 13]], [[3, 4, 10]], [[1, 6]], [[5, 0, 2]], [[9, 2, 3, 2]]])('Σ over the first axis of x², x %j', (shape) => {
    const rng = new Rng(shape.reduce((a, b) => 10 * a + b, 0));
    const [rows, ...rest] = shape;
    const size = rest.reduce((a, b) => a * b, 1);
    const values = Float32Array.from({ length: rows! * size }, () => rng.normal(0, 10 ** rng.int(3)));
    const got = sumOfSquares(tf.tensor(values, shape));
    expect(got.shape).toEqual(rest);
    const want = Array.from({ length: size }, (_, m) => Array.from({ length: rows! }, (__, o) => values[o * size + m]! ** 2).reduce((a, b) => a + b, 0));
    Array.from(got.dataSync()).forEach((g, m) => expect(Math.abs(g - want[m]!)).toBeLessThanOrEqual(1e-6 * want[m]!));
  });
});
