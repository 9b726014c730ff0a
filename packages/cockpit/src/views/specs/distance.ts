// Distance: ‖θ_t − θ_0‖ (left axis) and the update size ‖θ_{t+1} − θ_t‖ (right axis), both totals over parameters.
import type { RunData } from '../model.js';
import { twinAxisPanel, type PanelOptions } from './panel.js';
import { seriesRows, vectorTotal } from './series.js';
import type { VlSpec } from './style.js';

export function distanceSpec(runs: readonly RunData[], options: PanelOptions = {}): VlSpec | undefined {
  return twinAxisPanel(
    'Distance',
    { rows: seriesRows(runs, (r) => vectorTotal(r, 'Distance', 'norm'), options.maxPoints), yTitle: 'Distance', log: false },
    { rows: seriesRows(runs, (r) => vectorTotal(r, 'UpdateSize', 'norm'), options.maxPoints), yTitle: 'Update size', log: false },
    options,
  );
}
