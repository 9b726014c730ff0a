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

/** Lower-triangular L with L·Lᵀ = Q (Cholesky, in float64), row-major. */
export function cholesky(q: Float32Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = q[j * n + j]!;
    for (let k = 0; k < j; k++) d -= l[j * n + k]! ** 2;
    if (!(d > 0)) throw new Error(`quadratic_deep: the Hessian is not positive definite (pivot ${j} is ${d})`);
    const pivot = Math.sqrt(d);
    l[j * n + j] = pivot;
    for (let i = j + 1; i < n; i++) {
      let v = q[i * n + j]!;
      for (let k = 0; k < j; k++) v -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = v / pivot;
    }
  }
  return l;
}

const QUADRATIC_DIM = 100;

export const QUADRATIC_DEEP: TestProblem = {
  name: 'quadratic_deep',
  dataset: 'quadratic',
  defaultBatchSize: 128,
  defaultEpochs: 100,
  hasAccuracy: false,
  defaultWeightDecay: null,
  referenceParameterCount: 100,
  doc: 'Noisy quadratic ½(θ−x)ᵀQ(θ−x), θ ∈ R¹⁰⁰ from 1, Q with 10% large eigenvalues, x ~ N(0, 0.6²).',
  /**
   * As a layer chain (like DeepOBS's PyTorch "sequential" version, so that Cockpit can watch it): θ is the kernel of
   * a Dense layer fed a constant 1, a frozen Dense layer multiplies by c·L (Q = L·Lᵀ), and the mean squared error
   * against the targets c·x·L gives (c²/100)·(θ−x)ᵀQ(θ−x) per example, which is ½(θ−x)ᵀQ(θ−x) for c² = 50.
   */
  build: () => {
    const n = QUADRATIC_DIM;
    const scale = Math.sqrt(n / 2);
    const lower = Float32Array.from(cholesky(quadraticHessian(), n), (v) => scale * v);
    const metric = tf.tensor2d(lower, [n, n]);
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [1], units: n, useBias: false, kernelInitializer: 'ones', name: 'theta' }),
        tf.layers.dense({ units: n, useBias: false, trainable: false, weights: [metric], name: 'hessian_factor' }),
      ],
    });
    const prepareInputs = (inputs: tf.Tensor) => tf.ones([inputs.shape[0]!, 1]);
    const prepareTargets = (batch: Batch) => tf.matMul(batch.inputs as tf.Tensor2D, metric);
    const loss = (batch: Batch) =>
      tf.tidy(() => tf.mean(tf.square(tf.sub(model.apply(prepareInputs(batch.inputs)) as tf.Tensor, prepareTargets(batch)))) as tf.Scalar);
    return {
      variables: model.trainableWeights.map((w) => w.read() as tf.Variable),
      parameterNames: ['theta'],
      model,
      lossKind: 'mean_squared_error',
      prepareInputs,
      prepareTargets,
      loss,
      evaluate: (batch) => ({ loss: loss(batch) }),
      dispose: () => (model.dispose(), metric.dispose()),
    };
  },
};
