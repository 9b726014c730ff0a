// rowSquaredNorms against a float64 loop over the definition, on both JS-kernel backends: row lengths that are and
// are not multiples of the kernel's four-value step.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@flightdeck/core';
import { rowSquaredNorms } from '../../src/engine/row-squared-norms.js';
import { BACKENDS, useBackend } from './helpers.js';

describe.each(BACKENDS)('rowSquaredNorms on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each([[4, 8], [3, 13], [1, 1], [5, 6]])('‖x[n]‖² for x [%i, %i]', (rows, size) => {
    const rng = new Rng(rows * 100 + size);
    const x = Float32Array.from({ length: rows * size }, () => rng.normal(0, 10 ** rng.int(3)));
    const want = Array.from({ length: rows }, (_, n) => Array.from({ length: size }, (__, k) => x[n * size + k]! ** 2).reduce((a, b) => a + b, 0));
    const got = rowSquaredNorms(tf.tensor2d(x, [rows, size])).dataSync();
    want.forEach((w, n) => expect(Math.abs(got[n]! - w)).toBeLessThanOrEqual(1e-6 * w));
  });

  it('refuses other dtypes, naming it', () => {
    expect(() => rowSquaredNorms(tf.zeros([2, 3], 'int32') as tf.Tensor2D)).toThrow(/float32 expected, got int32/);
  });
});
