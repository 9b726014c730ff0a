// Tuning: grid search, random search and Bayesian optimisation (GP with UCB or EI) under a budget of runs, on one
// seed per trial (DeepOBS protocol), then reruns of the best setting with more seeds. Every trial and rerun is a
// line of the tuning log (JSON lines), so a tuning can be followed while it runs and analysed afterwards.
import { appendFile } from 'node:fs/promises';
import { Rng } from '@flightdeck/core';
import { expectedImprovement, fitGp, ucb, type KernelName } from './gp.js';
import { gridSettings, sampleSetting, settingFromUnit, settingToUnit, type SearchSpace, type Setting } from './space.js';

export type Strategy =
  | { kind: 'grid'; grid: Record<string, readonly number[]> }
  | { kind: 'random'; space: SearchSpace }
  | { kind: 'bayes'; space: SearchSpace; acquisition: 'ucb' | 'ei'; kernel?: KernelName; initialSamples?: number; kappa?: number; xi?: number };

/** What one run gave: the value of the tuning metric (NaN for a diverged run) and where its result is. */
export interface TrialOutcome {
  value: number;
  metric: string;
  resultFile?: string;
}

export type Objective = (setting: Setting, seed: number) => Promise<TrialOutcome>;

export interface TuneOptions {
  strategy: Strategy;
  /** Number of tuning runs (reruns not included). A grid larger than the budget is an error, as in DeepOBS. */
  budget: number;
  objective: Objective;
  /** `max` for accuracies, `min` for losses; inferred from the first outcome's metric name when absent. */
  goal?: 'max' | 'min';
  /** Seed of every tuning run (DeepOBS: 42). */
  runSeed?: number;
  /** Seeds for the reruns of the best setting (DeepOBS: 43–51); none by default. */
  rerunSeeds?: number[];
  /** Seed of the tuner's own random numbers (sampling, acquisition search). */
  tunerSeed?: number;
  /** Trials run at once for grid and random search (Bayesian optimisation is sequential). */
  concurrency?: number;
  /** JSON-lines log file; each entry is appended as soon as it is known. */
  logFile?: string;
  onTrial?: (entry: TuningLogEntry) => void;
}

export interface TuningLogEntry {
  kind: 'trial' | 'rerun';
  index: number;
  strategy: Strategy['kind'];
  setting: Setting;
  seed: number;
  value: number | null;
  metric: string;
  resultFile?: string;
  /** Why the run produced no value (it crashed, also after its retries); the tuning goes on without it. */
  error?: string;
  seconds: number;
}

export interface TuningResult {
  trials: TuningLogEntry[];
  best: TuningLogEntry;
  reruns: TuningLogEntry[];
  /** Mean and population std of the best setting's value over its tuning run and reruns (finite values). */
  bestOverSeeds: { mean: number; std: number; seeds: number };
}

/** Larger is better after this map; NaN (diverged) is worst. */
const scoreOf = (goal: 'max' | 'min', v: number) => (Number.isNaN(v) ? -Infinity : goal === 'max' ? v : -v);

export async function tune(o: TuneOptions): Promise<TuningResult> {
  const runSeed = o.runSeed ?? 42;
  const rng = new Rng(o.tunerSeed ?? 0);
  const trials: TuningLogEntry[] = [];
  let goal = o.goal;

  const evaluate = async (kind: TuningLogEntry['kind'], index: number, setting: Setting, seed: number): Promise<TuningLogEntry> => {
    const t0 = Date.now();
    let out: TrialOutcome & { error?: string };
    try {
      out = await o.objective(setting, seed);
      goal ??= /accurac/i.test(out.metric) ? 'max' : 'min';
    } catch (e) {
      out = { value: NaN, metric: '', error: (e as Error).message };
    }
    const entry: TuningLogEntry = {
      kind,
      index,
      strategy: o.strategy.kind,
      setting,
      seed,
      value: Number.isFinite(out.value) ? out.value : null,
      metric: out.metric,
      ...(out.resultFile ? { resultFile: out.resultFile } : {}),
      ...(out.error ? { error: out.error } : {}),
      seconds: (Date.now() - t0) / 1000,
    };
    if (o.logFile) await appendFile(o.logFile, `${JSON.stringify(entry)}\n`);
    o.onTrial?.(entry);
    return entry;
  };
  const value = (e: TuningLogEntry) => scoreOf(goal ?? 'max', e.value ?? NaN);

  const s = o.strategy;
  if (s.kind === 'grid' || s.kind === 'random') {
    const settings = s.kind === 'grid' ? gridSettings(s.grid) : Array.from({ length: o.budget }, () => sampleSetting(s.space, rng));
    if (settings.length > o.budget) throw new Error(`grid search: the grid has ${settings.length} points, more than the budget of ${o.budget} runs`);
    trials.push(...(await pool(settings, o.concurrency ?? 1, (setting, i) => evaluate('trial', i, setting, runSeed))));
  } else {
    const init = Math.min(o.budget, s.initialSamples ?? 5);
    for (let i = 0; i < o.budget; i++) {
      const setting = i < init ? sampleSetting(s.space, rng) : proposeBayes(s, trials.map((t) => settingToUnit(s.space, t.setting)), trials.map(value), rng);
      trials.push(await evaluate('trial', i, setting, runSeed));
    }
  }
  if (trials.length === 0) throw new Error('tune: the budget allows no run');
  const best = trials.reduce((a, b) => (value(b) > value(a) ? b : a));
  const reruns = await pool(o.rerunSeeds ?? [], o.concurrency ?? 1, (seed, i) => evaluate('rerun', i, best.setting, seed));
  const values = [best, ...reruns].map((e) => e.value).filter((v): v is number => v !== null);
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length));
  return { trials, best, reruns, bestOverSeeds: { mean: values.length ? mean : NaN, std: values.length ? std : NaN, seeds: values.length } };
}

/**
 * The next point of Bayesian optimisation: the maximiser of the acquisition over random candidates and
 * perturbations of the best points so far. Diverged trials enter the GP at the worst observed value.
 */
function proposeBayes(s: Extract<Strategy, { kind: 'bayes' }>, x: number[][], scores: number[], rng: Rng): Setting {
  const finite = scores.filter(Number.isFinite);
  const worst = finite.length > 0 ? Math.min(...finite) : 0;
  const y = scores.map((v) => (Number.isFinite(v) ? v : worst));
  const { gp, center, scale } = fitGp(s.kernel ?? 'matern52', x, y);
  const bestY = (Math.max(...y) - center) / scale;
  const acq = (u: number[]) => {
    const p = gp.predict(u);
    return s.acquisition === 'ucb' ? ucb(p, s.kappa) : expectedImprovement(p, bestY, s.xi);
  };
  const d = s.space.length;
  const order = y.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]);
  const candidates: number[][] = Array.from({ length: 1000 }, () => Array.from({ length: d }, () => rng.next()));
  for (const [, i] of order.slice(0, 3))
    for (let k = 0; k < 100; k++) candidates.push(x[i].map((v) => Math.min(1, Math.max(0, v + rng.normal(0, 0.05)))));
  let bestU = candidates[0];
  let bestA = -Infinity;
  for (const u of candidates) {
    const a = acq(u);
    if (a > bestA) [bestA, bestU] = [a, u];
  }
  return settingFromUnit(s.space, bestU);
}

/** Runs `f` over `items` with at most `n` at a time, results in input order. */
export async function pool<T, R>(items: readonly T[], n: number, f: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
  return out;
}
