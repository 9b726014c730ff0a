// The stochastic 2-D test functions and quadratic_deep (deepobs.md §1.4): parameters only, the data is noise.
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../data/index.js';
import { QUADRATIC_HESSIAN_BASE64 } from './quadratic-hessian.js';
import type { ProblemInstance, TestProblem } from './types.js';

/** An instance whose loss has no random parts: evaluation equals the loss. */
function plainInstance(named: [string, tf.Variable][], loss: (batch: Batch) => tf.Scalar): ProblemInstance {
  return {
    variables: named.map(([, v]) => v),
    parameterNames: named.map(([n]) => n),
    loss: (batch) => tf.tidy(() => loss(batch)),
    evaluate: (batch) => ({ loss: tf.tidy(() => loss(batch)) }),
    dispose: () => tf.dispose(named.map(([, v]) => v)),
  };
}

type Fn2 = (u: tf.Scalar, v: tf.Scalar) => tf.Scalar;

/**
 * f(u, v) + u·x + v·y per example, (x, y) ~ N(0, 1); the batch mean is f + u·mean(x) + v·mean(y). The test split is
 * all zeros, so the test loss is f itself. The start point is fixed; the seed does not change it.
 */
function twoD(name: string, doc: string, start: [number, number], f: Fn2): TestProblem {
  return {
    name,
    dataset: 'two_d',
    defaultBatchSize: 128,
    defaultEpochs: 100,
    hasAccuracy: false,
    defaultWeightDecay: null,
    referenceParameterCount: 2,
    doc,
    build: () => {
      // Inside tidy so that only the variables survive, not the tensors they were made from.
      const [u, v] = tf.tidy(() => [tf.variable(tf.scalar(start[0])), tf.variable(tf.scalar(start[1]))]);
      return plainInstance([['u', u], ['v', v]], (batch) => {
        const noise = tf.mean(batch.inputs, 0);
        const [x, y] = tf.unstack(noise) as tf.Scalar[];
        return tf.addN([f(u, v), tf.mul(u, x), tf.mul(v, y)]) as tf.Scalar;
      });
    },
  };
}

const sq = (t: tf.Tensor) => tf.square(t);

export const rosenbrock: Fn2 = (u, v) => tf.add(sq(tf.sub(1, u)), tf.mul(100, sq(tf.sub(v, sq(u)))));

export const beale: Fn2 = (u, v) =>
  tf.addN([
    sq(tf.add(tf.sub(1.5, u), tf.mul(u, v))),
    sq(tf.add(tf.sub(2.25, u), tf.mul(u, sq(v)))),
    sq(tf.add(tf.sub(2.625, u), tf.mul(u, tf.pow(v, 3)))),
  ]) as tf.Scalar;

export const branin: Fn2 = (u, v) => {
  const b = 5.1 / (4 * Math.PI ** 2);
  const c = 5 / Math.PI;
  const inner = tf.sub(tf.add(tf.sub(v, tf.mul(b, sq(u))), tf.mul(c, u)), 6);
  return tf.add(tf.add(sq(inner), tf.mul(10 * (1 - 1 / (8 * Math.PI)), tf.cos(u))), 10);
};

export const TWO_D_PROBLEMS: TestProblem[] = [
  twoD('two_d_rosenbrock', 'Noisy Rosenbrock (1−u)² + 100(v−u²)², start (−0.5, 1.5).', [-0.5, 1.5], rosenbrock),
  twoD('two_d_beale', 'Noisy Beale function, start (−4.5, 4.5).', [-4.5, 4.5], beale),
  twoD('two_d_branin', 'Noisy Branin function, start (2.5, 12.5).', [2.5, 12.5], branin),
];

/** DeepOBS's fixed 100×100 Hessian Q (generated from numpy's RandomState(42) by quadratic-hessian.py). */
export function quadraticHessian(): Float32Array {
  const bytes = Buffer.from(QUADRATIC_HESSIAN_BASE64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

export const QUADRATIC_DEEP: TestProblem = {
  name: 'quadratic_deep',
  dataset: 'quadratic',
  defaultBatchSize: 128,
  defaultEpochs: 100,
  hasAccuracy: false,
  defaultWeightDecay: null,
  referenceParameterCount: 100,
  doc: 'Noisy quadratic ½(θ−x)ᵀQ(θ−x), θ ∈ R¹⁰⁰ from 1, Q with 10% large eigenvalues, x ~ N(0, 0.6²).',
  build: () => {
    const hessian = tf.tensor2d(quadraticHessian(), [100, 100]);
    const theta = tf.tidy(() => tf.variable(tf.ones([100])));
    const instance = plainInstance([['theta', theta]], (batch) => {
      const d = tf.sub(theta, batch.inputs);
      return tf.mul(0.5, tf.mean(tf.sum(tf.mul(tf.matMul(d, hessian), d), 1))) as tf.Scalar;
    });
    return { ...instance, dispose: () => (instance.dispose(), hessian.dispose()) };
  },
};
