// The 2-D problems and quadratic_deep against their closed forms: loss values and gradients at given points and
// batches, computed here in double precision, and DeepOBS's Hessian checked against numpy's RandomState(42) draws.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@flightdeck/core';
import { getTestProblem, quadraticHessian } from '../../src/problems/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Closed = { f: (u: number, v: number) => number; grad: (u: number, v: number) => [number, number] };

const CLOSED: Record<string, Closed> = {
  two_d_rosenbrock: {
    f: (u, v) => (1 - u) ** 2 + 100 * (v - u * u) ** 2,
    grad: (u, v) => [-2 * (1 - u) - 400 * u * (v - u * u), 200 * (v - u * u)],
  },
  two_d_beale: {
    f: (u, v) => (1.5 - u + u * v) ** 2 + (2.25 - u + u * v * v) ** 2 + (2.625 - u + u * v ** 3) ** 2,
    grad: (u, v) => {
      const a = 1.5 - u + u * v, b = 2.25 - u + u * v * v, c = 2.625 - u + u * v ** 3;
      return [2 * a * (v - 1) + 2 * b * (v * v - 1) + 2 * c * (v ** 3 - 1), 2 * a * u + 4 * b * u * v + 6 * c * u * v * v];
    },
  },
  two_d_branin: {
    f: (u, v) => {
      const b = 5.1 / (4 * Math.PI ** 2), c = 5 / Math.PI;
      return (v - b * u * u + c * u - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(u) + 10;
    },
    grad: (u, v) => {
      const b = 5.1 / (4 * Math.PI ** 2), c = 5 / Math.PI;
      const inner = v - b * u * u + c * u - 6;
      return [2 * inner * (-2 * b * u + c) - 10 * (1 - 1 / (8 * Math.PI)) * Math.sin(u), 2 * inner];
    },
  },
};

const POINTS: [number, number][] = [[-0.5, 1.5], [0.3, -0.7], [1.2, 2.1], [-2, 0.4]];

describe.each(Object.keys(CLOSED))('%s', (name) => {
  test('loss = f(u, v) + u·mean(x) + v·mean(y), gradient = ∇f + mean noise, at several points', () => {
    const { f, grad } = CLOSED[name];
    const rng = new Rng(11);
    for (const [u, v] of POINTS) {
      const instance = getTestProblem(name).build({ seed: 0 });
      instance.variables[0].assign(tf.scalar(u));
      instance.variables[1].assign(tf.scalar(v));
      const noise = Array.from({ length: 6 }, () => [rng.normal(), rng.normal()]);
      const mx = noise.reduce((s, p) => s + p[0], 0) / 6;
      const my = noise.reduce((s, p) => s + p[1], 0) / 6;
      const batch = { inputs: tf.tensor2d(noise) };
      const { value, grads } = tf.variableGrads(() => instance.loss(batch, 'train'), instance.variables);
      const expected = f(u, v) + u * mx + v * my;
      const [gu, gv] = grad(u, v);
      const tol = (x: number) => 2e-6 * Math.max(1, Math.abs(x));
      expect(Math.abs(value.dataSync()[0] - expected)).toBeLessThan(tol(expected) * 10);
      expect(Math.abs(grads[instance.variables[0].name].dataSync()[0] - (gu + mx))).toBeLessThan(tol(gu) * 10);
      expect(Math.abs(grads[instance.variables[1].name].dataSync()[0] - (gv + my))).toBeLessThan(tol(gv) * 10);
      tf.dispose([value, batch.inputs, ...Object.values(grads)]);
      instance.dispose();
    }
  });
});

test('the 2-D problems start where DeepOBS starts them', () => {
  const start = (name: string) => getTestProblem(name).build({ seed: 0 }).variables.map((v) => v.dataSync()[0]);
  expect(start('two_d_rosenbrock')).toEqual([-0.5, 1.5]);
  expect(start('two_d_beale')).toEqual([-4.5, 4.5]);
  expect(start('two_d_branin')).toEqual([2.5, 12.5]);
});

test('quadratic_deep: loss = mean ½(θ−x)ᵀQ(θ−x) and gradient = Q(θ − mean x), in double precision', () => {
  const Q = quadraticHessian();
  const rng = new Rng(5);
  const theta = Array.from({ length: 100 }, () => rng.normal());
  const xs = Array.from({ length: 4 }, () => Array.from({ length: 100 }, () => rng.normal(0, 0.6)));
  let loss = 0;
  for (const x of xs) {
    const d = theta.map((t, i) => t - x[i]);
    for (let i = 0; i < 100; i++) for (let j = 0; j < 100; j++) loss += 0.5 * d[i] * Q[i * 100 + j] * d[j];
  }
  loss /= xs.length;
  const meanX = theta.map((_, i) => xs.reduce((s, x) => s + x[i], 0) / xs.length);
  const grad = theta.map((_, i) => {
    let g = 0;
    for (let j = 0; j < 100; j++) g += 0.5 * (Q[i * 100 + j] + Q[j * 100 + i]) * (theta[j] - meanX[j]);
    return g;
  });
  const instance = getTestProblem('quadratic_deep').build({ seed: 0 });
  expect(Array.from(instance.variables[0].dataSync())).toEqual(Array(100).fill(1));
  instance.variables[0].assign(tf.tensor(theta, instance.variables[0].shape));
  const batch = { inputs: tf.tensor2d(xs) };
  const { value, grads } = tf.variableGrads(() => instance.loss(batch, 'train'), instance.variables);
  expect(value.dataSync()[0]).toBeCloseTo(loss, 2);
  expect(Math.abs(value.dataSync()[0] - loss) / loss).toBeLessThan(1e-5);
  const g = grads[instance.variables[0].name].dataSync();
  grad.forEach((gi, i) => expect(Math.abs(g[i] - gi)).toBeLessThan(1e-4 * Math.max(1, Math.abs(gi))));
  tf.dispose([value, batch.inputs, ...Object.values(grads)]);
  instance.dispose();
});

test("quadratic_deep's Hessian: symmetric, with the eigenvalues numpy's RandomState(42) draws", () => {
  const Q = quadraticHessian();
  for (let i = 0; i < 100; i++) for (let j = 0; j < i; j++) expect(Math.abs(Q[i * 100 + j] - Q[j * 100 + i])).toBeLessThan(1e-5);
  const dir = mkdtempSync(join(tmpdir(), 'quadratic-'));
  try {
    writeFileSync(join(dir, 'q.f32'), Buffer.from(Q.buffer));
    const script = `import numpy as np, sys, json
Q = np.fromfile(sys.argv[1], dtype='<f4').reshape(100, 100).astype(np.float64)
rng = np.random.RandomState(42)
expected = np.sort(np.concatenate((rng.uniform(0., 1., 90), rng.uniform(30., 60., 10))))
print(json.dumps(float(np.max(np.abs(np.sort(np.linalg.eigvalsh((Q + Q.T) / 2)) - expected)))))`;
    const maxError = Number(execFileSync('/usr/bin/python3', ['-c', script, join(dir, 'q.f32')], { encoding: 'utf8' }));
    expect(maxError).toBeLessThan(1e-4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
