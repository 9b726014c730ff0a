// Time series for drawing: values per step, the original's moving average, and downsampling of long runs.
import type { Point, RunData } from '../model.js';

/** Longest series a panel draws; longer ones are thinned for drawing only (the store keeps everything). */
export const DEFAULT_MAX_POINTS = 1500;

export function scalarSeries(run: RunData, name: string): Point<number>[] {
  return (run.quantities.get(name) ?? []).flatMap((p) => (p.value.scalar != null ? [{ step: p.step, value: p.value.scalar }] : []));
}

/**
 * Per-parameter values summed into one: "norm" = root of the sum of squares (GradNorm, Distance, UpdateSize as the
 * original's "total"), "sum" = plain sum (HessTrace).
 */
export function vectorTotal(run: RunData, name: string, how: 'norm' | 'sum'): Point<number>[] {
  return (run.quantities.get(name) ?? []).flatMap((p) => {
    const values = p.value.vector?.values ?? (p.value.scalar != null ? [p.value.scalar] : undefined);
    if (!values) return [];
    const total = how === 'sum' ? values.reduce((a, b) => a + b, 0) : Math.sqrt(values.reduce((a, b) => a + b * b, 0));
    return [{ step: p.step, value: total }];
  });
}

/** The mini-batch loss: the Loss quantity where Cockpit tracked it, else the loss every StepRecord carries. */
export function lossSeries(run: RunData): Point<number>[] {
  const tracked = scalarSeries(run, 'Loss');
  return tracked.length ? tracked : run.losses;
}

/**
 * pandas `ewm(alpha, adjust=False).mean()` as the original plotter computes it over its table, whose rows are every
 * step of the run: after a gap of Δ rows, s = ((1−α)^Δ·s_prev + α·x) / ((1−α)^Δ + α); s_0 = x_0. NaN values
 * are gaps too.
 */
export function ema(rows: readonly number[], points: readonly Point<number>[], alpha = 0.2): number[] {
  const rowOf = new Map(rows.map((step, i) => [step, i]));
  const out: number[] = [];
  let prev: number | undefined;
  let prevRow = 0;
  for (const p of points) {
    const row = rowOf.get(p.step) ?? prevRow + 1;
    if (!Number.isFinite(p.value)) {
      out.push(prev ?? NaN);
      continue;
    }
    if (prev === undefined) prev = p.value;
    else {
      const decay = (1 - alpha) ** (row - prevRow);
      prev = (decay * prev + alpha * p.value) / (decay + alpha);
    }
    prevRow = row;
    out.push(prev);
  }
  return out;
}

/**
 * Thins a series to at most about `maxPoints` by keeping, per bucket of consecutive points, the first, the
 * smallest, the largest and the last, so spikes and the overall shape survive.
 */
export function downsample<T>(items: readonly T[], maxPoints: number, value: (t: T) => number): T[] {
  if (items.length <= maxPoints) return [...items];
  const buckets = Math.max(1, Math.floor(maxPoints / 4));
  const size = items.length / buckets;
  const out: T[] = [];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor(b * size);
    const end = Math.min(items.length, Math.floor((b + 1) * size));
    let lo = start;
    let hi = start;
    for (let i = start; i < end; i++) {
      if (value(items[i]) < value(items[lo])) lo = i;
      if (value(items[i]) > value(items[hi])) hi = i;
    }
    for (const i of [...new Set([start, lo, hi, end - 1])].sort((a, b) => a - b)) out.push(items[i]);
  }
  return out;
}

/** Whether positive values span more than two decades, so a log axis shows them better. */
export function spansDecades(values: readonly number[]): boolean {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length < 2 || finite.some((v) => v <= 0)) return false;
  return Math.max(...finite) / Math.min(...finite) > 100;
}

export interface SeriesRow {
  run: string;
  step: number;
  value: number;
  ema: number;
}

/** Rows {run, step, value, ema} of several runs, the EMA over the full series, then thinned for drawing. */
export function seriesRows(runs: readonly RunData[], extract: (run: RunData) => Point<number>[], maxPoints = DEFAULT_MAX_POINTS): SeriesRow[] {
  return runs.flatMap((run) => {
    const points = extract(run);
    const smooth = ema(run.rows, points);
    const rows = points.map((p, i) => ({ run: run.runId, step: p.step, value: p.value, ema: smooth[i] }));
    return downsample(rows, maxPoints, (r) => r.value);
  });
}
