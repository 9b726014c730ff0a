// Vega-Lite specifications of the analyzer's figures (plain data: rendered to SVG/PNG by render.ts).
import type { JsonValue, MetricName } from '@flightdeck/core';
import type { Analysis, OptimizerAnalysis, ProblemAnalysis } from './collect.js';
import type { PerformanceProfiles } from './profiles.js';
import type { SettingSummary } from './settings.js';

export type VegaLiteSpec = Record<string, unknown>;

const PANELS: Array<{ metric: MetricName; title: string }> = [
  { metric: 'test_losses', title: 'test loss' },
  { metric: 'train_losses', title: 'train loss' },
  { metric: 'test_accuracies', title: 'test accuracy' },
  { metric: 'train_accuracies', title: 'train accuracy' },
];
const BASELINE_GREY = '#9e9e9e';
/** Optimizer names ("GradientDescentOptimizer (B = 0.912)") are long: the legend must not cut them. */
const OPTIMIZER_COLOR = { field: 'optimizer', type: 'nominal', legend: { labelLimit: 400 } };

interface CurveRow {
  optimizer: string;
  epoch: number;
  mean: number | null;
  lo: number | null;
  hi: number | null;
}

/** Vega-Lite cannot plot NaN or ±Infinity: a diverged point becomes a gap (null). */
const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

function curveRows(o: OptimizerAnalysis, metric: MetricName, label = o.optimizer): CurveRow[] {
  const c = o.chosen.curves?.[metric];
  if (!c) return [];
  return c.mean.map((m, epoch) => ({ optimizer: label, epoch, mean: finite(m), lo: finite(m - c.std[epoch]), hi: finite(m + c.std[epoch]) }));
}

/** y range from the 2nd to 98th percentile of the plotted means, so one diverging curve does not flatten the rest. */
function robustDomain(rows: CurveRow[], extra: number[] = []): [number, number] | undefined {
  const v = rows.flatMap((r) => (r.mean === null ? [] : [r.mean])).concat(extra).sort((a, b) => a - b);
  if (v.length < 2) return undefined;
  const lo = v[Math.floor(0.02 * (v.length - 1))];
  const hi = v[Math.ceil(0.98 * (v.length - 1))];
  const pad = (hi - lo) * 0.05 || Math.abs(hi) * 0.05 || 1;
  return [lo - pad, hi + pad];
}

function panel(problem: ProblemAnalysis, baselines: ProblemAnalysis | undefined, metric: MetricName, title: string, threshold?: number): VegaLiteSpec {
  const rows = problem.optimizers.flatMap((o) => curveRows(o, metric));
  const base = (baselines?.optimizers ?? []).flatMap((o) => curveRows(o, metric, `${o.optimizer} (baseline)`));
  const domain = robustDomain([...rows, ...base], threshold !== undefined ? [threshold] : []);
  const y = { type: 'quantitative', title, scale: domain ? { domain, clamp: true, zero: false } : { zero: false } };
  const x = { field: 'epoch', type: 'quantitative', title: 'epoch' };
  const layers: VegaLiteSpec[] = [
    { data: { values: base }, mark: { type: 'line', color: BASELINE_GREY, strokeDash: [4, 2], clip: true }, encoding: { x, y: { ...y, field: 'mean' }, detail: { field: 'optimizer' } } },
    { data: { values: rows }, mark: { type: 'area', opacity: 0.2, clip: true }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color: OPTIMIZER_COLOR } },
    { data: { values: rows }, mark: { type: 'line', clip: true }, encoding: { x, y: { ...y, field: 'mean' }, color: OPTIMIZER_COLOR } },
  ];
  if (threshold !== undefined) layers.push({ data: { values: [{ t: threshold }] }, mark: { type: 'rule', color: BASELINE_GREY }, encoding: { y: { field: 't', type: 'quantitative' } } });
  return { width: 360, height: 160, layer: layers };
}

/** Per problem: test loss, train loss, test accuracy, train accuracy over epochs; mean ± std; baselines in grey. */
export function performanceChart(problem: ProblemAnalysis, baselines?: ProblemAnalysis, threshold?: number): VegaLiteSpec {
  const panels = PANELS.filter((p) => problem.hasAccuracy || !p.metric.endsWith('accuracies'));
  const onTest = (m: MetricName) => m === (problem.hasAccuracy ? 'test_accuracies' : 'test_losses');
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${problem.key}: chosen settings, mean ± std over seeds${baselines ? ' (baselines grey, dashed)' : ''}`,
    vconcat: panels.map((p) => panel(problem, baselines, p.metric, p.title, onTest(p.metric) ? threshold : undefined)),
    resolve: { scale: { color: 'shared' } },
  };
}

/** Hyperparameters that take more than one numeric value among an optimizer's settings. */
export function varyingHyperparameters(settings: SettingSummary[]): string[] {
  const values = new Map<string, Set<JsonValue>>();
  for (const s of settings) for (const [k, v] of Object.entries(s.hyperparams)) if (typeof v === 'number') (values.get(k) ?? values.set(k, new Set()).get(k))?.add(v);
  return [...values].filter(([, vs]) => vs.size > 1).map(([k]) => k).sort();
}

/** Final value of the selection metric against one hyperparameter: mean per setting (line) and each seed (crosses). */
export function sensitivityChart(problem: ProblemAnalysis, o: OptimizerAnalysis, hp: string): VegaLiteSpec {
  const m = o.selectionMetric;
  const pts = o.settings.filter((s) => typeof s.hyperparams[hp] === 'number');
  const means = pts.map((s) => ({ x: s.hyperparams[hp] as number, y: finite(s.finalMean[m] ?? NaN) })).sort((a, b) => a.x - b.x);
  const seeds = pts.flatMap((s) => s.seeds.map((seed) => ({ x: s.hyperparams[hp] as number, y: finite(seed.final[m] ?? NaN) })));
  const xs = means.map((p) => p.x);
  const log = xs.every((v) => v > 0) && Math.max(...xs) / Math.min(...xs) >= 10;
  const x = { field: 'x', type: 'quantitative', title: hp, scale: { type: log ? 'log' : 'linear' } };
  const domain = robustDomain(seeds.map((s) => ({ optimizer: '', epoch: 0, mean: s.y, lo: null, hi: null })));
  const y = { field: 'y', type: 'quantitative', title: `final ${m}`, scale: domain ? { domain, clamp: true, zero: false } : { zero: false } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${problem.key} / ${o.optimizer}: sensitivity to ${hp}`,
    width: 360,
    height: 200,
    layer: [
      { data: { values: seeds }, mark: { type: 'point', shape: 'cross', opacity: 0.6, clip: true }, encoding: { x, y } },
      { data: { values: means }, mark: { type: 'line', point: true, clip: true }, encoding: { x, y } },
      { data: { values: [{ x: o.chosen.hyperparams[hp] }] }, mark: { type: 'rule', color: 'red', strokeDash: [3, 3] }, encoding: { x } },
    ],
  };
}

/** Test metric over epochs for every problem side by side (DeepOBS 1.2 plot_testset_performances). */
export function testsetChart(a: Analysis): VegaLiteSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'test-set performance across problems (chosen settings, mean over seeds)',
    hconcat: a.problems.map((p) => {
      const metric: MetricName = p.hasAccuracy ? 'test_accuracies' : 'test_losses';
      const rows = p.optimizers.flatMap((o) => curveRows(o, metric));
      const domain = robustDomain(rows);
      return {
        title: p.key,
        width: 220,
        height: 160,
        data: { values: rows },
        mark: { type: 'line', clip: true },
        encoding: {
          x: { field: 'epoch', type: 'quantitative' },
          y: { field: 'mean', type: 'quantitative', title: metric, scale: domain ? { domain, zero: false, clamp: true } : { zero: false } },
          color: OPTIMIZER_COLOR,
        },
      };
    }),
    resolve: { scale: { color: 'shared' } },
  };
}

/** ρ(τ) step curves, one per optimizer. */
export function profileChart(p: PerformanceProfiles): VegaLiteSpec {
  const rows = p.optimizers.flatMap((o) => p.taus.map((tau, j) => ({ optimizer: `${o} (B = ${p.score[o].toFixed(3)})`, tau, rho: p.rho[o][j] })));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `performance profiles over ${p.problems.length} problems (time = epochs to the convergence threshold)`,
    width: 420,
    height: 240,
    data: { values: rows },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 'tau', type: 'quantitative', title: 'τ (ratio to the fastest)', scale: { domain: [1, p.rMax] } },
      y: { field: 'rho', type: 'quantitative', title: 'ρ(τ): fraction of problems', scale: { domain: [0, 1] } },
      color: OPTIMIZER_COLOR,
    },
  };
}
