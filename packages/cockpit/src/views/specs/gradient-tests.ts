// Gradient Tests: the norm, inner-product and orthogonality tests over the iterations (log axes), and the
// original's gauge of the latest values: a blue disc of radius NormTest, an orange band ±InnerTest and a green
// band ±OrthoTest on symlog axes. Small shapes mean little gradient noise; large ones, a batch that is too noisy.
import type { Quantity } from '@flightdeck/core';
import type { Point, RunData } from '../model.js';
import { X_ITERATION, type PanelOptions } from './panel.js';
import { scalarSeries, seriesRows } from './series.js';
import { PRIMARY, SECONDARY, TERTIARY, type VlSpec } from './style.js';

const TESTS = [
  { name: 'NormTest', colour: PRIMARY },
  { name: 'InnerTest', colour: SECONDARY },
  { name: 'OrthoTest', colour: TERTIARY },
] as const;

export interface GradientTestValues {
  step: number;
  norm: number;
  inner: number;
  ortho: number;
}

/** The scalar a step-sorted list holds at `step` (binary search). */
function scalarAt(list: readonly Point<Quantity>[], step: number): number | undefined {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].step === step) return list[mid].value.scalar ?? undefined;
    if (list[mid].step < step) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/** The latest step at which all three tests have a value. */
export function latestGradientTests(run: RunData): GradientTestValues | undefined {
  const [norms, inners, orthos] = TESTS.map((t) => run.quantities.get(t.name) ?? []);
  for (let i = norms.length - 1; i >= 0; i--) {
    const { step } = norms[i];
    const norm = norms[i].value.scalar;
    const inner = scalarAt(inners, step);
    const ortho = scalarAt(orthos, step);
    if (norm != null && inner !== undefined && ortho !== undefined) return { step, norm, inner, ortho };
  }
  return undefined;
}

export function gradientTestsSpec(runs: readonly RunData[], options: PanelOptions = {}): VlSpec | undefined {
  const width = options.width ?? 360;
  const height = options.height ?? 170;
  const latest = runs[0] && latestGradientTests(runs[0]);
  if (!latest) return undefined;
  const multi = runs.length > 1;
  const series = TESTS.map((t) => {
    const rows = seriesRows(runs, (r) => scalarSeries(r, t.name), options.maxPoints).filter((r) => r.value > 0);
    return {
      height: height / 3 - 12,
      width: width * 0.55,
      data: { values: rows },
      mark: { type: 'line', point: { size: 8 }, color: t.colour, strokeWidth: 1 },
      encoding: {
        x: { ...X_ITERATION, title: t.name === 'OrthoTest' ? 'Iteration' : null },
        y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: t.name, ...(t.name === 'InnerTest' ? { sort: 'descending' } : {}) },
        ...(multi ? { strokeDash: { field: 'run', type: 'nominal', legend: null } } : {}),
      },
    };
  });
  const clip = (v: number) => Math.min(v, 2);
  const disc = Array.from({ length: 73 }, (_, i) => {
    const a = (i * 2 * Math.PI) / 72;
    return { i, x: latest.norm * Math.cos(a), y: latest.norm * Math.sin(a) };
  });
  const axis = (title: string) => ({ type: 'quantitative', title, scale: { type: 'symlog', constant: 0.1, domain: [-2, 2], nice: false }, axis: { grid: true, gridDash: [3, 3] } });
  const gauge = {
    width: width * 0.4,
    height: width * 0.4,
    title: { text: `step ${latest.step}${multi ? ` · ${runs[0].runId}` : ''}`, fontSize: 10 },
    layer: [
      { data: { values: [{ x: -2, x2: 2, y: -clip(latest.inner), y2: clip(latest.inner) }] }, mark: { type: 'rect', color: SECONDARY, opacity: 0.35 }, encoding: { x: { field: 'x', ...axis('orthogonality') }, x2: { field: 'x2' }, y: { field: 'y', ...axis('inner product') }, y2: { field: 'y2' } } },
      { data: { values: [{ x: -clip(latest.ortho), x2: clip(latest.ortho), y: -2, y2: 2 }] }, mark: { type: 'rect', color: TERTIARY, opacity: 0.35 }, encoding: { x: { field: 'x', ...axis('orthogonality') }, x2: { field: 'x2' }, y: { field: 'y', ...axis('inner product') }, y2: { field: 'y2' } } },
      { data: { values: disc }, mark: { type: 'line', color: PRIMARY, fill: PRIMARY, fillOpacity: 0.5, clip: true }, encoding: { x: { field: 'x', ...axis('orthogonality') }, y: { field: 'y', ...axis('inner product') }, order: { field: 'i' } } },
      { data: { values: [{ x: 0, y: 0 }] }, mark: { type: 'point', shape: 'cross', color: 'black', size: 40 }, encoding: { x: { field: 'x', ...axis('orthogonality') }, y: { field: 'y', ...axis('inner product') } } },
    ],
  };
  return { title: 'Gradient Tests', hconcat: [{ vconcat: series, spacing: 2 }, gauge] };
}
