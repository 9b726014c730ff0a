// Hyperparameters: the learning rate reported with each evaluation (Cockpit's log()), an orange line; the legend
// gives the last value in scientific notation as the original does.
import type { RunData } from '../model.js';
import type { PanelOptions } from './panel.js';
import { SECONDARY, SUMMARY_BACKGROUND, type VlSpec } from './style.js';

export function learningRateRows(runs: readonly RunData[]): { run: string; step: number; lr: number; series: string }[] {
  return runs.flatMap((run) => {
    const points = run.evaluations.flatMap((e) => (e.learningRate != null && e.step != null ? [{ step: Number(e.step), lr: e.learningRate }] : []));
    if (points.length === 0) return [];
    // An evaluation carries the rate of the epoch it starts; the last one starts none, so the last rate holds to the
    // run's last step (drawn step-after, it would otherwise stop one epoch short).
    const last = points[points.length - 1]!;
    const end = Math.max(run.rows.at(-1) ?? 0, ...run.evaluations.map((e) => Number(e.step ?? 0)));
    if (end > last.step) points.push({ step: end, lr: last.lr });
    const series = `${runs.length > 1 ? `${run.runId}: ` : ''}Learning Rate: (${points[points.length - 1].lr.toExponential(1).toUpperCase().replace(/E([+-])(\d)$/, 'E$10$2')})`;
    return points.map((p) => ({ run: run.runId, ...p, series }));
  });
}

export function hyperparametersSpec(runs: readonly RunData[], options: PanelOptions = {}): VlSpec | undefined {
  const rows = learningRateRows(runs);
  if (rows.length === 0) return undefined;
  const single = new Set(rows.map((r) => r.run)).size === 1;
  return {
    title: 'Hyperparameters',
    width: options.width ?? 360,
    height: options.height ?? 170,
    view: { fill: SUMMARY_BACKGROUND },
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 2, interpolate: 'step-after' },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'Iteration' },
      y: { field: 'lr', type: 'quantitative', title: 'Learning rate', scale: { zero: false } },
      color: { field: 'series', type: 'nominal', title: null, scale: single ? { range: [SECONDARY] } : {}, legend: { orient: 'top-left', fillColor: 'white' } },
    },
  };
}
