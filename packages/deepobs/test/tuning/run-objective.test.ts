import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readResultFile, selectBackend } from '@flightdeck/core';
import { runProblem } from '../../src/runner/index.js';
import { runObjective, tune, tuningMetric, type RunOne } from '../../src/tuning/index.js';

describe('tuning real runs of a 2-D problem', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tune-runs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  const discard = { write: () => undefined, flush: async () => undefined, close: async () => undefined };
  const runOne: RunOne = async (run) => {
    const out = await runProblem(run, discard);
    return out.resultPath as string;
  };

  it('random search over the lr of SGD on two_d_branin picks the setting with the lowest final validation loss', async () => {
    const logFile = join(dir, 'log.jsonl');
    const objective = runObjective(runOne, { problem: 'two_d_branin', optimizer: 'SGD', hyperparameters: {}, numEpochs: 1, batchSize: 500, outputDir: dir }, { split: 'valid', mode: 'final' });
    const r = await tune({ strategy: { kind: 'random', space: [{ name: 'lr', scale: 'log-uniform', low: 1e-4, high: 1e-1 }] }, budget: 4, objective, rerunSeeds: [43], logFile, tunerSeed: 5 });
    expect(r.trials.every((t) => t.metric === 'valid_losses' && t.resultFile)).toBe(true);
    // The tuner's value is the final valid loss of the run's own result file.
    for (const t of [...r.trials, ...r.reruns]) {
      const read = await readResultFile(t.resultFile as string);
      if (!read.ok) throw read.error;
      expect(read.result.randomSeed).toBe(t.seed);
      expect(read.result.hyperparams.lr).toBe(t.setting.lr);
      const v = read.result.metrics.valid_losses as number[];
      expect(t.value).toBe(Number.isFinite(v[v.length - 1]) ? v[v.length - 1] : null);
    }
    const finite = r.trials.filter((t) => t.value !== null);
    expect(r.best.value).toBe(Math.min(...finite.map((t) => t.value as number)));
    expect(r.reruns[0].setting).toEqual(r.best.setting);
    expect(readFileSync(logFile, 'utf8').trim().split('\n')).toHaveLength(5);
  });

  it('tuningMetric: best mode and the fallback to test for results without validation curves', async () => {
    const base = { testproblem: 'p', optimizer: 'o', batchSize: 1, numEpochs: 2, randomSeed: 42, weightDecay: null, weightDecayKey: 'weight_decay' as const, hyperparams: {}, trainingParams: {}, extra: {}, format: '1.1' as const };
    const acc = { ...base, metrics: { train_losses: [3, 2, 1], test_losses: [3, 2, 1], train_accuracies: [0.1, 0.9, 0.8], test_accuracies: [0.1, 0.7, 0.6] } };
    expect(tuningMetric(acc, { split: 'valid', mode: 'final' })).toEqual({ value: 0.6, metric: 'test_accuracies' });
    expect(tuningMetric(acc, { split: 'valid', mode: 'best' })).toEqual({ value: 0.7, metric: 'test_accuracies' });
    const diverged = { ...base, metrics: { train_losses: [3, NaN, NaN], valid_losses: [3, 1, NaN], test_losses: [3, NaN, NaN] } };
    expect(tuningMetric(diverged, { split: 'valid', mode: 'final' }).value).toBeNaN();
    expect(tuningMetric(diverged, { split: 'valid', mode: 'best' })).toEqual({ value: 1, metric: 'valid_losses' });
  });
});
