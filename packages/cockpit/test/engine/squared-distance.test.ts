// squaredDistance against a float64 loop over the definition, on both JS-kernel backends: lengths that are and are
// not multiples of the kernel's four-value step, an empty tensor, and the argument checks.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@flightdeck/core';
import { squaredDistance } from '../../src/engine/squared-distance.js';
import { BACKENDS, useBackend } from './helpers.js';

describe.each(BACKENDS)('squaredDistance on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each([[[8, 5]], [[7, 13]], [[3]], [[1]], [[0, 4]], [[9, 2, 3]]])('‖x‖² and ‖x − y‖², shape %j', (shape) => {
    const rng = new Rng(shape.reduce((a, b) => 10 * a + b, 1));
    const size = shape.reduce((a, b) => a * b, 1);
    const draw = () => Float32Array.from({ length: size }, () => rng.normal(0, 10 ** rng.int(3)));
    const [x, y] = [draw(), draw()];
    const sum = (f: (k: number) => number) => Array.from({ length: size }, (_, k) => f(k)).reduce((a, b) => a + b, 0);
    const norm = sum((k) => x[k]! ** 2);
    const distance = sum((k) => Math.fround(x[k]! - y[k]!) ** 2);
    const [tx, ty] = [tf.tensor(x, shape), tf.tensor(y, shape)];
    const got = [squaredDistance(tx), squaredDistance(tx, ty)].map((t) => t.dataSync()[0]!);
    expect(Math.abs(got[0]! - norm)).toBeLessThanOrEqual(1e-6 * norm);
    expect(Math.abs(got[1]! - distance)).toBeLessThanOrEqual(1e-6 * distance);
    tf.dispose([tx, ty]);
  });

  it('refuses other dtypes and different shapes, naming them', () => {
    expect(() => squaredDistance(tf.tensor1d([1, 2], 'int32'))).toThrow(/float32 expected, got int32/);
    expect(() => squaredDistance(tf.zeros([2, 3]), tf.zeros([3, 2]))).toThrow(/shapes 2,3 and 3,2 differ/);
  });
});
