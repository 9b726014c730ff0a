// Distance: ‖θ_t − θ_0‖ (left axis) and the update size ‖θ_{t+1} − θ_t‖ (right axis), both totals over parameters.
import type { RunData } from '../model.js';
import { scatterLayers, size, type PanelOptions } from './panel.js';
import { seriesRows, vectorTotal } from './series.js';
import type { VlSpec } from './style.js';

export function distanceSpec(runs: readonly RunData[], options: PanelOptions = {}): VlSpec | undefined {
  const distance = seriesRows(runs, (r) => vectorTotal(r, 'Distance', 'norm'), options.maxPoints);
  const update = seriesRows(runs, (r) => vectorTotal(r, 'UpdateSize', 'norm'), options.maxPoints);
  if (distance.length === 0 && update.length === 0) return undefined;
  const layers: VlSpec[] = [];
  if (distance.length) layers.push({ data: { values: distance }, layer: scatterLayers(distance, 'Distance', false, 'left'), resolve: { scale: { color: 'independent' } } });
  if (update.length) layers.push({ data: { values: update }, layer: scatterLayers(update, 'Update size', false, 'right'), resolve: { scale: { color: 'independent' } } });
  return { title: 'Distance', ...size(options), layer: layers, resolve: { scale: { y: 'independent', color: 'independent' } } };
}
