// The original's secondary screen, "AUXILIARY": MeanGSNR, CABS and EarlyStopping, each a basic plot + EMA.
import type { RunData } from '../model.js';
import { scatterPanel, type PanelOptions } from './panel.js';
import { scalarSeries, seriesRows } from './series.js';
import type { VlSpec } from './style.js';

export const AUXILIARY_QUANTITIES = ['MeanGSNR', 'CABS', 'EarlyStopping'] as const;
export type AuxiliaryQuantity = (typeof AUXILIARY_QUANTITIES)[number];

const TITLES: Record<AuxiliaryQuantity, string> = { MeanGSNR: 'Mean GSNR', CABS: 'CABS (suggested batch size)', EarlyStopping: 'Early Stopping criterion' };

export function auxiliarySpec(name: AuxiliaryQuantity, runs: readonly RunData[], options: PanelOptions = {}): VlSpec | undefined {
  const rows = seriesRows(runs, (r) => scalarSeries(r, name), options.maxPoints);
  return scatterPanel(TITLES[name], rows, name, false, options);
}
