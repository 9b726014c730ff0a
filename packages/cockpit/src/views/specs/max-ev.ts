// Max Eigenvalue: HessMaxEV + EMA on a log axis, as the original draws it.
import type { RunData } from '../model.js';
import { scatterPanel, type PanelOptions } from './panel.js';
import { scalarSeries, seriesRows } from './series.js';
import type { VlSpec } from './style.js';

export function maxEvSpec(runs: readonly RunData[], options: PanelOptions = {}): VlSpec | undefined {
  const rows = seriesRows(runs, (r) => scalarSeries(r, 'HessMaxEV'), options.maxPoints);
  // A log axis cannot show λ ≤ 0 (a dominant negative eigenvalue); fall back to linear only then, and say so.
  const positive = rows.every((r) => !(r.value <= 0));
  return scatterPanel('Max Eigenvalue', rows, positive ? 'Max Eigenvalue (log)' : 'Max Eigenvalue', positive, options);
}
