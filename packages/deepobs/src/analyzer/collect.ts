// Streams a results folder into per-setting summaries and picks the best setting per (problem, optimizer).
// Memory is bounded by the number of settings (a few numbers each) plus the curves of the current best setting per
// optimizer: files are read a few at a time, each setting folder is summarised as soon as the walk leaves it.
import { dirname } from 'node:path';
import { findResultFiles, readResultFile, type MetricName, type ReadResult, type ResultFileRef } from '@flightdeck/core';
import { better, SettingAccumulator, slimSetting, type SettingSummary } from './settings.js';

/** `final`: best mean final value; `best`: best point of the mean curve; `most`: most seeds, ties by final value. */
export type SelectionMode = 'final' | 'best' | 'most';
/** Which split picks the setting; the original's baselines were picked on `test`, DeepOBS 1.2 picks on `valid`. */
export type SelectionSplit = 'valid' | 'test';

export interface CollectOptions {
  mode: SelectionMode;
  split: SelectionSplit;
  /** Convergence performance per problem (`convergence_performance.json`), for the speed measure. */
  thresholds?: Record<string, number>;
  /** Files read concurrently (default 16). */
  readAhead?: number;
  onFile?: (filesDone: number) => void;
}

export interface OptimizerAnalysis {
  optimizer: string;
  chosen: SettingSummary;
  /** The metric the setting was chosen on; `test_*` for files without a validation split even when valid was asked. */
  selectionMetric: MetricName;
  /** Every setting; all but the chosen one reduced to the selection metric (slimSetting). */
  settings: SettingSummary[];
}

export interface ProblemAnalysis {
  /** prefix/problem, e.g. "small_budget/none/quadratic_deep" or just "quadratic_deep". */
  key: string;
  prefix: string;
  problem: string;
  hasAccuracy: boolean;
  numEpochs: number;
  optimizers: OptimizerAnalysis[];
}

export interface Analysis {
  mode: SelectionMode;
  split: SelectionSplit;
  problems: ProblemAnalysis[];
  files: number;
  /** Files that could not be read or did not fit their setting, with the reason; they are left out. */
  skipped: Array<{ file: string; reason: string }>;
}

/** The metric a setting is judged on: the asked split's accuracy (or loss for loss-only problems). */
export function selectionMetricOf(s: SettingSummary, split: SelectionSplit): MetricName {
  const kind = s.hasAccuracy ? 'accuracies' : 'losses';
  const wanted = `${split}_${kind}` as MetricName;
  return s.curves?.[wanted] || s.finalMean[wanted] !== undefined ? wanted : (`test_${kind}` as MetricName);
}

function beats(mode: SelectionMode, m: MetricName, a: SettingSummary, b: SettingSummary): boolean {
  if (mode === 'most' && a.seeds.length !== b.seeds.length) return a.seeds.length > b.seeds.length;
  const pick = mode === 'best' ? 'bestMean' : 'finalMean';
  return better(m, a[pick][m] ?? NaN, b[pick][m] ?? NaN);
}

export async function collectResults(root: string, options: CollectOptions): Promise<Analysis> {
  const byKey = new Map<string, ProblemAnalysis>();
  const analysis: Analysis = { mode: options.mode, split: options.split, problems: [], files: 0, skipped: [] };
  let acc: SettingAccumulator | undefined;
  let accDir = '';

  const finish = () => {
    if (!acc || acc.size === 0) return;
    const s = acc.summary();
    const key = [s.prefix, s.problem].filter(Boolean).join('/');
    let p = byKey.get(key);
    if (!p) byKey.set(key, (p = { key, prefix: s.prefix, problem: s.problem, hasAccuracy: s.hasAccuracy, numEpochs: s.numEpochs, optimizers: [] }));
    let o = p.optimizers.find((x) => x.optimizer === s.optimizer);
    const metric = selectionMetricOf(s, options.split);
    if (!o) p.optimizers.push((o = { optimizer: s.optimizer, chosen: s, selectionMetric: metric, settings: [] }));
    else if (beats(options.mode, o.selectionMetric, s, o.chosen)) {
      slimSetting(o.chosen, o.selectionMetric);
      o.chosen = s;
    } else slimSetting(s, o.selectionMetric);
    o.settings.push(s);
  };

  for await (const { ref, read } of readResultsInOrder(root, options.readAhead)) {
    analysis.files++;
    options.onFile?.(analysis.files);
    if (!read.ok) {
      analysis.skipped.push({ file: ref.path, reason: read.error.message });
      continue;
    }
    const dir = dirname(ref.path);
    if (dir !== accDir) {
      finish();
      accDir = dir;
      acc = new SettingAccumulator({ prefix: ref.prefix.join('/'), problem: ref.problem, optimizer: ref.optimizer, setting: ref.setting }, options.thresholds?.[read.result.testproblem]);
    }
    const reason = acc?.add(read.result, ref.path);
    if (reason) analysis.skipped.push({ file: ref.path, reason });
  }
  finish();
  analysis.problems = [...byKey.values()];
  return analysis;
}

/** Every result file below `root`, read `depth` files ahead of the consumer (default 16) and yielded in walk order. */
export async function* readResultsInOrder(root: string, depth = 16): AsyncGenerator<{ ref: ResultFileRef; read: ReadResult }> {
  const queue: Array<Promise<{ ref: ResultFileRef; read: ReadResult }>> = [];
  for await (const ref of findResultFiles(root)) {
    queue.push(readResultFile(ref.path).then((read) => ({ ref, read })));
    if (queue.length >= depth) yield await (queue.shift() as Promise<{ ref: ResultFileRef; read: ReadResult }>);
  }
  while (queue.length > 0) yield await (queue.shift() as Promise<{ ref: ResultFileRef; read: ReadResult }>);
}
