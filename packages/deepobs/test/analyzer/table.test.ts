import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parsePythonJson } from '@flightdeck/core';
import { collectResults, formatPerformance, resultsTable, type Analysis } from '../../src/analyzer/index.js';

import { BASELINES } from './baselines.js';
const thresholds = JSON.parse(readFileSync(join(BASELINES, 'convergence_performance.json'), 'utf8')) as Record<string, number>;

// Reference §4.6 (final test metric, mean ± std over 10 seeds, selected learning rate).
const TABLE_4_6: Record<string, Record<string, [string, string]>> = {
  quadratic_deep: { GradientDescentOptimizer: ['87.40 ± 0.16', '1.58e-2'], MomentumOptimizer: ['87.05 ± 0.02', '2.51e-3'], AdamOptimizer: ['87.11 ± 0.02', '3.98e-2'] },
  mnist_vae: { GradientDescentOptimizer: ['38.46 ± 11.83', '3.98e-3'], MomentumOptimizer: ['52.93 ± 0.01', '2.51e-5'], AdamOptimizer: ['27.83 ± 0.09', '1.58e-4'] },
  fmnist_2c2d: { GradientDescentOptimizer: ['92.27 ± 0.17 %', '1.58e-1'], MomentumOptimizer: ['92.14 ± 0.20 %', '2.51e-3'], AdamOptimizer: ['92.34 ± 0.28 %', '2.51e-4'] },
  cifar10_3c3d: { GradientDescentOptimizer: ['83.71 ± 1.15 %', '6.31e-2'], MomentumOptimizer: ['84.41 ± 0.60 %', '3.98e-4'], AdamOptimizer: ['84.75 ± 0.33 %', '3.98e-4'] },
};

/** Every seed file of a setting folder, parsed without the analyzer (brute force for the checks below). */
function seedFiles(problem: string, optimizer: string, setting: string): Array<Record<string, number[]>> {
  const dir = join(BASELINES, problem, optimizer, setting);
  return readdirSync(dir).map((f) => parsePythonJson(readFileSync(join(dir, f), 'utf8')) as Record<string, number[]>);
}

describe('the baseline table of reference §4.6, recomputed from the fixture', () => {
  let most: Analysis;
  beforeAll(async () => {
    most = await collectResults(BASELINES, { mode: 'most', split: 'test', thresholds });
  });

  it('reproduces all 12 cells: performance and the selected learning rate', () => {
    const rows = resultsTable(most);
    expect(rows).toHaveLength(12);
    for (const r of rows) {
      const [perf, lr] = TABLE_4_6[r.problem][r.optimizer];
      expect(formatPerformance(r)).toBe(perf);
      expect((r.tuneability.learning_rate as number).toExponential(2).replace(/e([+-])0*(\d)/, 'e$1$2').replace('e+', 'e')).toBe(lr);
      expect(r.performance.seeds).toBe(10);
    }
  });

  it('computes mean, population std and speed of a setting as a plain loop over its files does', () => {
    for (const r of resultsTable(most)) {
      const files = seedFiles(r.problem, r.optimizer, r.setting);
      const finals = files.map((f) => f[r.metric][f[r.metric].length - 1]);
      const m = finals.reduce((a, b) => a + b, 0) / finals.length;
      const sd = Math.sqrt(finals.reduce((a, b) => a + (b - m) ** 2, 0) / finals.length);
      expect(r.performance.mean).toBeCloseTo(m, 12);
      expect(r.performance.std).toBeCloseTo(sd, 12);
      const acc = r.metric === 'test_accuracies';
      const speeds = files.map((f) => {
        const i = f[r.metric].findIndex((v) => (acc ? v >= thresholds[r.problem] : v <= thresholds[r.problem]));
        return i < 0 ? f[r.metric].length : i;
      });
      expect(r.speed).toBeCloseTo(speeds.reduce((a, b) => a + b, 0) / speeds.length, 12);
    }
  });

  it('the re-run setting is the grid point with the best seed-42 final test metric (selection on test)', () => {
    for (const p of most.problems)
      for (const o of p.optimizers) {
        const m = p.hasAccuracy ? 'test_accuracies' : 'test_losses';
        const seed42 = o.settings.map((s) => ({ s, v: s.seeds.find((x) => x.seed === 42)?.final[m] ?? NaN })).filter((x) => !Number.isNaN(x.v));
        seed42.sort((a, b) => (p.hasAccuracy ? b.v - a.v : a.v - b.v));
        expect(seed42[0].s.setting).toBe(o.chosen.setting);
      }
  });

  it('mode final picks the setting whose mean final metric is best, diverged settings never win', async () => {
    const fin = await collectResults(BASELINES, { mode: 'final', split: 'test', thresholds });
    for (const p of fin.problems)
      for (const o of p.optimizers) {
        const m = o.selectionMetric;
        const finite = o.settings.filter((s) => Number.isFinite(s.finalMean[m] as number));
        const best = finite.reduce((a, b) => ((p.hasAccuracy ? (b.finalMean[m] as number) > (a.finalMean[m] as number) : (b.finalMean[m] as number) < (a.finalMean[m] as number)) ? b : a));
        expect(o.chosen.setting).toBe(best.setting);
        expect(o.settings).toHaveLength(36);
      }
  });

  it('files without a validation split are chosen on test even when valid is asked', async () => {
    const valid = await collectResults(BASELINES, { mode: 'most', split: 'valid', thresholds });
    for (const p of valid.problems) for (const o of p.optimizers) expect(o.selectionMetric).toBe(p.hasAccuracy ? 'test_accuracies' : 'test_losses');
  });
});
