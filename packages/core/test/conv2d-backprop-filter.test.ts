// The wasm Conv2DBackpropFilter replacement against the cpu backend's kernel.
import * as tf from '@tensorflow/tfjs';
import { Rng, selectBackend } from '../src/index.js';

async function filterGradient(backend: 'cpu' | 'wasm', x: tf.Tensor4D, dy: tf.Tensor4D, shape: [number, number, number, number], stride: number, pad: 'same' | 'valid' | number): Promise<Float32Array> {
  await selectBackend(backend);
  const inputs = { x: tf.clone(x), dy: tf.clone(dy) };
  const attrs = { strides: stride, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: shape };
  const out = tf.engine().runKernel(tf.Conv2DBackpropFilter, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  const values = (await out.data()) as Float32Array;
  tf.dispose([out, inputs.x, inputs.dy]);
  return values;
}

const cases = [
  { name: '3×3 same stride 1', x: [2, 6, 6, 3], k: [3, 3, 3, 4], stride: 1, pad: 'same' },
  { name: '3×3 valid stride 2', x: [2, 7, 7, 2], k: [3, 3, 2, 5], stride: 2, pad: 'valid' },
  { name: '5×5 same stride 2 on an even size', x: [3, 8, 8, 2], k: [5, 5, 2, 3], stride: 2, pad: 'same' },
  { name: '3×3 explicit padding 1 stride 2', x: [1, 5, 6, 2], k: [3, 3, 2, 2], stride: 2, pad: 1 },
] as const;

describe('Conv2DBackpropFilter on wasm', () => {
  it.each(cases)('matches the cpu kernel: $name', async ({ x: xShape, k, stride, pad }) => {
    await selectBackend('cpu');
    const rng = new Rng(7);
    const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
    const x = tf.tensor4d(Float32Array.from({ length: size(xShape) }, () => rng.normal()), [...xShape]);
    const outShape = tf.conv2d(x, tf.zeros([...k]) as tf.Tensor4D, stride, pad).shape;
    const dy = tf.tensor4d(Float32Array.from({ length: size(outShape) }, () => rng.normal()), outShape);
    const cpu = await filterGradient('cpu', x, dy, [...k], stride, pad);
    const wasm = await filterGradient('wasm', x, dy, [...k], stride, pad);
    expect(wasm.length).toBe(size(k));
    const worst = Math.max(...Array.from(cpu, (v, i) => Math.abs(v - wasm[i]!) / (1 + Math.abs(v))));
    expect(worst).toBeLessThan(1e-5);
    tf.dispose([x, dy]);
  });
});
