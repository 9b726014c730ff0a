// Performance Plot: the mini-batch loss + EMA, with train and validation accuracy (from log() / evaluations) on a
// second axis in [0, 1]; the legend shows the last accuracy as a percentage.
import type { RunData } from '../model.js';
import { scatterLayers, type PanelOptions } from './panel.js';
import { lossSeries, seriesRows } from './series.js';
import { PRIMARY, SECONDARY, SUMMARY_BACKGROUND, type VlSpec } from './style.js';

const ACCURACIES = [
  { field: 'trainAccuracy', label: 'Training accuracy', colour: PRIMARY },
  { field: 'validAccuracy', label: 'Validation accuracy', colour: SECONDARY },
] as const;

export function accuracyRows(runs: readonly RunData[]): { run: string; step: number; accuracy: number; series: string; colour: string }[] {
  return runs.flatMap((run) =>
    ACCURACIES.flatMap((a) => {
      const points = run.evaluations.flatMap((e) => (e[a.field] != null && e.step != null ? [{ step: Number(e.step), accuracy: e[a.field]! }] : []));
      if (points.length === 0) return [];
      const last = points[points.length - 1].accuracy;
      const series = `${runs.length > 1 ? `${run.runId}: ` : ''}${a.label}: (${(100 * last).toFixed(2)} %)`;
      return points.map((p) => ({ run: run.runId, ...p, series, colour: a.colour }));
    }),
  );
}

export function performanceSpec(runs: readonly RunData[], options: PanelOptions = {}): VlSpec | undefined {
  const loss = seriesRows(runs, lossSeries, options.maxPoints);
  const accuracy = accuracyRows(runs);
  if (loss.length === 0 && accuracy.length === 0) return undefined;
  const layers: VlSpec[] = [];
  if (loss.length) layers.push({ data: { values: loss }, layer: scatterLayers(loss, 'Mini-batch train loss', 'auto', 'left'), resolve: { scale: { color: 'independent' } } });
  if (accuracy.length) {
    const series = [...new Set(accuracy.map((r) => r.series))];
    layers.push({
      data: { values: accuracy },
      mark: { type: 'line', strokeWidth: 2, point: { size: 12 } },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'Iteration' },
        y: { field: 'accuracy', type: 'quantitative', title: 'Accuracy', scale: { domain: [0, 1] }, axis: { orient: 'right', format: '.0%' } },
        color: { field: 'series', type: 'nominal', title: null, scale: { domain: series, range: series.map((s) => accuracy.find((r) => r.series === s)!.colour) }, legend: { orient: 'top-left', fillColor: 'white' } },
        detail: { field: 'run' },
      },
    });
  }
  return {
    title: 'Performance Plot',
    width: options.width ?? 2 * 360 + 60,
    height: options.height ?? 170,
    view: { fill: SUMMARY_BACKGROUND },
    layer: layers,
    resolve: { scale: { y: 'independent', color: 'independent' } },
  };
}
