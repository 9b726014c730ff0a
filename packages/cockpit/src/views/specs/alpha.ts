// Alpha Distribution: where the local step length α falls on the unit parabola, and its density for the whole run
// (grey) and the last 10 % (blue). α < −1 or > 1 overshoots the valley; α ≈ 0 steps to its bottom.
import type { RunData } from '../model.js';
import { size, type PanelOptions } from './panel.js';
import { scalarSeries } from './series.js';
import { GREY, PRIMARY, SECONDARY, type VlSpec } from './style.js';

const LIMIT = 1.5;
const ARROW = 1.75;

export interface AlphaSummary {
  all: number[];
  /** The original's "last 10 %": the int(rows/10) last non-NaN values, rows counting the whole table. */
  last: number[];
}

export function alphaSummary(run: RunData): AlphaSummary {
  const all = scalarSeries(run, 'Alpha').map((p) => p.value).filter((v) => Number.isFinite(v));
  const n = Math.floor(run.rows.length / 10);
  return { all, last: n > 0 ? all.slice(-n) : [] };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export function alphaSpec(runs: readonly RunData[], options: PanelOptions = {}): VlSpec | undefined {
  const multi = runs.length > 1;
  const groups = runs.flatMap((run) => {
    const s = alphaSummary(run);
    if (s.all.length < 2) return [];
    const prefix = multi ? `${run.runId}: ` : '';
    const out = [{ label: `${prefix}all (μ=${mean(s.all).toFixed(2)})`, colour: multi ? undefined : GREY, values: s.all, recent: false }];
    if (!multi && s.last.length) out.push({ label: `last 10 % (μ=${mean(s.last).toFixed(2)})`, colour: PRIMARY, values: s.last, recent: true });
    return out;
  });
  if (groups.length === 0) return undefined;
  const clamp = (v: number) => Math.max(-LIMIT, Math.min(LIMIT, v));
  const density = groups.flatMap((g) => g.values.map((v) => ({ group: g.label, alpha: clamp(v) })));
  const outside = groups.flatMap((g) => g.values.filter((v) => Math.abs(v) > LIMIT).map((v) => ({ group: g.label, x: Math.sign(v) * ARROW, y: 0.1 + (g.recent ? 0.1 : 0), side: v < 0 ? 'left' : 'right' })));
  const parabola = Array.from({ length: 61 }, (_, i) => {
    const x = -LIMIT + (i * 2 * LIMIT) / 60;
    return { x, y: x * x };
  });
  const colour = {
    field: 'group',
    type: 'nominal',
    title: null,
    scale: multi ? {} : { domain: groups.map((g) => g.label), range: groups.map((g) => g.colour) },
    legend: { orient: 'top-left', fillColor: 'white' },
  };
  const xAxis = { type: 'quantitative', title: 'Local step length α', scale: { domain: [-1.85, 1.85], nice: false } };
  return {
    title: 'Alpha Distribution',
    ...size(options),
    layer: [
      {
        layer: [
          { data: { values: parabola }, mark: { type: 'line', color: SECONDARY, clip: true }, encoding: { x: { field: 'x', ...xAxis }, y: { field: 'y', type: 'quantitative', title: 'Stand. Loss', scale: { domain: [0, 1.75] } } } },
          { data: { values: [{ x: -1 }, { x: 0 }, { x: 1 }] }, mark: { type: 'rule', color: GREY, strokeWidth: 0.7 }, encoding: { x: { field: 'x', ...xAxis } } },
          { data: { values: [{ y: 0 }, { y: 1 }] }, mark: { type: 'rule', color: GREY, strokeWidth: 0.5 }, encoding: { y: { field: 'y', type: 'quantitative', scale: { domain: [0, 1.75] } } } },
        ],
      },
      {
        data: { values: density },
        transform: [{ density: 'alpha', groupby: ['group'], extent: [-LIMIT, LIMIT], as: ['alpha', 'density'] }],
        mark: { type: 'area', opacity: 0.5, clip: true },
        encoding: { x: { field: 'alpha', ...xAxis }, y: { field: 'density', type: 'quantitative', title: 'α density', axis: { orient: 'right' } }, color: colour },
      },
      ...(outside.length
        ? [{ data: { values: outside }, mark: { type: 'point', filled: true, size: 60 }, encoding: { shape: { field: 'side', type: 'nominal', scale: { domain: ['left', 'right'], range: ['triangle-left', 'triangle-right'] }, legend: null }, x: { field: 'x', ...xAxis }, y: { field: 'y', type: 'quantitative', scale: { domain: [0, 1.75] }, axis: null }, color: colour } }]
        : []),
    ],
    resolve: { scale: { y: 'independent' } },
  };
}
