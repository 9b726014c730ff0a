// The DeepOBS results table: performance, speed and tuneability of the chosen setting per problem and optimizer.
import { mean, std, type JsonValue, type MetricName } from '@flightdeck/core';
import type { Analysis, OptimizerAnalysis, ProblemAnalysis } from './collect.js';

export interface TableRow {
  problem: string;
  optimizer: string;
  /** The test metric reported (test_accuracies, or test_losses for loss-only problems). */
  metric: MetricName;
  /** Final test metric of the chosen setting: mean and population std over its seeds. */
  performance: { mean: number; std: number; seeds: number };
  /** Mean over seeds of the first evaluation index reaching the convergence threshold (num_epochs + 1 if never). */
  speed?: number;
  /** The chosen setting's hyperparameters (and training parameters). */
  tuneability: Record<string, JsonValue>;
  setting: string;
  selectionMetric: MetricName;
}

export function reportedMetric(p: Pick<ProblemAnalysis, 'hasAccuracy'>): MetricName {
  return p.hasAccuracy ? 'test_accuracies' : 'test_losses';
}

export function tableRow(p: ProblemAnalysis, o: OptimizerAnalysis): TableRow {
  const metric = reportedMetric(p);
  const finals = o.chosen.seeds.map((s) => s.final[metric] ?? NaN);
  const speeds = o.chosen.seeds.map((s) => s.speed).filter((s): s is number => s !== undefined);
  const params = Object.fromEntries(Object.entries(o.chosen.trainingParams).filter(([, v]) => v !== null));
  return {
    problem: p.key,
    optimizer: o.optimizer,
    metric,
    performance: { mean: mean(finals), std: std(finals, 0), seeds: finals.length },
    ...(speeds.length === finals.length ? { speed: mean(speeds) } : {}),
    tuneability: { ...o.chosen.hyperparams, ...params },
    setting: o.chosen.setting,
    selectionMetric: o.selectionMetric,
  };
}

export function resultsTable(a: Analysis): TableRow[] {
  return a.problems.flatMap((p) => p.optimizers.map((o) => tableRow(p, o)));
}

/** Accuracies in percent, losses as they are, both with two decimals: "92.27 ± 0.17 %", "87.40 ± 0.16". */
export function formatPerformance(r: Pick<TableRow, 'metric' | 'performance'>): string {
  const acc = r.metric.endsWith('accuracies');
  const k = acc ? 100 : 1;
  return `${(r.performance.mean * k).toFixed(2)} ± ${(r.performance.std * k).toFixed(2)}${acc ? ' %' : ''}`;
}

/** Hyperparameters as the original table shows them: learning rates as 0.00e+00, other numbers to 4 digits. */
export function formatTuneability(t: Record<string, JsonValue>): string {
  return Object.entries(t)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? (/^(lr|learning_rate)$/.test(k) ? v.toExponential(2) : String(Number(v.toPrecision(4)))) : JSON.stringify(v)}`)
    .join(', ');
}

export function formatTableMarkdown(rows: TableRow[]): string {
  const lines = ['| problem | optimizer | performance (final test) | speed (epochs) | tuneability | seeds |', '|---|---|---|---|---|---|'];
  for (const r of rows)
    lines.push(`| ${r.problem} | ${r.optimizer} | ${formatPerformance(r)} | ${r.speed === undefined ? 'N.A.' : r.speed.toFixed(2)} | ${formatTuneability(r.tuneability)} | ${r.performance.seeds} |`);
  return lines.join('\n');
}
