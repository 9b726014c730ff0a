// The original's "basic plot": points coloured by iteration (viridis) with the moving average over them
// (cool map). With several runs the colour tells the runs apart instead.
import type { SeriesRow } from './series.js';
import { spansDecades } from './series.js';
import { COOL, PANEL_HEIGHT, PANEL_WIDTH, type VlSpec } from './style.js';

export interface PanelOptions {
  /** Longest series drawn (see downsample). */
  maxPoints?: number;
  width?: number;
  height?: number;
  /** For histograms: how many recorded steps back from the latest to show (0 = latest). */
  stepBack?: number;
}

export function size(options: PanelOptions): { width: number; height: number } {
  return { width: options.width ?? PANEL_WIDTH, height: options.height ?? PANEL_HEIGHT };
}

export function yScale(values: readonly number[], log: boolean | 'auto'): VlSpec {
  return (log === 'auto' ? spansDecades(values) : log) ? { type: 'log' } : { zero: false };
}

export const X_ITERATION = { field: 'step', type: 'quantitative', title: 'Iteration', scale: { nice: false, padding: 6 } };

/** Point + EMA layers of one quantity; `yTitle` names the axis. */
export function scatterLayers(rows: SeriesRow[], yTitle: string, log: boolean | 'auto', axisOrient?: 'left' | 'right'): VlSpec[] {
  const multi = new Set(rows.map((r) => r.run)).size > 1;
  const scale = yScale(rows.map((r) => r.value), log);
  const axis = { title: yTitle, ...(axisOrient ? { orient: axisOrient } : {}) };
  // With several runs the colour names the run; one legend per panel (on the points of its left axis) is enough.
  const colour = (scheme: 'viridis' | 'cool') =>
    multi
      ? { field: 'run', type: 'nominal', title: 'Run', legend: scheme === 'viridis' && axisOrient !== 'right' ? { orient: 'bottom' } : null }
      : {
          field: 'step',
          type: 'quantitative',
          legend: null,
          scale: scheme === 'viridis' ? { scheme: 'viridis', reverse: axisOrient === 'right' } : { range: axisOrient === 'right' ? [...COOL].reverse() : COOL },
        };
  return [
    {
      mark: { type: 'circle', size: 22, opacity: 0.9 },
      encoding: { x: X_ITERATION, y: { field: 'value', type: 'quantitative', scale, axis }, color: colour('viridis'), tooltip: [{ field: 'run' }, { field: 'step' }, { field: 'value', format: '.4g' }] },
    },
    {
      mark: { type: 'circle', size: 3, opacity: 1 },
      encoding: { x: X_ITERATION, y: { field: 'ema', type: 'quantitative', scale, axis }, color: colour('cool') },
    },
  ];
}

/** A titled panel of one quantity over the iterations; undefined when there is nothing to draw (the original skips it). */
export function scatterPanel(title: string, rows: SeriesRow[], yTitle: string, log: boolean | 'auto', options: PanelOptions, minPoints = 1): VlSpec | undefined {
  if (rows.filter((r) => Number.isFinite(r.value)).length < minPoints) return undefined;
  return { title, ...size(options), data: { values: rows }, layer: scatterLayers(rows, yTitle, log), resolve: { scale: { color: 'independent' } } };
}

export interface AxisSeries {
  rows: SeriesRow[];
  yTitle: string;
  log: boolean | 'auto';
}

/** Two quantities over the iterations, one per y axis (left and right); undefined when both are empty. */
export function twinAxisPanel(title: string, left: AxisSeries, right: AxisSeries, options: PanelOptions): VlSpec | undefined {
  const sides: Array<[AxisSeries, 'left' | 'right']> = [
    [left, 'left'],
    [right, 'right'],
  ];
  const layers = sides
    .filter(([s]) => s.rows.length > 0)
    .map(([{ rows, yTitle, log }, orient]) => ({ data: { values: rows }, layer: scatterLayers(rows, yTitle, log, orient), resolve: { scale: { color: 'independent' } } }));
  if (layers.length === 0) return undefined;
  return { title, ...size(options), layer: layers, resolve: { scale: { y: 'independent', color: 'independent' } } };
}
