// Hessian-vector products by double backprop against central finite differences, through every op whose stock
// tfjs 4.22 gradient breaks a second backward pass.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@flightdeck/core';
import { installSecondOrderGradients } from '../../src/engine/gradients/install.js';
import { BACKENDS, doubleBackpropHvp, finiteDifferenceHvp, randn, relativeError, useBackend } from './helpers.js';

type Net = (params: tf.Tensor[], x: tf.Tensor) => tf.Tensor;
interface Problem {
  name: string;
  x: number[];
  shapes: number[][];
  net: Net;
}

/** Mean softmax cross-entropy written from differentiable ops: logits − logSumExp. */
function crossEntropy(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.sub(logits, tf.logSumExp(logits, 1, true))), 1))) as tf.Scalar;
}

/** Squared error against the one-hot labels: no max inside, so stock tfjs runs it (and gets it wrong). */
function squaredError(outputs: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.mean(tf.square(tf.sub(outputs, labels)));
}
type Loss = typeof crossEntropy;

const mlp = (activation: (t: tf.Tensor) => tf.Tensor): Net => ([w1, b1, w2, b2], x) =>
  tf.add(tf.matMul(activation(tf.add(tf.matMul(x as tf.Tensor2D, w1 as tf.Tensor2D), b1!)), w2 as tf.Tensor2D), b2!);

const cnn = (stride: number, pad: 'same' | 'valid', pool: (t: tf.Tensor4D) => tf.Tensor4D): Net => ([k, c, w, b], x) => {
  const h = pool(tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, k as tf.Tensor4D, stride, pad), c!)) as tf.Tensor4D);
  return tf.add(tf.matMul(tf.reshape(h, [h.shape[0], -1]), w as tf.Tensor2D), b!);
};

const MLP_SHAPES = [[5, 7], [7], [7, 3], [3]];
const problems: Problem[] = [
  { name: 'MLP relu', x: [6, 5], shapes: MLP_SHAPES, net: mlp(tf.relu) },
  { name: 'MLP tanh', x: [6, 5], shapes: MLP_SHAPES, net: mlp(tf.tanh) },
  { name: 'MLP sigmoid', x: [6, 5], shapes: MLP_SHAPES, net: mlp(tf.sigmoid) },
  { name: 'MLP exp', x: [6, 5], shapes: MLP_SHAPES, net: mlp((t) => tf.exp(tf.mul(0.3, t))) },
  {
    name: 'CNN conv same stride 1, max pool 2 valid',
    x: [3, 6, 6, 2],
    shapes: [[3, 3, 2, 3], [3], [27, 3], [3]],
    net: cnn(1, 'same', (t) => tf.maxPool(t, 2, 2, 'valid')),
  },
  {
    name: 'CNN conv valid stride 2, avg pool 2 same',
    x: [3, 7, 7, 2],
    shapes: [[3, 3, 2, 3], [3], [12, 3], [3]],
    net: cnn(2, 'valid', (t) => tf.avgPool(t, 2, 2, 'same')),
  },
  {
    name: 'CNN conv same stride 2, max pool 3 stride 1 same',
    x: [2, 6, 6, 2],
    shapes: [[3, 3, 2, 4], [4], [36, 3], [3]],
    net: cnn(2, 'same', (t) => tf.maxPool(t, 3, 1, 'same')),
  },
  {
    name: 'CNN conv valid stride 1, avg pool 3 stride 2 valid',
    x: [2, 7, 7, 1],
    shapes: [[2, 2, 1, 3], [3], [12, 3], [3]],
    net: cnn(1, 'valid', (t) => tf.avgPool(t, 3, 2, 'valid')),
  },
];

function setup(problem: Problem, seed: number, loss: Loss = crossEntropy) {
  const rng = new Rng(seed);
  const x = randn(rng, problem.x);
  const n = problem.x[0]!;
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: n }, () => rng.int(3)), 'int32'), 3);
  const params = problem.shapes.map((s) => randn(rng, s, 0.5));
  const v = problem.shapes.map((s) => randn(rng, s));
  const f = (ps: tf.Tensor[]) => loss(problem.net(ps, x), labels);
  return { f, params, v };
}

function hvpError(problem: Problem, seed = 1, loss: Loss = crossEntropy): number {
  return tf.tidy(() => {
    const { f, params, v } = setup(problem, seed, loss);
    const gradient = (ps: tf.Tensor[]) => tf.grads((...qs: tf.Tensor[]) => f(qs))(ps);
    return relativeError(doubleBackpropHvp(f, params, v), finiteDifferenceHvp(gradient, params, v));
  });
}

/** Relative error of tf.grad of Σ w∘avgPool(x, 3, 2, 'same') against the exact transpose, computed in JS. */
function avgPoolSameGradientError(): number {
  return tf.tidy(() => {
    const rng = new Rng(12);
    const x = randn(rng, [2, 5, 4, 3]) as tf.Tensor4D;
    const w = randn(rng, [2, 3, 2, 3]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(t as tf.Tensor4D, 3, 2, 'same'), w)))(x);
    // 'same' with a 3×3 window and stride 2 pads rows 1 + 1 and columns 0 + 1: window (i, j) covers rows
    // 2i−1 … 2i+1 and columns 2j … 2j+2, clipped to the input, and divides by the entries it covers.
    const wv = w.arraySync() as number[][][][];
    const expected = tf.buffer([2, 5, 4, 3]);
    for (let n = 0; n < 2; n++) {
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 2; j++) {
          const rows = [2 * i - 1, 2 * i, 2 * i + 1].filter((r) => r >= 0 && r < 5);
          const cols = [2 * j, 2 * j + 1, 2 * j + 2].filter((c) => c < 4);
          for (const r of rows) {
            for (const c of cols) {
              for (let ch = 0; ch < 3; ch++) expected.set(expected.get(n, r, c, ch) + wv[n]![i]![j]![ch]! / (rows.length * cols.length), n, r, c, ch);
            }
          }
        }
      }
    }
    return relativeError([g], [expected.toTensor()]);
  });
}

describe('stock tfjs 4.22 second derivatives (before installSecondOrderGradients)', () => {
  beforeAll(() => useBackend('cpu'));

  it('are silently wrong through tanh and sigmoid', () => {
    expect(hvpError(problems[1]!, 1, squaredError)).toBeGreaterThan(0.05);
    expect(hvpError(problems[2]!, 1, squaredError)).toBeGreaterThan(0.05);
  });

  it('throw through the max inside logSumExp (no gradient for Equal)', () => {
    expect(() => hvpError(problems[0]!)).toThrow(/Equal/);
  });

  it("get average pooling's first derivative wrong where 'same' padding cuts a window", () => {
    expect(avgPoolSameGradientError()).toBeGreaterThan(0.1);
  });

  it('throw through max pooling, average pooling and convolution weights', () => {
    for (const problem of problems.slice(4, 6)) expect(() => hvpError(problem)).toThrow();
  });
});

describe.each(BACKENDS)('HVPs after installSecondOrderGradients on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
    installSecondOrderGradients();
    installSecondOrderGradients();
  });

  it.each(problems.map((p) => [p.name, p] as const))('match finite differences: %s', (_name, problem) => {
    for (const seed of [1, 2]) expect(hvpError(problem, seed)).toBeLessThan(3e-3);
    expect(hvpError(problem, 3, squaredError)).toBeLessThan(3e-3);
  });

  it('match finite differences through softmax, max and min', () => {
    const net: Net = ([w], x) => tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D);
    const error = tf.tidy(() => {
      const rng = new Rng(3);
      const x = randn(rng, [5, 4]);
      const y = randn(rng, [5, 3]);
      const params = [randn(rng, [4, 3])];
      const v = [randn(rng, [4, 3])];
      const f = (ps: tf.Tensor[]) => {
        const z = net(ps, x);
        const soft = tf.sum(tf.mul(y, tf.softmax(z)));
        return tf.add(soft, tf.add(tf.sum(tf.square(tf.max(z, 1))), tf.sum(tf.square(tf.min(z, 0))))) as tf.Scalar;
      };
      const gradient = (ps: tf.Tensor[]) => tf.grads((...qs: tf.Tensor[]) => f(qs))(ps);
      return relativeError(doubleBackpropHvp(f, params, v), finiteDifferenceHvp(gradient, params, v));
    });
    expect(error).toBeLessThan(3e-3);
  });

  it("give average pooling with 'same' padding the exact first derivative", () => {
    expect(avgPoolSameGradientError()).toBeLessThan(1e-3);
  });

  it('keep first derivatives identical to finite differences of the loss', () => {
    const { f, params, v } = setup(problems[2]!, 4);
    tf.tidy(() => {
      const g = tf.grads((...qs: tf.Tensor[]) => f(qs))(params);
      const directional = g.reduce((s, gi, i) => s + tf.sum(tf.mul(gi, v[i]!)).dataSync()[0]!, 0);
      const eps = 1e-3;
      const fd =
        (f(params.map((p, i) => tf.add(p, tf.mul(eps, v[i]!)))).dataSync()[0]! -
          f(params.map((p, i) => tf.sub(p, tf.mul(eps, v[i]!)))).dataSync()[0]!) /
        (2 * eps);
      expect(Math.abs(directional - fd)).toBeLessThan(2e-3 * Math.max(1, Math.abs(fd)));
    });
  });
});
