// Gradient Norm: ‖ḡ‖ over all parameters (root of the sum of squares of the per-parameter norms) + EMA.
import type { RunData } from '../model.js';
import { scatterPanel, type PanelOptions } from './panel.js';
import { seriesRows, vectorTotal } from './series.js';
import type { VlSpec } from './style.js';

export function gradNormSpec(runs: readonly RunData[], options: PanelOptions = {}): VlSpec | undefined {
  const rows = seriesRows(runs, (r) => vectorTotal(r, 'GradNorm', 'norm'), options.maxPoints);
  return scatterPanel('Gradient Norm', rows, 'Gradient Norm', 'auto', options);
}
