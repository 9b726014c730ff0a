// The tuning objective of real runs: run the setting (one seed), read its DeepOBS result, return the metric the
// tuner optimises (validation metric by default, final or best value).
import { readResultFile, type DeepobsResult, type MetricName } from '@flightdeck/core';
import type { SweepRun } from '../sweep/spec.js';
import type { Objective, TrialOutcome } from './tuner.js';

/** Runs one run to its end and returns the path of its result file (throws, naming the run, when it fails). */
export type RunOne = (run: SweepRun) => Promise<string>;

export interface MetricChoice {
  /** `valid` (default, DeepOBS 1.2) or `test` (what DeepOBS 1.1 and its GP tuner used). */
  split: 'valid' | 'test';
  mode: 'final' | 'best';
}

/** The split's accuracy (loss for loss-only problems); test when the result has no validation curves. */
export function tuningMetric(r: DeepobsResult, choice: MetricChoice): { value: number; metric: MetricName } {
  const kind = r.metrics.test_accuracies ? 'accuracies' : 'losses';
  let metric = `${choice.split}_${kind}` as MetricName;
  if (!r.metrics[metric]) metric = `test_${kind}` as MetricName;
  const curve = r.metrics[metric] ?? [];
  if (choice.mode === 'final') return { value: curve[curve.length - 1] ?? NaN, metric };
  const finite = curve.filter(Number.isFinite);
  return { value: finite.length === 0 ? NaN : kind === 'accuracies' ? Math.max(...finite) : Math.min(...finite), metric };
}

/** An objective that trains `base` with the tuner's setting on top of `base.hyperparameters`. */
export function runObjective(runOne: RunOne, base: Omit<SweepRun, 'seed'>, choice: MetricChoice): Objective {
  return async (setting, seed): Promise<TrialOutcome> => {
    const run: SweepRun = { ...base, hyperparameters: { ...base.hyperparameters, ...setting }, seed };
    const file = await runOne(run);
    const read = await readResultFile(file);
    if (!read.ok) throw read.error;
    return { ...tuningMetric(read.result, choice), resultFile: file };
  };
}
