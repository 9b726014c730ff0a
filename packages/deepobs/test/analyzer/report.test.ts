import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeResultFile, type DeepobsResult } from '@flightdeck/core';
import { analyze, collectResults, performanceProfiles } from '../../src/analyzer/index.js';
import { BASELINES } from './baselines.js';

/** A 1.2 result whose valid and test curves end at the given values (linear from 2 down/up). */
function synthetic(problem: string, optimizer: string, lr: number, seed: number, validEnd: number, testEnd: number, acc: boolean): DeepobsResult {
  const n = 4;
  const line = (end: number, start: number) => Array.from({ length: n + 1 }, (_, i) => start + ((end - start) * i) / n + seed * 1e-4);
  return {
    format: '1.2',
    testproblem: problem,
    optimizer,
    batchSize: 8,
    numEpochs: n,
    randomSeed: seed,
    weightDecay: null,
    weightDecayKey: 'weight_decay',
    hyperparams: { lr, momentum: 0.9 },
    trainingParams: {},
    metrics: {
      train_losses: line(validEnd, 2),
      valid_losses: line(validEnd, 2),
      test_losses: line(testEnd, 2),
      ...(acc ? { train_accuracies: line(1 - validEnd / 4, 0.1), valid_accuracies: line(1 - validEnd / 4, 0.1), test_accuracies: line(1 - testEnd / 4, 0.1) } : {}),
    },
    extra: {},
  };
}

describe('deepobs analyze', () => {
  const dir = mkdtempSync(join(tmpdir(), 'analyze-'));
  const results = join(dir, 'results');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    // lr 0.1 is best on valid, lr 0.01 best on test: the split decides which one is chosen.
    for (const [problem, acc] of [['quadratic_deep', false], ['fmnist_2c2d', true]] as const)
      for (const opt of ['SGD', 'Adam'])
        for (const seed of [42, 43])
          for (const [lr, v, t] of [[0.1, 0.5, 1.0], [0.01, 1.0, 0.4], [0.001, 1.5, 1.5]]) {
            const slow = opt === 'Adam' ? 0.2 : 0;
            await writeResultFile(results, synthetic(problem, opt, lr, seed, v + slow, t + slow, acc), { date: new Date(2026, 0, 1, 0, 0, seed) });
          }
  });

  it('chooses on the validation metric by default and on test when asked', async () => {
    const valid = await collectResults(results, { mode: 'final', split: 'valid' });
    const test = await collectResults(results, { mode: 'final', split: 'test' });
    for (const p of valid.problems) for (const o of p.optimizers) expect([o.chosen.hyperparams.lr, o.selectionMetric]).toEqual([0.1, p.hasAccuracy ? 'valid_accuracies' : 'valid_losses']);
    for (const p of test.problems) for (const o of p.optimizers) expect(o.chosen.hyperparams.lr).toBe(0.01);
  });

  it('writes the HTML report with SVG and PNG figures, the table and the profiles', async () => {
    const out = join(dir, 'report');
    const report = await analyze({ results, baselines: BASELINES, out, thresholds: { quadratic_deep: 1.2, fmnist_2c2d: 0.65 } });
    const html = readFileSync(report.html, 'utf8');
    expect(html).toContain('final value of the valid metric');
    expect(html).toContain('The original DeepOBS baselines were chosen on the test set');
    expect(report.table).toHaveLength(4);
    // One performance plot per problem, one lr-sensitivity plot per problem and optimizer, test-set overview, profiles.
    expect(report.figures.map((f) => f.split('/').pop()).sort()).toEqual(
      [
        'performance-fmnist_2c2d.svg',
        'performance-quadratic_deep.svg',
        'profiles.svg',
        'sensitivity-fmnist_2c2d-Adam-lr.svg',
        'sensitivity-fmnist_2c2d-SGD-lr.svg',
        'sensitivity-quadratic_deep-Adam-lr.svg',
        'sensitivity-quadratic_deep-SGD-lr.svg',
        'testset.svg',
      ],
    );
    for (const f of report.figures) {
      expect(readFileSync(f, 'utf8')).toMatch(/^<svg/);
      expect(readFileSync(f.replace(/svg$/, 'png')).subarray(1, 4).toString()).toBe('PNG');
      expect(html).toContain(f.split('/').pop());
    }
    // Baselines are drawn in grey in the performance plot of a problem they cover.
    expect(readFileSync(join(out, 'performance-quadratic_deep.svg'), 'utf8')).toContain('#9e9e9e');
    expect(existsSync(join(out, 'table.md'))).toBe(true);
    // SGD reaches the thresholds earlier than Adam (its curves are 0.2 better) on both problems.
    expect(report.profiles.score.SGD).toBe(1);
    expect(report.profiles.score.Adam).toBeLessThan(1);
  }, 60000);
});

describe('performance profiles', () => {
  it('match a hand-computed case and a trapezoid integral of ρ', () => {
    const times = { A: { p1: 10, p2: 30, p3: Infinity }, B: { p1: 20, p2: 15, p3: 5 }, C: { p1: 50, p2: 15 } };
    const prof = performanceProfiles(times, 4, 3001);
    expect(prof.ratios.A).toEqual([1, 2, Infinity]);
    expect(prof.ratios.B).toEqual([2, 1, 1]);
    expect(prof.ratios.C).toEqual([Infinity, 1, Infinity]);
    // B = Σ (4 − r)+ / (3 problems · 3)
    expect(prof.score.A).toBeCloseTo((3 + 2) / 9, 12);
    expect(prof.score.B).toBeCloseTo((2 + 3 + 3) / 9, 12);
    expect(prof.score.C).toBeCloseTo(3 / 9, 12);
    for (const o of prof.optimizers) {
      let integral = 0;
      for (let j = 1; j < prof.taus.length; j++) integral += ((prof.rho[o][j] + prof.rho[o][j - 1]) / 2) * (prof.taus[j] - prof.taus[j - 1]);
      expect(integral / 3).toBeCloseTo(prof.score[o], 3);
    }
  });
});
