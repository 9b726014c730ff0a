import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cholesky,
  crowdedValleySpace,
  DEEPOBS_LR_GRID,
  expectedImprovement,
  fromUnit,
  GaussianProcess,
  kernelValue,
  normalCdf,
  toUnit,
  tune,
  type Objective,
  type SearchSpace,
} from '../../src/tuning/index.js';

describe('Gaussian process', () => {
  it('Cholesky factor of a textbook matrix', () => {
    const l = cholesky(Float64Array.from([4, 12, -16, 12, 37, -43, -16, -43, 98]), 3);
    expect(Array.from(l)).toEqual([2, 0, 0, 6, 1, 0, -8, 5, 3]);
    expect(() => cholesky(Float64Array.from([1, 2, 2, 1]), 2)).toThrow(/not positive definite/);
  });

  it('kernels match their closed forms', () => {
    const rbf = { name: 'rbf' as const, lengthscale: 0.5, variance: 2 };
    expect(kernelValue(rbf, [0, 0], [0.3, 0.4])).toBeCloseTo(2 * Math.exp(-0.5 * (0.5 / 0.5) ** 2), 14);
    const m = { name: 'matern52' as const, lengthscale: 0.5, variance: 1 };
    const s5 = Math.sqrt(5);
    expect(kernelValue(m, [0], [0.5])).toBeCloseTo((1 + s5 + 5 / 3) * Math.exp(-s5), 14);
  });

  it('posterior mean, variance and marginal likelihood of a two-point case, computed by hand', () => {
    const k = { name: 'rbf' as const, lengthscale: 0.5, variance: 1 };
    const noise = 0.01;
    const gp = new GaussianProcess(k, [[0], [1]], [1, -1], noise);
    // K = [[1+n, c], [c, 1+n]] with c = exp(-2); K⁻¹ = [[a, -c], [-c, a]] / det, a = 1 + n.
    const c = Math.exp(-0.5 * (1 / 0.5) ** 2);
    const a = 1 + noise;
    const det = a * a - c * c;
    const inv = [
      [a / det, -c / det],
      [-c / det, a / det],
    ];
    const ks = [Math.exp(-0.5 * (0.25 / 0.5) ** 2), Math.exp(-0.5 * (0.75 / 0.5) ** 2)];
    const alpha = [inv[0][0] * 1 + inv[0][1] * -1, inv[1][0] * 1 + inv[1][1] * -1];
    const mean = ks[0] * alpha[0] + ks[1] * alpha[1];
    const quad = ks[0] * (inv[0][0] * ks[0] + inv[0][1] * ks[1]) + ks[1] * (inv[1][0] * ks[0] + inv[1][1] * ks[1]);
    const p = gp.predict([0.25]);
    expect(p.mean).toBeCloseTo(mean, 12);
    expect(p.variance).toBeCloseTo(1 - quad, 12);
    const yKy = 1 * alpha[0] + -1 * alpha[1];
    expect(gp.logMarginalLikelihood).toBeCloseTo(-0.5 * yKy - 0.5 * Math.log(det) - Math.log(2 * Math.PI), 12);
  });

  it('normal cdf and expected improvement agree with closed values and quadrature', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 7);
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316301, 7);
    const p = { mean: 0.3, variance: 0.25 };
    let integral = 0;
    const h = 1e-4;
    for (let f = -5; f < 5; f += h) integral += Math.max(f - 0.5 - 0.01, 0) * (Math.exp(-((f - 0.3) ** 2) / 0.5) / Math.sqrt(2 * Math.PI * 0.25)) * h;
    expect(expectedImprovement(p, 0.5, 0.01)).toBeCloseTo(integral, 5);
  });
});

describe('search spaces', () => {
  it('maps the unit interval onto each scale and back', () => {
    const dims: SearchSpace = [
      { name: 'lr', scale: 'log-uniform', low: 1e-4, high: 1 },
      { name: 'momentum', scale: 'one-minus-log-uniform', low: 1e-4, high: 1 },
      { name: 'beta1', scale: 'uniform', low: 0.5, high: 0.999 },
      { name: 'k', scale: 'int', low: 1, high: 20 },
    ];
    expect(fromUnit(dims[0], 0.5)).toBeCloseTo(1e-2, 14);
    expect(fromUnit(dims[1], 0.25)).toBeCloseTo(0.999, 14);
    expect(fromUnit(dims[3], 0)).toBe(1);
    expect(fromUnit(dims[3], 1)).toBe(20);
    for (const d of dims) for (const u of [0.1, 0.37, 0.9]) expect(fromUnit(d, toUnit(d, fromUnit(d, u)))).toBeCloseTo(fromUnit(d, u), 10);
  });

  it('takes the Crowded Valley spaces from the optimizer registry', () => {
    expect(crowdedValleySpace('Momentum').map((d) => [d.name, d.scale])).toEqual([
      ['lr', 'log-uniform'],
      ['momentum', 'one-minus-log-uniform'],
    ]);
    expect(crowdedValleySpace('Adam').map((d) => d.name)).toEqual(['lr', 'beta1', 'beta2']);
    expect(DEEPOBS_LR_GRID).toHaveLength(36);
    expect(DEEPOBS_LR_GRID[0]).toBeCloseTo(1e-5, 18);
    expect(DEEPOBS_LR_GRID[35]).toBeCloseTo(100, 10);
  });
});

describe('tuners on a cheap objective', () => {
  // A validation loss with its optimum at lr = 1e-2, momentum = 0.97 (in log coordinates), diverging for lr > 0.3.
  const calls: Array<[Record<string, number>, number]> = [];
  const objective: Objective = async (s, seed) => {
    calls.push([s, seed]);
    if (s.lr > 0.3) return { value: NaN, metric: 'valid_losses' };
    const m = s.momentum ?? 0.97;
    return { value: (Math.log10(s.lr) + 2) ** 2 + (Math.log10(1 - m) - Math.log10(0.03)) ** 2 + (seed - 42) * 1e-3, metric: 'valid_losses' };
  };
  const space = crowdedValleySpace('Momentum');
  const dir = mkdtempSync(join(tmpdir(), 'tune-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('grid search over the DeepOBS lr grid finds lr = 1e-2 and reruns it with more seeds', async () => {
    calls.length = 0;
    const logFile = join(dir, 'grid.jsonl');
    const r = await tune({ strategy: { kind: 'grid', grid: { lr: DEEPOBS_LR_GRID } }, budget: 36, objective, rerunSeeds: [43, 44, 45], logFile, concurrency: 4 });
    expect(r.best.setting.lr).toBeCloseTo(1e-2, 12);
    expect(r.trials.filter((t) => t.value === null)).toHaveLength(DEEPOBS_LR_GRID.filter((x) => x > 0.3).length);
    expect(calls.filter(([, seed]) => seed === 42)).toHaveLength(36);
    expect(r.reruns.map((e) => [e.setting.lr, e.seed])).toEqual([43, 44, 45].map((seed) => [r.best.setting.lr, seed]));
    expect(r.bestOverSeeds.seeds).toBe(4);
    const log = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log).toHaveLength(39);
    expect(log.filter((e) => e.kind === 'rerun')).toHaveLength(3);
    await expect(tune({ strategy: { kind: 'grid', grid: { lr: DEEPOBS_LR_GRID } }, budget: 10, objective })).rejects.toThrow(/36 points, more than the budget of 10/);
  });

  const distance = (s: Record<string, number>) => Math.hypot(Math.log10(s.lr) + 2, Math.log10(1 - s.momentum) - Math.log10(0.03));

  it('random search in the Crowded Valley space lands in the optimum region', async () => {
    const r = await tune({ strategy: { kind: 'random', space }, budget: 50, objective, tunerSeed: 1 });
    expect(r.trials).toHaveLength(50);
    expect(distance(r.best.setting)).toBeLessThan(0.6);
  });

  for (const acquisition of ['ucb', 'ei'] as const)
    it(`Bayesian optimisation (${acquisition}) gets closer with fewer runs`, async () => {
      const r = await tune({ strategy: { kind: 'bayes', space, acquisition, initialSamples: 5 }, budget: 20, objective, tunerSeed: 3 });
      expect(r.trials).toHaveLength(20);
      expect(distance(r.best.setting)).toBeLessThan(0.25);
    });
});
