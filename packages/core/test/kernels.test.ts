// Each replacement kernel against the cpu backend's result on the same inputs.
import * as tf from '@tensorflow/tfjs';
import { Rng, selectBackend } from '../src/index.js';
import { REPLACEMENT_KERNELS, registerMissingKernels } from '../src/kernels/index.js';

type Compute = () => tf.Tensor | tf.Tensor[];

async function onBackend(name: 'cpu' | 'wasm', compute: Compute): Promise<number[][]> {
  await selectBackend(name);
  const outs = tf.tidy(compute);
  const list = Array.isArray(outs) ? outs : [outs];
  const values = await Promise.all(list.map(async (t) => Array.from(await t.data())));
  tf.dispose(list);
  return values;
}

async function expectSameOnWasmAsCpu(compute: Compute, tolerance = 1e-5): Promise<void> {
  const cpu = await onBackend('cpu', compute);
  const wasm = await onBackend('wasm', compute);
  expect(wasm.length).toBe(cpu.length);
  cpu.forEach((values, i) => {
    expect(wasm[i]!.length).toBe(values.length);
    const worst = Math.max(0, ...values.map((v, j) => Math.abs(v - wasm[i]![j]!) / (1 + Math.abs(v))));
    expect(worst).toBeLessThanOrEqual(tolerance);
  });
}

function normals(seed: number, n: number): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => rng.normal());
}

describe('wasm replacement kernels', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('are the registered wasm kernels after backend selection, and registering twice changes nothing', () => {
    registerMissingKernels('wasm');
    for (const config of REPLACEMENT_KERNELS.filter((k) => k.backendName === 'wasm')) {
      expect(tf.getKernel(config.kernelName, 'wasm')?.kernelFunc).toBe(config.kernelFunc);
    }
    expect(REPLACEMENT_KERNELS.map((k) => k.kernelName)).toEqual(expect.arrayContaining(['UnsortedSegmentSum', 'MaxPoolGrad']));
  });

  describe('UnsortedSegmentSum', () => {
    it('sums rows of a 3-D tensor by segment, with repeated, missing and out-of-range ids', async () => {
      const ids = [3, 0, 3, 1, 7, 3, -1, 0];
      const x = normals(1, 8 * 2 * 5);
      await expectSameOnWasmAsCpu(() => tf.unsortedSegmentSum(tf.tensor3d(x, [8, 2, 5]), tf.tensor1d(ids, 'int32'), 5));
    });

    it('sums int32 values', async () => {
      await expectSameOnWasmAsCpu(() =>
        tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3, 4, 5], 'int32'), tf.tensor1d([0, 1, 0, 1, 2], 'int32'), 3),
      );
    });

    it('gives the gradient of an embedding lookup (gather along axis 0 and axis 1)', async () => {
      const table = normals(2, 83 * 16);
      const indices = Array.from({ length: 6 * 7 }, (_, i) => (i * 37) % 83);
      const weights = normals(3, 6 * 7 * 16);
      await expectSameOnWasmAsCpu(() => {
        const ids = tf.tensor2d(indices, [6, 7], 'int32');
        const w = tf.tensor3d(weights, [6, 7, 16]);
        const g0 = tf.grad((e: tf.Tensor) => tf.gather(e, ids).mul(w).sum())(tf.tensor2d(table, [83, 16]));
        const g1 = tf.grad((e: tf.Tensor) => tf.gather(e, ids.slice([0, 0], [2, 4]).flatten(), 1).square().sum())(
          tf.tensor2d(table, [16, 83]),
        );
        return [g0, g1];
      });
    });
  });

  describe('MaxPoolGrad', () => {
    const cases: { name: string; shape: [number, number, number, number]; size: number; stride: number; pad: 'same' | 'valid' | number }[] = [
      { name: '2×2 stride 2 valid', shape: [3, 8, 8, 5], size: 2, stride: 2, pad: 'valid' },
      { name: '3×3 stride 2 same (overlapping, padded)', shape: [2, 9, 7, 4], size: 3, stride: 2, pad: 'same' },
      { name: '3×3 stride 1 same', shape: [2, 6, 6, 3], size: 3, stride: 1, pad: 'same' },
      { name: '2×2 stride 2 same on an odd size', shape: [1, 7, 5, 2], size: 2, stride: 2, pad: 'same' },
      { name: '3×3 stride 2 explicit padding 1', shape: [2, 8, 8, 3], size: 3, stride: 2, pad: 1 },
    ];
    it.each(cases)('matches cpu: $name', async ({ shape, size, stride, pad }) => {
      const x = normals(4, shape.reduce((a, b) => a * b));
      const dyWeights = normals(5, 4096);
      await expectSameOnWasmAsCpu(() =>
        tf.grad((t: tf.Tensor) => {
          const y = tf.maxPool(t as tf.Tensor4D, size, stride, pad);
          return y.mul(tf.tensor1d(dyWeights.slice(0, y.size)).reshape(y.shape)).sum();
        })(tf.tensor4d(x, shape)),
      );
    });

    it('matches cpu on ties: ReLU zeros and repeated values route the gradient to the first maximum', async () => {
      const x = normals(6, 2 * 6 * 6 * 4).map((v) => Math.round(v));
      await expectSameOnWasmAsCpu(() =>
        tf.grad((t: tf.Tensor) => tf.maxPool(tf.relu(t as tf.Tensor4D), 3, 1, 'valid').mul(tf.range(1, 1 + 2 * 4 * 4 * 4).reshape([2, 4, 4, 4])).sum())(
          tf.tensor4d(x, [2, 6, 6, 4]),
        ),
      );
    });
  });
});
