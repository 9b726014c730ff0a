// Time series for drawing: values per step, the original's moving average, and downsampling of long runs.
import type { Point, RunData } from '../model.js';

/** Longest series a panel draws; longer ones are thinned for drawing only (the store keeps everything). */
export const DEFAULT_MAX_POINTS = 1500;

// Plain loops below: these run over every recorded step of a long run on each dashboard push.
export function scalarSeries(run: RunData, name: string): Point<number>[] {
  const out: Point<number>[] = [];
  for (const p of run.quantities.get(name) ?? []) if (p.value.scalar != null) out.push({ step: p.step, value: p.value.scalar });
  return out;
}

/**
 * Per-parameter values summed into one: "norm" = root of the sum of squares (GradNorm, Distance, UpdateSize as the
 * original's "total"), "sum" = plain sum (HessTrace).
 */
export function vectorTotal(run: RunData, name: string, how: 'norm' | 'sum'): Point<number>[] {
  const out: Point<number>[] = [];
  for (const p of run.quantities.get(name) ?? []) {
    const values = p.value.vector?.values ?? (p.value.scalar != null ? [p.value.scalar] : undefined);
    if (!values) continue;
    let total = 0;
    for (const v of values) total += how === 'sum' ? v : v * v;
    out.push({ step: p.step, value: how === 'sum' ? total : Math.sqrt(total) });
  }
  return out;
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
  const out: number[] = [];
  let prev: number | undefined;
  let prevRow = 0;
  // Both lists are sorted by step, so one forward walk finds each point's row (no per-call index of the rows).
  let cursor = 0;
  for (const p of points) {
    while (cursor < rows.length && rows[cursor] < p.step) cursor++;
    const row = rows[cursor] === p.step ? cursor : prevRow + 1;
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
 * Which of `n` points to draw so that at most about `maxPoints` remain: per bucket of consecutive points, the
 * first, the smallest, the largest and the last, so spikes and the overall shape survive. Indices ascend.
 */
export function downsampleIndices(n: number, maxPoints: number, value: (i: number) => number): number[] {
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const buckets = Math.max(1, Math.floor(maxPoints / 4));
  const size = n / buckets;
  const out: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor(b * size);
    const end = Math.min(n, Math.floor((b + 1) * size));
    let lo = start;
    let hi = start;
    for (let i = start; i < end; i++) {
      if (value(i) < value(lo)) lo = i;
      if (value(i) > value(hi)) hi = i;
    }
    for (const i of [...new Set([start, lo, hi, end - 1])].sort((a, b) => a - b)) out.push(i);
  }
  return out;
}

export function downsample<T>(items: readonly T[], maxPoints: number, value: (t: T) => number): T[] {
  return downsampleIndices(items.length, maxPoints, (i) => value(items[i])).map((i) => items[i]);
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
    // Rows are made only for the points drawn: a long run has far more points than a panel shows.
    return downsampleIndices(points.length, maxPoints, (i) => points[i].value).map((i) => ({ run: run.runId, step: points[i].step, value: points[i].value, ema: smooth[i] }));
  });
}
