// Trace: HessTrace summed over the parameters + EMA.
import type { RunData } from '../model.js';
import { scatterPanel, type PanelOptions } from './panel.js';
import { seriesRows, vectorTotal } from './series.js';
import type { VlSpec } from './style.js';

export function traceSpec(runs: readonly RunData[], options: PanelOptions = {}): VlSpec | undefined {
  const rows = seriesRows(runs, (r) => vectorTotal(r, 'HessTrace', 'sum'), options.maxPoints);
  return scatterPanel('Trace', rows, 'Trace', 'auto', options);
}
