// TIC: TICDiag + EMA, and TICTrace on a second axis. (The original crashes when TICTrace is present; we draw it.)
import type { RunData } from '../model.js';
import { twinAxisPanel, type PanelOptions } from './panel.js';
import { scalarSeries, seriesRows } from './series.js';
import type { VlSpec } from './style.js';

export function ticSpec(runs: readonly RunData[], options: PanelOptions = {}): VlSpec | undefined {
  return twinAxisPanel(
    'TIC',
    { rows: seriesRows(runs, (r) => scalarSeries(r, 'TICDiag'), options.maxPoints), yTitle: 'TICDiag', log: 'auto' },
    { rows: seriesRows(runs, (r) => scalarSeries(r, 'TICTrace'), options.maxPoints), yTitle: 'TICTrace', log: 'auto' },
    options,
  );
}
