// Gradient/Parameter Element Histogram: the 2-D histogram of (gradient element, parameter value) pairs at one step,
// cells coloured by log10(count + 1) from white to blue, with the parameter marginal on top and the gradient
// marginal on the right (both log). `param` draws one parameter's histogram (the original's "LAYERWISE" screen).
import type { Histogram2D } from '@flightdeck/core';
import type { RunData } from '../model.js';
import { pickHistogram } from './histogram.js';
import type { PanelOptions } from './panel.js';
import { ALPHA_BLUE, GREY, PRIMARY, type VlSpec } from './style.js';

export interface Cell {
  /** Parameter-value bin (x axis of the picture). */
  p0: number;
  p1: number;
  /** Gradient-element bin (y axis of the picture). */
  g0: number;
  g1: number;
  count: number;
  shade: number;
}

/** Non-empty cells; counts are row-major [gradient bin, parameter bin] as in the schema. */
export function hist2dCells(h: Histogram2D): Cell[] {
  const g = h.xEdges ?? [];
  const p = h.yEdges ?? [];
  const ny = p.length - 1;
  const cells: Cell[] = [];
  (h.counts ?? []).forEach((count, k) => {
    if (count <= 0) return;
    const i = Math.floor(k / ny);
    const j = k % ny;
    cells.push({ p0: p[j], p1: p[j + 1], g0: g[i], g1: g[i + 1], count, shade: Math.log10(count + 1) });
  });
  return cells;
}

/** Marginal counts: over parameter bins (`gradient`, one per gradient bin) and over gradient bins (`parameter`). */
export function hist2dMarginals(h: Histogram2D): { gradient: number[]; parameter: number[] } {
  const nx = (h.xEdges ?? []).length - 1;
  const ny = (h.yEdges ?? []).length - 1;
  const gradient = new Array<number>(nx).fill(0);
  const parameter = new Array<number>(ny).fill(0);
  (h.counts ?? []).forEach((c, k) => {
    gradient[Math.floor(k / ny)] += c;
    parameter[k % ny] += c;
  });
  return { gradient, parameter };
}

export function hist2dSpec(runs: readonly RunData[], options: PanelOptions & { param?: string } = {}): VlSpec | undefined {
  const run = runs[0];
  const pick = run && pickHistogram(run, 'GradHist2d', options.param, options.stepBack);
  const h = pick?.quantity.histogram2d;
  if (!pick || !h) return undefined;
  const g = h.xEdges ?? [];
  const p = h.yEdges ?? [];
  const width = (options.width ?? 360) * 0.78;
  const height = (options.height ?? 170) * 0.75;
  const margin = 36;
  const { gradient, parameter } = hist2dMarginals(h);
  const pScale = { domain: [p[0], p[p.length - 1]], nice: false, zero: false };
  const gScale = { domain: [g[0], g[g.length - 1]], nice: false, zero: false };
  const topBars = parameter.flatMap((count, j) => (count > 0 ? [{ lo: p[j], hi: p[j + 1], count }] : []));
  const rightBars = gradient.flatMap((count, i) => (count > 0 ? [{ lo: g[i], hi: g[i + 1], count }] : []));
  const what = options.param ? `parameter ${options.param}` : 'all';
  return {
    title: { text: `Gradient/Parameter Element Histogram (${what})`, subtitle: `step ${pick.step}${runs.length > 1 ? ` · ${run.runId}` : ''}` },
    vconcat: [
      {
        width,
        height: margin,
        data: { values: topBars },
        mark: { type: 'rect', color: PRIMARY },
        encoding: {
          x: { field: 'lo', type: 'quantitative', scale: pScale, axis: null },
          x2: { field: 'hi' },
          y: { field: 'count', type: 'quantitative', scale: { type: 'log' }, axis: { title: null, tickCount: 2 } },
          y2: { datum: 0.5 },
        },
      },
      {
        hconcat: [
          {
            width,
            height,
            layer: [
              {
                data: { values: hist2dCells(h) },
                mark: { type: 'rect' },
                encoding: {
                  x: { field: 'p0', type: 'quantitative', title: 'Parameter Element Value', scale: pScale },
                  x2: { field: 'p1' },
                  y: { field: 'g0', type: 'quantitative', title: 'Gradient Element Value', scale: gScale },
                  y2: { field: 'g1' },
                  color: { field: 'shade', type: 'quantitative', scale: { range: ALPHA_BLUE, domainMin: 0 }, legend: null },
                  tooltip: [{ field: 'p0', title: 'parameter ≥', format: '.3g' }, { field: 'g0', title: 'gradient ≥', format: '.3g' }, { field: 'count' }],
                },
              },
              // The original's thin lines through the middle of the (symmetric) ranges.
              { data: { values: [{ x: (p[0] + p[p.length - 1]) / 2 }] }, mark: { type: 'rule', color: GREY, strokeWidth: 0.5 }, encoding: { x: { field: 'x', type: 'quantitative', scale: pScale } } },
              { data: { values: [{ y: (g[0] + g[g.length - 1]) / 2 }] }, mark: { type: 'rule', color: GREY, strokeWidth: 0.5 }, encoding: { y: { field: 'y', type: 'quantitative', scale: gScale } } },
            ],
          },
          {
            width: margin,
            height,
            data: { values: rightBars },
            mark: { type: 'rect', color: PRIMARY },
            encoding: {
              y: { field: 'lo', type: 'quantitative', scale: gScale, axis: null },
              y2: { field: 'hi' },
              x: { field: 'count', type: 'quantitative', scale: { type: 'log' }, axis: { title: null, tickCount: 2 } },
              x2: { datum: 0.5 },
            },
          },
        ],
        spacing: 4,
      },
    ],
    spacing: 4,
  };
}
