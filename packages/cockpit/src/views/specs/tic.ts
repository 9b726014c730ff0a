// TIC: TICDiag + EMA, and TICTrace on a second axis. (The original crashes when TICTrace is present; we draw it.)
import type { RunData } from '../model.js';
import { scatterLayers, size, type PanelOptions } from './panel.js';
import { scalarSeries, seriesRows } from './series.js';
import type { VlSpec } from './style.js';

export function ticSpec(runs: readonly RunData[], options: PanelOptions = {}): VlSpec | undefined {
  const diag = seriesRows(runs, (r) => scalarSeries(r, 'TICDiag'), options.maxPoints);
  const trace = seriesRows(runs, (r) => scalarSeries(r, 'TICTrace'), options.maxPoints);
  if (diag.length === 0 && trace.length === 0) return undefined;
  const layers: VlSpec[] = [];
  if (diag.length) layers.push({ data: { values: diag }, layer: scatterLayers(diag, 'TICDiag', 'auto', 'left'), resolve: { scale: { color: 'independent' } } });
  if (trace.length) layers.push({ data: { values: trace }, layer: scatterLayers(trace, 'TICTrace', 'auto', 'right'), resolve: { scale: { color: 'independent' } } });
  return { title: 'TIC', ...size(options), layer: layers, resolve: { scale: { y: 'independent', color: 'independent' } } };
}
