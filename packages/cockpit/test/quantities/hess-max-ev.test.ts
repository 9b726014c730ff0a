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
function withSpectrum(lambdas: number[], step = 0, warnings: string[] = [], counter = { hvps: 0 }): StepData {
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
    hvp: (v) => {
      counter.hvps++;
      return tf.tidy(() => {
        const flat = tf.concat(v.map((t) => t.reshape([-1, 1])));
        const hv = tf.matMul(h, flat).reshape([-1]);
        return tf.split(hv, PARAMS.map((p) => p.size)).map((t, i) => t.reshape(PARAMS[i].shape));
      });
    },
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

const POWER = { method: 'power' } as const;

test('power iteration finds λ_max within 1e-2 (the original stopping rule)', async () => {
  const lambdas = spectrum([7.5], 4);
  const v = await value(new HessMaxEV(linear(1), POWER), withSpectrum(lambdas));
  expect(Math.abs(v - 7.5) / 7.5).toBeLessThan(1e-2);
});

test('power iteration finds the eigenvalue of largest magnitude, even when negative', async () => {
  const v = await value(new HessMaxEV(linear(1), POWER), withSpectrum(spectrum([3, -9], 2)));
  expect(Math.abs(v + 9) / 9).toBeLessThan(1e-2);
});

test('the power start is seeded: the same step gives the same value', async () => {
  const lambdas = spectrum([5, 4.8], 3);
  for (const options of [POWER, {}]) {
    const a = await value(new HessMaxEV(linear(1), options), withSpectrum(lambdas, 3));
    const b = await value(new HessMaxEV(linear(1), options), withSpectrum(lambdas, 3));
    expect(a).toBe(b);
  }
});

test('without convergence it warns and returns the last estimate', async () => {
  const warnings: string[] = [];
  const v = await value(new HessMaxEV(linear(1), { ...POWER, maxIterations: 3 }), withSpectrum(spectrum([5, -5], 1), 0, warnings));
  expect(Number.isFinite(v)).toBe(true);
  expect(warnings.join()).toMatch(/power iteration did not converge in 3 iterations/);
  const w = await value(new HessMaxEV(linear(1), { maxIterations: 2 }), withSpectrum(spectrum([5, 4.9], 4), 0, warnings));
  expect(Number.isFinite(w)).toBe(true);
  expect(warnings.join()).toMatch(/Lanczos did not converge in 2 iterations/);
});

test('the default (Lanczos, largest magnitude) finds what power iteration finds, closer, with fewer HVPs', async () => {
  const cases = [spectrum([7.5], 4), spectrum([3, -9], 2), spectrum([5, 4.6], 3), spectrum([-6, 5.8], 3)];
  let [lanczosHvps, powerHvps] = [0, 0];
  for (const lambdas of cases) {
    const expected = lambdas.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a));
    const counts = [{ hvps: 0 }, { hvps: 0 }];
    const v = await value(new HessMaxEV(linear(1)), withSpectrum(lambdas, 0, [], counts[0]));
    const p = await value(new HessMaxEV(linear(1), POWER), withSpectrum(lambdas, 0, [], counts[1]));
    expect(Math.abs(v - expected) / Math.abs(expected)).toBeLessThan(1e-3);
    expect(Math.abs(v - expected)).toBeLessThanOrEqual(Math.abs(p - expected) + 1e-5);
    expect(counts[0].hvps).toBeLessThanOrEqual(counts[1].hvps);
    [lanczosHvps, powerHvps] = [lanczosHvps + counts[0].hvps, powerHvps + counts[1].hvps];
  }
  expect(lanczosHvps).toBeLessThan(powerHvps / 2);
});

test('warm start (default): the next step starts from the last eigenvector and needs fewer HVPs for the same answer', async () => {
  const lambdas = spectrum([5, 4.6], 3);
  // A slightly different Hessian at the next tracked step.
  const next = lambdas.map((l, i) => l * (1 + 0.01 * Math.sin(i)));
  const warm = new HessMaxEV(linear(1));
  const cold = new HessMaxEV(linear(1), { warmStart: false });
  const counts = { warm: { hvps: 0 }, cold: { hvps: 0 } };
  expect(Math.abs((await value(warm, withSpectrum(lambdas, 0))) - 5) / 5).toBeLessThan(1e-3);
  await value(cold, withSpectrum(lambdas, 0));
  const fromWarm = await value(warm, withSpectrum(next, 16, [], counts.warm));
  const fromCold = await value(cold, withSpectrum(next, 16, [], counts.cold));
  expect(Math.abs(fromWarm - next[0]) / next[0]).toBeLessThan(1e-3);
  expect(Math.abs(fromCold - next[0]) / next[0]).toBeLessThan(1e-3);
  expect(counts.warm.hvps).toBeLessThan(counts.cold.hvps);
  // Without warm start a step's value does not depend on the steps tracked before.
  expect(fromCold).toBe(await value(new HessMaxEV(linear(1), { warmStart: false }), withSpectrum(next, 16)));
});

test('options: method or the original usePower flag, checked', () => {
  expect(new HessMaxEV(linear(1)).options()).toEqual({ use_power: false, method: 'lanczos', warm_start: true });
  expect(() => new HessMaxEV(linear(1), { method: 'power', warmStart: true })).toThrow(/warmStart needs method 'lanczos'/);
  expect(new HessMaxEV(linear(1), { usePower: true }).method).toBe('power');
  expect(new HessMaxEV(linear(1), { usePower: false }).method).toBe('eigsh');
  expect(() => new HessMaxEV(linear(1), { usePower: true, method: 'power' })).toThrow(/either method or usePower/);
  expect(() => new HessMaxEV(linear(1), { method: 'arnoldi' as 'power' })).toThrow(/unknown method "arnoldi"/);
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
  await value(new HessMaxEV(linear(1), POWER), data);
  await value(new HessMaxEV(linear(1), { usePower: false }), data);
  expect(tf.memory().numTensors).toBe(before);
});
