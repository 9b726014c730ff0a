// Gradient Element Histogram: the 1-D histogram of all individual gradient elements at one step (latest by
// default), blue bars on a log frequency axis.
import type { RunData } from '../model.js';
import { pickHistogram } from './histogram.js';
import { size, type PanelOptions } from './panel.js';
import { PRIMARY, type VlSpec } from './style.js';

export interface BarRow {
  lo: number;
  hi: number;
  count: number;
}

export function hist1dBars(edges: readonly number[], counts: readonly number[]): BarRow[] {
  // Empty bins cannot sit on a log axis; the original's bars of height 0 are invisible there too.
  return counts.flatMap((count, i) => (count > 0 ? [{ lo: edges[i], hi: edges[i + 1], count }] : []));
}

export function hist1dSpec(runs: readonly RunData[], options: PanelOptions = {}): VlSpec | undefined {
  const run = runs[0];
  const pick = run && pickHistogram(run, 'GradHist1d', undefined, options.stepBack);
  const h = pick?.quantity.histogram1d;
  if (!pick || !h) return undefined;
  const edges = h.edges ?? [];
  return {
    title: { text: 'Gradient Element Histogram', subtitle: `step ${pick.step}${runs.length > 1 ? ` · ${run.runId}` : ''}` },
    ...size(options),
    data: { values: hist1dBars(edges, h.counts ?? []) },
    mark: { type: 'rect', color: PRIMARY, stroke: 'white', strokeWidth: 0.3 },
    encoding: {
      x: { field: 'lo', type: 'quantitative', title: 'Gradient Element Value', scale: { domain: [edges[0], edges[edges.length - 1]], nice: false } },
      x2: { field: 'hi' },
      y: { field: 'count', type: 'quantitative', title: 'Frequency', scale: { type: 'log' } },
      y2: { datum: 0.5 },
      tooltip: [{ field: 'lo', format: '.3g' }, { field: 'hi', format: '.3g' }, { field: 'count' }],
    },
  };
}
