// Each replacement kernel against the cpu backend's result on the same inputs.
import * as tf from '@tensorflow/tfjs';
import { Rng, selectBackend } from '../src/index.js';
import { REPLACEMENT_KERNELS, registerMissingKernels } from '../src/kernels/index.js';
import { unstackRows } from '../src/kernels/unstack-rows.js';

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

  it.each(['wasm', 'cpu'] as const)('are the registered %s kernels after backend selection, and registering twice changes nothing', async (backend) => {
    await selectBackend(backend);
    registerMissingKernels(backend);
    for (const config of REPLACEMENT_KERNELS.filter((k) => k.backendName === backend)) {
      expect(tf.getKernel(config.kernelName, backend)?.kernelFunc).toBe(config.kernelFunc);
    }
    expect(REPLACEMENT_KERNELS.map((k) => k.kernelName)).toEqual(
      expect.arrayContaining(['UnsortedSegmentSum', 'MaxPoolGrad', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'BatchMatMul']),
    );
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

type ConvPad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
interface ConvCase {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: ConvPad;
}

/**
 * dx and dW of Σ conv2d(x, W)·dy by the definition, one product at a time:
 * y[n, r, c, o] = Σ_{i, j, d} x[n, r·sh + i − top, c·sw + j − left, d]·W[i, j, d, o], zero outside x.
 */
function convGradientsByLoops(c: ConvCase, x: number[], w: number[], dy: number[]): { dx: number[]; dw: number[] } {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
  const [batch, height, width, inC] = c.x;
  const [kh, kw, , outC] = c.filter;
  const dx = new Array<number>(x.length).fill(0);
  const dw = new Array<number>(w.length).fill(0);
  for (let n = 0; n < batch; n++) {
    for (let r = 0; r < info.outHeight; r++) {
      for (let col = 0; col < info.outWidth; col++) {
        for (let i = 0; i < kh; i++) {
          const h = r * info.strideHeight + i - info.padInfo.top;
          if (h < 0 || h >= height) continue;
          for (let j = 0; j < kw; j++) {
            const v = col * info.strideWidth + j - info.padInfo.left;
            if (v < 0 || v >= width) continue;
            for (let d = 0; d < inC; d++) {
              const xAt = ((n * height + h) * width + v) * inC + d;
              for (let o = 0; o < outC; o++) {
                const g = dy[((n * info.outHeight + r) * info.outWidth + col) * outC + o]!;
                const wAt = ((i * kw + j) * inC + d) * outC + o;
                dx[xAt] += w[wAt]! * g;
                dw[wAt] += x[xAt]! * g;
              }
            }
          }
        }
      }
    }
  }
  return { dx, dw };
}

function expectClose(actual: ArrayLike<number>, expected: number[], tolerance = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  const scale = Math.max(1, ...expected.map(Math.abs));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst / scale).toBeLessThanOrEqual(tolerance);
}

describe.each(['wasm', 'cpu'] as const)('convolution gradients on %s against loops over the definition', (backend) => {
  const cases: ConvCase[] = [
    { name: '5×5 same, stride 1 (fmnist_2c2d)', x: [2, 7, 7, 3], filter: [5, 5, 3, 4], strides: [1, 1], pad: 'same' },
    { name: '3×3 valid, stride 1, odd sizes', x: [3, 9, 6, 5], filter: [3, 3, 5, 2], strides: [1, 1], pad: 'valid' },
    { name: '3×3 same, stride 2 (all_cnn_c, wrn)', x: [2, 8, 8, 3], filter: [3, 3, 3, 6], strides: [2, 2], pad: 'same' },
    { name: '3×3 same, stride 2 on odd sizes', x: [1, 9, 7, 2], filter: [3, 3, 2, 3], strides: [2, 2], pad: 'same' },
    { name: '1×1 stride 2 (wrn shortcut), unread trailing rows', x: [2, 6, 7, 4], filter: [1, 1, 4, 5], strides: [2, 2], pad: 'same' },
    { name: '3×2 valid, strides 3 and 2, batch 1', x: [1, 11, 8, 2], filter: [3, 2, 2, 3], strides: [3, 2], pad: 'valid' },
    { name: 'numeric padding 1, stride 2', x: [2, 9, 9, 3], filter: [3, 3, 3, 2], strides: [2, 2], pad: 1 },
    { name: '2×2 same, stride 3 (kernel smaller than the stride: rows no tap reaches)', x: [2, 10, 7, 2], filter: [2, 2, 2, 3], strides: [3, 3], pad: 'same' },
    { name: '4×5 valid, stride 2', x: [2, 11, 12, 3], filter: [4, 5, 3, 2], strides: [2, 2], pad: 'valid' },
    {
      name: 'explicit padding wider than the kernel (first output rows read only zeros)',
      x: [2, 5, 6, 2],
      filter: [2, 2, 2, 3],
      strides: [1, 1],
      pad: [[0, 0], [3, 1], [0, 2], [0, 0]],
    },
  ];

  beforeAll(async () => {
    await selectBackend(backend);
  });

  it.each(cases)('dx and dW match: $name', ({ name, ...geometry }) => {
    const c = { name, ...geometry };
    const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
    const x = normals(7, c.x.reduce((a, b) => a * b));
    const w = normals(8, c.filter.reduce((a, b) => a * b));
    const dy = normals(9, info.outShape.reduce((a, b) => a * b));
    const expected = convGradientsByLoops(c, x, w, dy);
    const [dx, dw] = tf.tidy(() => {
      const weights = tf.tensor4d(dy, info.outShape);
      const loss = (input: tf.Tensor, filter: tf.Tensor) =>
        tf.conv2d(input as tf.Tensor4D, filter as tf.Tensor4D, c.strides, c.pad).mul(weights).sum();
      return tf.grads(loss)([tf.tensor4d(x, c.x), tf.tensor4d(w, c.filter)]).map((g) => g.dataSync());
    });
    expectClose(dx!, expected.dx);
    expectClose(dw!, expected.dw);
  });

  it('conv2dTranspose (a forward Conv2DBackpropInput) of stride 2 matches the loops', () => {
    const c: ConvCase = { name: 'vae decoder', x: [2, 8, 8, 3], filter: [4, 4, 3, 2], strides: [2, 2], pad: 'same' };
    const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
    const w = normals(10, c.filter.reduce((a, b) => a * b));
    const dy = normals(11, info.outShape.reduce((a, b) => a * b));
    const expected = convGradientsByLoops(c, new Array<number>(c.x.reduce((a, b) => a * b)).fill(0), w, dy).dx;
    const out = tf.tidy(() => tf.conv2dTranspose(tf.tensor4d(dy, info.outShape), tf.tensor4d(w, c.filter), c.x, c.strides, c.pad).dataSync());
    expectClose(out, expected);
  });
});

describe('BatchMatMul on wasm with transpose flags', () => {
  const shapes: { name: string; a: number[]; b: number[]; transposeA: boolean; transposeB: boolean }[] = [
    { name: 'plain', a: [5, 7], b: [7, 3], transposeA: false, transposeB: false },
    { name: 'transposeA (a dense weight gradient)', a: [7, 5], b: [7, 3], transposeA: true, transposeB: false },
    { name: 'transposeB (a dense input gradient)', a: [5, 7], b: [3, 7], transposeA: false, transposeB: true },
    { name: 'both', a: [7, 5], b: [3, 7], transposeA: true, transposeB: true },
    { name: 'batched, both', a: [4, 7, 5], b: [4, 3, 7], transposeA: true, transposeB: true },
    { name: 'broadcast batch, transposeA', a: [1, 7, 5], b: [3, 7, 2], transposeA: true, transposeB: false },
    { name: 'rank 4, batch axes broadcast against each other', a: [10, 2, 3, 4], b: [1, 2, 4, 5], transposeA: false, transposeB: false },
    { name: 'rank 4, broadcast, transposeB', a: [3, 1, 4, 6], b: [1, 2, 5, 6], transposeA: false, transposeB: true },
    { name: 'rank 4 against a matrix', a: [2, 3, 4, 6], b: [6, 5], transposeA: false, transposeB: false },
  ];
  it.each(shapes)('matches cpu: $name', async ({ a, b, transposeA, transposeB }) => {
    const av = normals(12, a.reduce((p, q) => p * q));
    const bv = normals(13, b.reduce((p, q) => p * q));
    await expectSameOnWasmAsCpu(() => tf.matMul(tf.tensor(av, a), tf.tensor(bv, b), transposeA, transposeB));
  });

  it('gives the gradients of a dense layer', async () => {
    const x = normals(14, 6 * 9);
    const w = normals(15, 9 * 4);
    await expectSameOnWasmAsCpu(() =>
      tf.grads((input: tf.Tensor, weights: tf.Tensor) => tf.matMul(input, weights).square().sum())([tf.tensor2d(x, [6, 9]), tf.tensor2d(w, [9, 4])]),
    );
  });
});

describe('Sum on wasm', () => {
  const cases: { name: string; shape: number[]; axis: number | number[] | undefined; keepDims: boolean; dtype?: 'int32' }[] = [
    { name: 'over the leading axes (a convolution bias gradient)', shape: [4, 5, 6, 7], axis: [0, 1, 2], keepDims: false },
    { name: 'over the leading axes, unordered and negative, keepDims', shape: [4, 5, 6, 7], axis: [2, -4, 1], keepDims: true },
    { name: 'over the batch axis (a dense bias gradient)', shape: [33, 10], axis: 0, keepDims: false },
    { name: 'over an inner axis (the stock kernel)', shape: [4, 5, 6], axis: 1, keepDims: false },
    { name: 'over the last axis (the stock kernel)', shape: [4, 5, 6], axis: -1, keepDims: true },
    { name: 'over all axes (the stock kernel)', shape: [4, 5, 6], axis: undefined, keepDims: false },
    { name: 'of int32 over the leading axis (the stock kernel)', shape: [6, 3], axis: 0, keepDims: false, dtype: 'int32' },
    { name: 'of an empty tensor over the leading axis (the stock kernel)', shape: [0, 3], axis: 0, keepDims: false },
  ];
  it.each(cases)('matches cpu: $name', async ({ shape, axis, keepDims, dtype }) => {
    const values = normals(16, shape.reduce((a, b) => a * b)).map((v) => (dtype ? Math.round(10 * v) : v));
    await expectSameOnWasmAsCpu(() => {
      const out = tf.sum(tf.tensor(values, shape, dtype), axis, keepDims);
      expect(out.dtype).toBe(dtype ?? 'float32');
      return [out, tf.tensor1d(out.shape)];
    });
  });
});

describe.each(['wasm', 'cpu'] as const)('unstackRows on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it.each([
    { shape: [3, 4, 5], dtype: 'float32' as const },
    { shape: [1, 7], dtype: 'float32' as const },
    { shape: [4], dtype: 'int32' as const },
    { shape: [2, 0, 3], dtype: 'float32' as const },
  ])('equals the rows of x, as tf.unstack gives them: $shape $dtype', ({ shape, dtype }) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = normals(shape.length * 10 + size, size).map((v) => (dtype === 'int32' ? Math.round(10 * v) : v));
    const x = tf.tensor(values, shape, dtype);
    const rows = unstackRows(x);
    const [count, ...rest] = shape;
    const rowSize = rest.reduce((a, b) => a * b, 1);
    expect(rows).toHaveLength(count!);
    rows.forEach((r, i) => {
      expect(r.shape).toEqual(rest);
      expect(r.dtype).toBe(dtype);
      expect(Array.from(r.dataSync())).toEqual(Array.from(Float32Array.from(values.slice(i * rowSize, (i + 1) * rowSize))));
    });
    // The rows are tensors of their own: x can go.
    x.dispose();
    expect(rows.map((r) => r.dataSync().length)).toEqual(rows.map(() => rowSize));
    tf.dispose(rows);
  });
});
