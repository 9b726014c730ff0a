// One setting folder (= one hyperparameter configuration) aggregated over its seed files, one file at a time.
import type { DeepobsResult, JsonValue, MetricName } from '@flightdeck/core';
import { METRIC_NAMES } from '@flightdeck/core';

/** Per-epoch mean and population standard deviation over seeds (DeepOBS uses numpy's default ddof = 0). */
export interface Curve {
  mean: number[];
  std: number[];
}

/** What the analyzer keeps of one seed: its final and best values and when it reached the convergence threshold. */
export interface SeedSummary {
  seed: number;
  /** Absent for settings that are not reported (the analyzer keeps only their selection metric). */
  file?: string;
  final: Partial<Record<MetricName, number>>;
  /** First evaluation index whose test metric reaches the problem's threshold; num_epochs + 1 when never. */
  speed?: number;
}

export interface SettingSummary {
  /** Folders above the problem ("small_budget/none" in Crowded Valley), "" for a plain results folder. */
  prefix: string;
  problem: string;
  optimizer: string;
  setting: string;
  format: DeepobsResult['format'];
  numEpochs: number;
  batchSize: number;
  hyperparams: Record<string, JsonValue>;
  trainingParams: Record<string, JsonValue>;
  hasAccuracy: boolean;
  seeds: SeedSummary[];
  /** Mean/std curves; the analyzer drops them for settings it does not plot, to keep memory bounded. */
  curves?: Partial<Record<MetricName, Curve>>;
  /** Mean over seeds of each curve's last point (NaN if any seed diverged). */
  finalMean: Partial<Record<MetricName, number>>;
  /** Best point of each mean curve (NaN points skipped; NaN when all are). */
  bestMean: Partial<Record<MetricName, number>>;
}

export const isAccuracy = (m: MetricName): boolean => m.endsWith('accuracies');

/**
 * What a setting keeps once it is not (or no longer) the chosen one: its selection metric only, for the sensitivity
 * plots and later comparisons. This keeps the analyzer's memory at a few hundred bytes per setting.
 */
export function slimSetting(s: SettingSummary, m: MetricName): void {
  delete s.curves;
  s.seeds = s.seeds.map((x) => ({ seed: x.seed, final: { [m]: x.final[m] } }));
  s.finalMean = { [m]: s.finalMean[m] };
  s.bestMean = { [m]: s.bestMean[m] };
}

/** Larger accuracy, smaller loss; NaN never wins (as in DeepOBS, where NaN comparisons are false). */
export function better(m: MetricName, a: number, b: number): boolean {
  if (Number.isNaN(a)) return false;
  if (Number.isNaN(b)) return true;
  return isAccuracy(m) ? a > b : a < b;
}

/** Welford accumulation over seeds, per epoch and metric. */
export class SettingAccumulator {
  private readonly n: Partial<Record<MetricName, number>> = {};
  private readonly mean: Partial<Record<MetricName, Float64Array>> = {};
  private readonly m2: Partial<Record<MetricName, Float64Array>> = {};
  private readonly seeds: SeedSummary[] = [];
  private first?: DeepobsResult;

  constructor(
    readonly key: { prefix: string; problem: string; optimizer: string; setting: string },
    private readonly threshold?: number,
  ) {}

  /** Adds one seed; returns a reason when the file does not fit the setting's first file (and is left out). */
  add(r: DeepobsResult, file: string): string | undefined {
    this.first ??= r;
    if (r.numEpochs !== this.first.numEpochs) return `num_epochs ${r.numEpochs} differs from ${this.first.numEpochs} of the other seeds`;
    for (const m of METRIC_NAMES) {
      const c = r.metrics[m];
      if (c && c.length !== r.numEpochs + 1) return `${m} has ${c.length} entries, expected ${r.numEpochs + 1}`;
    }
    const seed: SeedSummary = { seed: r.randomSeed, file, final: {} };
    for (const m of METRIC_NAMES) {
      const c = r.metrics[m];
      if (!c) continue;
      seed.final[m] = c[c.length - 1];
      const k = (this.n[m] = (this.n[m] ?? 0) + 1);
      const mean = (this.mean[m] ??= new Float64Array(c.length));
      const m2 = (this.m2[m] ??= new Float64Array(c.length));
      for (let i = 0; i < c.length; i++) {
        const d = c[i] - mean[i];
        mean[i] += d / k;
        m2[i] += d * (c[i] - mean[i]);
      }
    }
    if (this.threshold !== undefined) seed.speed = speedOf(r, this.threshold);
    this.seeds.push(seed);
    return undefined;
  }

  get size(): number {
    return this.seeds.length;
  }

  summary(): SettingSummary {
    const r = this.first;
    if (!r) throw new Error(`setting ${this.key.setting} has no readable seed file`);
    const curves: Partial<Record<MetricName, Curve>> = {};
    const finalMean: Partial<Record<MetricName, number>> = {};
    const bestMean: Partial<Record<MetricName, number>> = {};
    for (const m of METRIC_NAMES) {
      const mean = this.mean[m];
      const m2 = this.m2[m];
      const n = this.n[m];
      if (!mean || !m2 || !n) continue;
      curves[m] = { mean: Array.from(mean), std: Array.from(m2, (v) => Math.sqrt(Math.max(v, 0) / n)) };
      finalMean[m] = mean[mean.length - 1];
      let best = NaN;
      for (const v of mean) if (better(m, v, best)) best = v;
      bestMean[m] = best;
    }
    return {
      ...this.key,
      format: r.format,
      numEpochs: r.numEpochs,
      batchSize: r.batchSize,
      hyperparams: r.hyperparams,
      trainingParams: r.trainingParams,
      hasAccuracy: r.metrics.test_accuracies !== undefined,
      seeds: this.seeds,
      curves,
      finalMean,
      bestMean,
    };
  }
}

/** DeepOBS "speed": first evaluation index whose test metric reaches `threshold` (≥ accuracy, ≤ loss), else N + 1. */
export function speedOf(r: DeepobsResult, threshold: number): number {
  const acc = r.metrics.test_accuracies;
  const curve = acc ?? r.metrics.test_losses ?? [];
  const i = curve.findIndex((v) => (acc ? v >= threshold : v <= threshold));
  return i < 0 ? r.numEpochs + 1 : i;
}
