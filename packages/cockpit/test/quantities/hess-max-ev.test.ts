// HessMaxEV on Hessians with known spectra: H = Q diag(λ) Qᵀ with a random orthogonal Q, so the eigenvalues are
// known by construction, independently of any eigen-solver.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@flightdeck/core';
import type { BatchStats, ParamInfo } from '../../src/engine/types';
import { HessMaxEV, type StepData } from '../../src/quantities';
import { linear } from '../../src/schedules';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const PARAMS: ParamInfo[] = [
  { name: 'w', shape: [4, 5], size: 20, offset: 0 },
  { name: 'b', shape: [10], size: 10, offset: 20 },
];
const D = 30;

function orthogonal(rng: Rng): number[][] {
  const q: number[][] = [];
  while (q.length < D) {
    let v = Array.from({ length: D }, () => rng.normal());
    for (const u of q) {
      const c = u.reduce((s, x, i) => s + x * v[i], 0);
      v = v.map((x, i) => x - c * u[i]);
    }
    const norm = Math.hypot(...v);
    q.push(v.map((x) => x / norm));
  }
  return q;
}

/** StepData whose HVP multiplies by Q diag(λ) Qᵀ (rows of q are the eigenvectors). */
function withSpectrum(lambdas: number[], step = 0, warnings: string[] = []): StepData {
  const q = orthogonal(new Rng(42));
  const h = tf.tensor2d(Array.from({ length: D * D }, (_, k) => {
    const [i, j] = [Math.floor(k / D), k % D];
    return lambdas.reduce((s, l, e) => s + l * q[e][i] * q[e][j], 0);
  }), [D, D]);
  const theta = PARAMS.map((p) => tf.zeros(p.shape));
  return {
    step,
    theta,
    params: PARAMS,
    optimizer: { kind: 'unknown' },
    mcSeed: 0,
    stats: {} as BatchStats,
    loss: 0,
    batchSize: 1,
    hvp: (v) =>
      tf.tidy(() => {
        const flat = tf.concat(v.map((t) => t.reshape([-1, 1])));
        const hv = tf.matMul(h, flat).reshape([-1]);
        return tf.split(hv, PARAMS.map((p) => p.size)).map((t, i) => t.reshape(PARAMS[i].shape));
      }),
    rng: (label) => new Rng(`${step}:${label}`),
    warn: (m) => warnings.push(m),
  };
}

function spectrum(top: number[], rest: number): number[] {
  return [...top, ...Array.from({ length: D - top.length }, (_, i) => rest * (i / D - 0.5))];
}

async function value(q: HessMaxEV, data: StepData): Promise<number> {
  const [record] = await q.track(data);
  return record.scalar as number;
}

test('power iteration finds λ_max within 1e-2 (the original stopping rule)', async () => {
  const lambdas = spectrum([7.5], 4);
  const v = await value(new HessMaxEV(linear(1)), withSpectrum(lambdas));
  expect(Math.abs(v - 7.5) / 7.5).toBeLessThan(1e-2);
});

test('power iteration finds the eigenvalue of largest magnitude, even when negative', async () => {
  const v = await value(new HessMaxEV(linear(1)), withSpectrum(spectrum([3, -9], 2)));
  expect(Math.abs(v + 9) / 9).toBeLessThan(1e-2);
});

test('the power start is seeded: the same step gives the same value', async () => {
  const lambdas = spectrum([5, 4.8], 3);
  const a = await value(new HessMaxEV(linear(1)), withSpectrum(lambdas, 3));
  const b = await value(new HessMaxEV(linear(1)), withSpectrum(lambdas, 3));
  expect(a).toBe(b);
});

test('without convergence it warns and returns the last estimate', async () => {
  const warnings: string[] = [];
  const v = await value(new HessMaxEV(linear(1), { maxIterations: 3 }), withSpectrum(spectrum([5, -5], 1), 0, warnings));
  expect(Number.isFinite(v)).toBe(true);
  expect(warnings.join()).toMatch(/did not converge in 3 iterations/);
});

test('Lanczos (usePower false) finds the largest algebraic eigenvalue to float32 accuracy', async () => {
  for (const lambdas of [spectrum([3, -9], 2), spectrum([7.5, 7.4999], 4)]) {
    const expected = Math.max(...lambdas);
    const v = await value(new HessMaxEV(linear(1), { usePower: false }), withSpectrum(lambdas));
    expect(Math.abs(v - expected) / expected).toBeLessThan(1e-5);
  }
});

test('no tensors leak', async () => {
  const data = withSpectrum(spectrum([6], 2));
  const before = tf.memory().numTensors;
  await value(new HessMaxEV(linear(1)), data);
  await value(new HessMaxEV(linear(1), { usePower: false }), data);
  expect(tf.memory().numTensors).toBe(before);
});
