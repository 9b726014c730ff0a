// The convolution kernel's curvature diagonal Σ_{c,n} (S[c, n]ᵀ P_n)² in each of its forms (blocks of examples
// as 2-D products, several blocks, the factored Gram form) against a plain loop in float64 (the patches it takes:
// patches.test.ts).
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@flightdeck/core';
import { convKernelDiagonal } from '../../src/engine/curvature/conv-kernel-diagonal.js';
import { batchProducts } from '../../src/engine/linalg.js';
import { BACKENDS, randn, useBackend } from './helpers.js';

const [C, N, POSITIONS, TAPS, OUT] = [3, 5, 7, 6, 4];

function bruteForce(p: number[][][], rows: number[][][][]): number[] {
  const out = new Array<number>(OUT * TAPS).fill(0);
  for (let c = 0; c < C; c++) {
    for (let n = 0; n < N; n++) {
      for (let o = 0; o < OUT; o++) {
        for (let k = 0; k < TAPS; k++) {
          let g = 0;
          for (let s = 0; s < POSITIONS; s++) g += rows[c]![n]![s]![o]! * p[n]![s]![k]!;
          out[k * OUT + o]! += g * g;
        }
      }
    }
  }
  return out;
}

describe.each(BACKENDS)('convKernelDiagonal on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each([
    ['blocked, one block', { form: 'blocked' }],
    ['blocked, blocks of 2 examples', { form: 'blocked', maxBlockSize: 2 * C * OUT * TAPS }],
    ['factored', { form: 'factored' }],
  ] as const)('%s matches the loop', (_name, options) => {
    tf.tidy(() => {
      const rng = new Rng(9);
      const p = randn(rng, [N, POSITIONS, TAPS]) as tf.Tensor3D;
      const rows = randn(rng, [C, N, POSITIONS, OUT]) as tf.Tensor4D;
      const expected = bruteForce(p.arraySync(), rows.arraySync());
      const actual = convKernelDiagonal(tf.transpose(p, [0, 2, 1]), rows, options).dataSync();
      const scale = Math.max(...expected);
      expected.forEach((e, i) => expect(Math.abs(actual[i]! - e)).toBeLessThan(1e-5 * scale));
    });
  });

  it('batchProducts equals the products computed in JS', () => {
    const rng = new Rng(4);
    const [a, b] = [randn(rng, [3, 4, 5]) as tf.Tensor3D, randn(rng, [3, 5, 2]) as tf.Tensor3D];
    const expected = a.arraySync().map((ai, i) => ai.map((row) => [0, 1].map((j) => row.reduce((s, v, k) => s + v * b.arraySync()[i]![k]![j]!, 0))));
    const actual = batchProducts(a, b).arraySync();
    actual.flat(2).forEach((v, i) => expect(v).toBeCloseTo(expected.flat(2)[i]!, 4));
    tf.dispose([a, b]);
  });
});
