// The original plotter's primary screen as one spec: three instrument groups (STEP SIZE, GRADIENTS, CURVATURE)
// over the summary row (Hyperparameters, Performance), then, when there is data for it, the secondary screen
// (AUXILIARY and LAYERWISE) and the DeepOBS learning curves. A panel without data shows a note instead of a gap.
import type { RunData } from '../model.js';
import { alphaSpec } from './alpha.js';
import { AUXILIARY_QUANTITIES, auxiliarySpec } from './auxiliary.js';
import { distanceSpec } from './distance.js';
import { gradNormSpec } from './grad-norm.js';
import { gradientTestsSpec } from './gradient-tests.js';
import { hist1dSpec } from './hist1d.js';
import { hist2dSpec } from './hist2d.js';
import { hyperparametersSpec } from './hyperparameters.js';
import { learningCurvesSpec } from './learning-curves.js';
import { maxEvSpec } from './max-ev.js';
import type { PanelOptions } from './panel.js';
import { performanceSpec } from './performance.js';
import { FONT, PANEL_HEIGHT, PANEL_WIDTH, PRIMARY, SECONDARY, TERTIARY, type VlSpec } from './style.js';
import { ticSpec } from './tic.js';
import { traceSpec } from './trace.js';

export type PanelBuilder = (runs: readonly RunData[], options?: PanelOptions) => VlSpec | undefined;

/** Every panel of the grid by id, in the original's order; the dashboard draws them one by one. */
export const PANELS = {
  alpha: { group: 'STEP SIZE', title: 'Alpha Distribution', build: alphaSpec },
  distance: { group: 'STEP SIZE', title: 'Distance', build: distanceSpec },
  gradNorm: { group: 'STEP SIZE', title: 'Gradient Norm', build: gradNormSpec },
  gradientTests: { group: 'GRADIENTS', title: 'Gradient Tests', build: gradientTestsSpec },
  hist1d: { group: 'GRADIENTS', title: 'Gradient Element Histogram', build: hist1dSpec },
  hist2d: { group: 'GRADIENTS', title: 'Gradient/Parameter Element Histogram', build: hist2dSpec },
  maxEv: { group: 'CURVATURE', title: 'Max Eigenvalue', build: maxEvSpec },
  trace: { group: 'CURVATURE', title: 'Trace', build: traceSpec },
  tic: { group: 'CURVATURE', title: 'TIC', build: ticSpec },
  hyperparameters: { group: 'SUMMARY', title: 'Hyperparameters', build: hyperparametersSpec },
  performance: { group: 'SUMMARY', title: 'Performance Plot', build: performanceSpec },
  meanGsnr: { group: 'AUXILIARY', title: 'Mean GSNR', build: (runs, o) => auxiliarySpec('MeanGSNR', runs, o) },
  cabs: { group: 'AUXILIARY', title: 'CABS', build: (runs, o) => auxiliarySpec('CABS', runs, o) },
  earlyStopping: { group: 'AUXILIARY', title: 'Early Stopping', build: (runs, o) => auxiliarySpec('EarlyStopping', runs, o) },
  learningCurves: { group: 'DEEPOBS', title: 'DeepOBS learning curves', build: learningCurvesSpec },
} satisfies Record<string, { group: string; title: string; build: PanelBuilder }>;
export type PanelId = keyof typeof PANELS;

const GROUP_COLOURS: Record<string, string> = { 'STEP SIZE': PRIMARY, GRADIENTS: SECONDARY, CURVATURE: TERTIARY, AUXILIARY: PRIMARY, LAYERWISE: SECONDARY };

function placeholder(title: string, options: PanelOptions): VlSpec {
  return {
    title,
    width: options.width ?? PANEL_WIDTH,
    height: options.height ?? PANEL_HEIGHT,
    data: { values: [{ text: 'no data recorded' }] },
    mark: { type: 'text', color: '#999999', fontSize: 12 },
    encoding: { text: { field: 'text' } },
  };
}

/** Every panel keeps its own colour scale and legend: concatenated views would otherwise merge same-named fields. */
const OWN_COLOURS = { resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } } };

/** A titled group of panels, stacked (the primary screen's columns) or in a row (the secondary screen's AUXILIARY). */
function group(name: string, panels: VlSpec[], direction: 'vconcat' | 'hconcat' = 'vconcat'): VlSpec {
  return { title: { text: name, color: GROUP_COLOURS[name], fontSize: 16, fontWeight: 'bold', anchor: 'middle' }, [direction]: panels, spacing: direction === 'vconcat' ? 24 : 40, ...OWN_COLOURS };
}

/** Parameter names of the per-parameter GradHist2d histograms, in the order they were recorded. */
export function layerwiseParams(run: RunData): string[] {
  return [...run.quantities.keys()].flatMap((k) => (k.startsWith('GradHist2d[') ? [k.slice('GradHist2d['.length, -1)] : []));
}

export interface FigureOptions extends PanelOptions {
  title?: string;
}

export function cockpitFigureSpec(runs: readonly RunData[], options: FigureOptions = {}): VlSpec {
  const panel = (id: PanelId) => PANELS[id].build(runs, options) ?? placeholder(PANELS[id].title, options);
  const rows: VlSpec[] = [
    {
      hconcat: [
        group('STEP SIZE', [panel('alpha'), panel('distance'), panel('gradNorm')]),
        group('GRADIENTS', [panel('gradientTests'), panel('hist1d'), panel('hist2d')]),
        group('CURVATURE', [panel('maxEv'), panel('trace'), panel('tic')]),
      ],
      spacing: 40,
      ...OWN_COLOURS,
    },
    { hconcat: [panel('hyperparameters'), panel('performance')], spacing: 40, ...OWN_COLOURS },
  ];
  const auxiliary = AUXILIARY_QUANTITIES.map((q) => auxiliarySpec(q, runs, options)).filter((s) => s !== undefined);
  if (auxiliary.length) rows.push(group('AUXILIARY', auxiliary, 'hconcat'));
  const params = runs[0] ? layerwiseParams(runs[0]) : [];
  if (params.length) {
    const hists = params.map((param) => hist2dSpec(runs, { ...options, param })).filter((s) => s !== undefined);
    const columns = Math.ceil(Math.sqrt(hists.length));
    const grid = Array.from({ length: Math.ceil(hists.length / columns) }, (_, r) => ({ hconcat: hists.slice(r * columns, (r + 1) * columns), spacing: 30, ...OWN_COLOURS }));
    rows.push({ title: { text: 'LAYERWISE', color: GROUP_COLOURS.LAYERWISE, fontSize: 16, fontWeight: 'bold', anchor: 'middle' }, vconcat: grid, ...OWN_COLOURS });
  }
  const curves = learningCurvesSpec(runs, options);
  if (curves) rows.push(curves);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: options.title ?? defaultTitle(runs), fontSize: 22, fontWeight: 'bold' },
    background: '#eaeaf2',
    padding: 16,
    vconcat: rows,
    spacing: 36,
    ...OWN_COLOURS,
    config: cockpitConfig(),
  };
}

/** "Cockpit for <optimizer>" as the original titles its figure. */
export function defaultTitle(runs: readonly RunData[]): string {
  const optimizers = [...new Set(runs.map((r) => r.started?.optimizer).filter((o) => !!o))];
  return optimizers.length ? `Cockpit for ${optimizers.join(', ')}` : 'Cockpit';
}

export function cockpitConfig(): VlSpec {
  return {
    font: FONT,
    view: { fill: 'white', stroke: '#cccccc' },
    axis: { labelFontSize: 10, titleFontSize: 11, gridColor: '#e5e5e5' },
    title: { fontSize: 13 },
    legend: { labelFontSize: 10, labelLimit: 320 },
  };
}

/** One panel as a standalone spec (the dashboard's unit of drawing). */
export function panelSpec(id: PanelId, runs: readonly RunData[], options: PanelOptions = {}): VlSpec | undefined {
  const spec = PANELS[id].build(runs, options);
  return spec && { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', ...spec, config: cockpitConfig(), background: 'white' };
}
